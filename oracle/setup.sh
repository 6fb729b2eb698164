#!/usr/bin/env bash
# Installs what the oracle needs and builds the guest's initramfs:
#   Debian packages: qemu-system-x86 (7.2), qemu-system-data (qboot), busybox-static, cpio, kmod, gcc;
#   the kernel: Debian bookworm's current linux-image-6.1.0-N-amd64 (what linux-image-amd64 depends on),
#   fetched with apt-get download into $CACHE, unpacked with dpkg -x, depmod'ed;
#   the initramfs: busybox, the virtio/9p and vfio modules, guest/init, the C benchmark.
# Idempotent: a second run reuses the cache and rebuilds only what changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$ORACLE_DIR/kernel.sh"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE" "$WORK"

apt_need qemu-system-x86 qemu-system-data busybox-static cpio kmod gcc libc6-dev linux-libc-dev python3

# The kernel: KERNEL (argument or BARMAP_ORACLE_KERNEL) names a generation, and the package is whatever
# Debian serves for it today (its ABI number N changes as Debian updates it; the exact package version is
# recorded beside the kernel and in every result):
#   6.1  bookworm's linux-image-6.1.0-N-amd64 (what linux-image-amd64 depends on)
#   6.12 bookworm's linux-image-6.12.N+deb12-amd64 (the newest of them)
#   7    the newest linux-image-7.*-amd64 from trixie-backports or sid, through a private apt configuration
#        under $CACHE/apt (never the machine's own sources)
SPEC=${1:-${BARMAP_ORACLE_KERNEL:-6.1}}
fetchfail() { die "cannot fetch the $SPEC kernel package ${1:-} from Debian's archive${2:+: $2}"; }
newest() { sort -V | tail -1; }
APTPRIV=()
case "$SPEC" in
  6.1)
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
    if [ -z "$KPKG" ]; then
      apt-get update -qq || true
      KPKG=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
    fi;;
  6.12)
    pick() { apt-cache pkgnames linux-image-6.12 2>/dev/null | grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' | newest; }
    KPKG=$(pick)
    [ -n "$KPKG" ] || { apt-get update -qq || true; KPKG=$(pick); };;
  7)
    A=$CACHE/apt; mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/sources.list.d"
    echo "deb http://deb.debian.org/debian trixie-backports main
deb http://deb.debian.org/debian sid main" > "$A/sources.list"
    APTPRIV=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts="$A/sources.list.d"
      -o Dir::State="$A" -o Dir::State::status=/var/lib/dpkg/status -o Dir::Cache="$A"
      -o Dir::Cache::archives="$A/archives" -o APT::Default-Release=)
    # refresh the private lists at most once a day
    if [ -z "$(find "$A/lists" -name '*Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]; then
      apt-get "${APTPRIV[@]}" update -qq >/dev/null 2>"$A/update.err" || fetchfail "" "apt-get update of trixie-backports/sid failed: $(tail -1 "$A/update.err")"
    fi
    KPKG=$(apt-cache "${APTPRIV[@]}" pkgnames linux-image-7 2>/dev/null | grep -E '^linux-image-7\.[0-9.]+\+deb[0-9]+-amd64$' | newest);;
  *) die "unknown kernel '$SPEC' (6.1, 6.12, 7)";;
esac
[ -n "$KPKG" ] || fetchfail "" "no matching linux-image package is listed"
KVER=${KPKG#linux-image-}
KDIR=$CACHE/$KVER
# a package's .deb from the cache, downloaded first when missing
download() {
  local deb
  deb=$(ls "$CACHE"/"$1"_*.deb 2>/dev/null | tail -1 || true)
  if [ -z "$deb" ]; then
    log "apt-get download $1"
    (cd "$CACHE" && apt-get "${APTPRIV[@]}" download -qq "$1" 2>"$CACHE/download.err") \
      || fetchfail "$1" "$(grep -v '^W:' "$CACHE/download.err" | tail -1)"
    deb=$(ls "$CACHE"/"$1"_*.deb 2>/dev/null | tail -1)
    [ -n "$deb" ] || fetchfail "$1" "apt-get download wrote no .deb"
  fi
  echo "$deb"
}
[ -f "$KDIR/boot/vmlinuz-$KVER" ] || kernel_unpack "$KPKG" "$KDIR" download "${APTPRIV[@]}"
echo "$KVER" > "$WORK/kernel-release-$SPEC"
[ "$SPEC" = 6.1 ] && echo "$KVER" > "$WORK/kernel-release"
log "kernel $SPEC: $KPKG, package version $(cat "$KDIR/package-version" 2>/dev/null || echo ?)"

# the C benchmark, static so it runs in the initramfs
gcc -O2 -Wall -static -o "$WORK/bench-c" "$ORACLE_DIR/guest/bench.c"

# a 2 KiB legacy option ROM (0x55AA, PCIR for 10ec:8139, retf at the init entry) so that rtl8139 gets a
# ROM BAR, as the shared captures' recipe does (recipe/x86_64/make-rom.py)
rom=$WORK/rom2k.bin
{
  printf '\x55\xaa\x04\xcb'; head -c 20 /dev/zero; printf '\x1c\x00\x00\x00'
  printf 'PCIR\xec\x10\x39\x81\x00\x00\x18\x00\x00\x00\x00\x02\x04\x00\x00\x00\x00\x80\x00\x00'
  head -c $((2048 - 0x1c - 24 - 1)) /dev/zero
} > "$rom.tmp"
sum=$(od -An -v -tu1 "$rom.tmp" | tr -s ' ' '\n' | awk 'NF{s+=$1} END{print (256 - s % 256) % 256}')
printf "\\$(printf %03o "$sum")" >> "$rom.tmp"
[ "$(stat -c %s "$rom.tmp")" = 2048 ] || die "ROM image is not 2048 bytes"
mv "$rom.tmp" "$rom"
truncate -s 1M "$WORK/nvme.img"

# initramfs
MD=$KDIR/lib/modules/$KVER/kernel
R=$WORK/rootfs-$KVER
rm -rf "$R" && mkdir -p "$R"/{bin,sbin,proc,sys,dev,host,lib/modules,tmp}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
cp "$ORACLE_DIR/guest/init" "$R/init" && chmod +x "$R/init"
cp "$WORK/bench-c" "$R/bench-c"
# the modules the guest needs, with their dependencies, in load order (kernel.sh initramfs_modules)
initramfs_modules "$KDIR" "$KVER" "$R" virtio_pci 9pnet_virtio 9p vfio_iommu_type1 vfio-pci
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd-$KVER.cpio.gz.tmp"
mv "$WORK/initrd-$KVER.cpio.gz.tmp" "$WORK/initrd-$KVER.cpio.gz"
log "initramfs $(stat -c %s "$WORK/initrd-$KVER.cpio.gz") bytes"
