#!/usr/bin/env bash
# Installs what the aarch64 oracle needs and builds its initramfs:
#   oracle/arm64/setup.sh [KERNEL]     KERNEL: 6.12 (default) or 7
#   machine packages (bookworm): qemu-system-arm (qemu-system-aarch64 7.2), qemu-efi-aarch64 (EDK2),
#     gcc-aarch64-linux-gnu + libc6-dev-arm64-cross (the static C probe), cpio, kmod;
#   through a private apt configuration under $CACHE/arm64/apt (trixie and sid, arm64; never the
#   machine's own sources, the pattern of oracle/setup.sh): the Debian 16K-page kernel
#     6.12  the newest linux-image-6.12.N+deb13-arm64-16k (trixie)
#     7     the newest linux-image-7.*-arm64-16k (sid; split into linux-image/-binary/-modules/-base)
#   and busybox-static:arm64 (trixie), fetched with apt-get download, unpacked with dpkg -x;
#   the initramfs: busybox, the vfio modules with their dependencies from modules.dep, oracle/arm64/init,
#   the static C probe (oracle/guest/probe.c).
# Idempotent: a second run reuses the downloads.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ORACLE_DIR/kernel.sh"
export DEBIAN_FRONTEND=noninteractive
SPEC=${1:-${BARMAP_ORACLE_KERNEL:-6.12}}
C=$CACHE/arm64
W=$WORK/arm64
mkdir -p "$C" "$W"

apt_need qemu-system-arm qemu-efi-aarch64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio kmod python3

A=$C/apt; mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/sources.list.d"
echo "deb http://deb.debian.org/debian trixie main
deb http://deb.debian.org/debian sid main" > "$A/sources.list"
APTPRIV=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts="$A/sources.list.d"
  -o Dir::State="$A" -o Dir::State::status=/var/lib/dpkg/status -o Dir::Cache="$A"
  -o Dir::Cache::archives="$A/archives" -o APT::Default-Release=
  -o APT::Architecture=arm64 -o APT::Architectures::=arm64)
if [ -z "$(find "$A/lists" -name '*arm64_Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]; then
  apt-get "${APTPRIV[@]}" update -qq >/dev/null 2>"$A/update.err" \
    || die "apt-get update of trixie/sid (arm64) failed: $(tail -1 "$A/update.err")"
fi
newest() { sort -V | tail -1; }
case "$SPEC" in
  6.12) KPKG=$(apt-cache "${APTPRIV[@]}" pkgnames linux-image-6.12 | grep -E '^linux-image-6\.12\.[0-9]+\+deb13-arm64-16k$' | newest || true);;
  7) KPKG=$(apt-cache "${APTPRIV[@]}" pkgnames linux-image-7 | grep -E '^linux-image-7\.[0-9.]+\+deb[0-9]+-arm64-16k$' | newest || true);;
  *) die "unknown kernel '$SPEC' (6.12, 7)";;
esac
[ -n "$KPKG" ] || die "no 16K-page arm64 kernel package for $SPEC is listed in trixie/sid"
KVER=${KPKG#linux-image-}

# download PKG [VERSION]: the .deb in $C, fetched once
download() {
  local deb
  deb=$(ls "$C"/"$1"_*.deb 2>/dev/null | tail -1 || true)
  if [ -z "$deb" ]; then
    log "apt-get download $1${2:+=$2}"
    (cd "$C" && apt-get "${APTPRIV[@]}" download -qq "$1${2:+=$2}" 2>"$C/download.err") \
      || die "cannot fetch $1 from Debian's archive: $(grep -v '^W:' "$C/download.err" | tail -1)"
    deb=$(ls "$C"/"$1"_*.deb 2>/dev/null | tail -1)
    [ -n "$deb" ] || die "apt-get download $1 wrote no .deb"
  fi
  echo "$deb"
}

KDIR=$C/$KVER
[ -f "$KDIR/boot/vmlinuz-$KVER" ] || kernel_unpack "$KPKG" "$KDIR" download "${APTPRIV[@]}"
echo "$KVER" > "$W/kernel-release-$SPEC"
log "kernel $SPEC: $KPKG, package version $(cat "$KDIR/package-version" 2>/dev/null || echo ?)"

BB=$C/busybox
if [ ! -x "$BB/bin/busybox" ]; then
  bbver=$(apt-cache "${APTPRIV[@]}" madison busybox-static | awk -F'|' '$3 ~ /trixie/ {gsub(/ /, "", $2); print $2; exit}')
  rm -rf "$BB.tmp" && dpkg -x "$(download busybox-static "$bbver")" "$BB.tmp"
  [ -x "$BB.tmp/usr/bin/busybox" ] && mkdir -p "$BB.tmp/bin" && mv "$BB.tmp/usr/bin/busybox" "$BB.tmp/bin/busybox"  # trixie: merged /usr
  [ -x "$BB.tmp/bin/busybox" ] || die "no bin/busybox in busybox-static"
  rm -rf "$BB" && mv "$BB.tmp" "$BB"
fi

aarch64-linux-gnu-gcc -O2 -Wall -static -o "$W/probe" "$ORACLE_DIR/guest/probe.c"

console_initramfs "$KDIR" "$KVER" "$BB/bin/busybox" "$W/probe" "$W/initrd-$KVER.cpio.gz"
