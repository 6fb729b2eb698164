#!/usr/bin/env bash
# The QEMU a nested oracle runs inside the outer guest (issue 12), one per VERSION:
#   oracle/qemu/setup.sh VERSION      VERSION: 7.2 | 10.0 | 11.1
# Prints the root of a tree in which /usr/bin/qemu-system-x86_64 is that QEMU, to be run as
# `chroot ROOT /usr/bin/qemu-system-x86_64 ...` (the outer guest sees the host's root at /host):
#   7.2   the host's own QEMU (Debian bookworm's qemu-system-x86): checks it is 7.2 and prints /
#   10.0  Debian trixie's qemu-system-x86
#   11.1  Debian trixie-backports' qemu-system-x86 (sid's when backports no longer serves 11.1)
# For 10.0 and 11.1 the tree is $CACHE/qemu-VERSION (BARMAP_ORACLE_CACHE, default /var/cache/barmap-oracle):
# qemu-system-x86 with qemu-system-data, seabios, ipxe-qemu and the whole closure of their Depends (glibc and
# its loader included; no Recommends, so no GUI, no spice/opengl modules, no block-extra), resolved by apt
# against an EMPTY dpkg status through a private apt configuration in $CACHE/qemu-VERSION.apt (the machine's
# own sources and preferences are never read or touched), downloaded with --download-only and unpacked with
# dpkg -x (no maintainer scripts run). Built in ROOT.tmp, verified (--version, and a QMP smoke run by
# oracle/qemu/smoke.py), then renamed: an interrupted setup never leaves a half tree. Built once; a second
# run only prints the path. ROOT/qemu-package-version holds the exact Debian version of qemu-system-x86,
# ROOT/packages every unpacked package with its version. ROOT has empty /proc /sys /dev /tmp /run /mnt
# for the outer guest to mount on.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ORACLE_DIR/kernel.sh"
export DEBIAN_FRONTEND=noninteractive
VERSION=${1:?usage: oracle/qemu/setup.sh VERSION (7.2, 10.0, 11.1)}
SMOKE=$ORACLE_DIR/qemu/smoke.py

case "$VERSION" in
  7.2)
    apt_need qemu-system-x86 qemu-system-data seabios
    v=$(qemu-system-x86_64 --version | head -1)
    case "$v" in "QEMU emulator version 7.2."*) ;; *) die "the host's qemu-system-x86_64 is not 7.2: $v";; esac
    echo /; exit 0;;
  10.0)
    # trixie's point releases and security updates; the newest of them wins
    SUITES=("trixie trixie-updates trixie-security:")
    ;;
  11.1)
    # SUITES entries are "SUITE...:TARGET": the sources and the apt -t release; the first that serves VERSION wins
    SUITES=("trixie trixie-updates trixie-security trixie-backports:trixie-backports" "sid:");;
  *) die "unknown QEMU version '$VERSION' (7.2, 10.0, 11.1)";;
esac

ROOT=$CACHE/qemu-$VERSION
built() { [ -x "$ROOT/usr/bin/qemu-system-x86_64" ] && [ -f "$ROOT/qemu-package-version" ]; }
built && { echo "$ROOT"; exit 0; }
mkdir -p "$CACHE"
# one build at a time per VERSION (a second setup waits, then finds the tree built)
exec 9>"$ROOT.lock"
flock 9
built && { echo "$ROOT"; exit 0; }
START=$(date +%s)
A=$ROOT.apt
mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/sources.list.d" "$A/preferences.d"
: > "$A/status"
APTPRIV=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts="$A/sources.list.d"
  -o Dir::Etc::preferences="$A/preferences" -o Dir::Etc::preferencesparts="$A/preferences.d"
  -o Dir::State="$A" -o Dir::State::status="$A/status" -o Dir::Cache="$A" -o Dir::Cache::archives="$A/archives"
  -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o APT::Default-Release=
  -o APT::Install-Recommends=0 -o APT::Install-Suggests=0)
PKGS=(qemu-system-x86 qemu-system-data seabios ipxe-qemu)

# the first SUITES entry whose qemu-system-x86 candidate is VERSION.*
found=""; seen=""
for s in "${SUITES[@]}"; do
  suites=${s%%:*}; target=${s#*:}
  : > "$A/sources.list"
  for x in $suites; do
    case "$x" in
      *-security) echo "deb http://deb.debian.org/debian-security $x main";;
      *) echo "deb http://deb.debian.org/debian $x main";;
    esac >> "$A/sources.list"
  done
  TGT=(); [ -n "$target" ] && TGT=(-t "$target")
  log "qemu $VERSION: apt-get update ($suites)"
  rm -rf "$A/lists" && mkdir -p "$A/lists/partial"
  apt-get "${APTPRIV[@]}" update -qq >/dev/null 2>"$A/update.err" \
    || die "apt-get update of $suites failed: $(grep -v '^W:' "$A/update.err" | tail -1)"
  cand=$(apt-cache "${APTPRIV[@]}" "${TGT[@]}" policy qemu-system-x86 | sed -n 's/^ *Candidate: //p')
  seen="$seen ${target:-$suites}=$cand"
  case "$cand" in 1:"$VERSION".*) found=1; break;; esac
done
[ -n "$found" ] || die "no Debian suite serves qemu-system-x86 $VERSION.* any more (candidates:$seen)"
log "qemu $VERSION: qemu-system-x86 $cand from ${target:-$suites}"

# the whole dependency closure against an empty status: every package, glibc included
rm -rf "$A/archives"/*.deb
apt-get "${APTPRIV[@]}" "${TGT[@]}" install -y -qq --download-only "${PKGS[@]}" >/dev/null 2>"$A/install.err" \
  || die "apt-get install --download-only ${PKGS[*]} ($suites) failed: $(grep -v '^W:' "$A/install.err" | tail -1)"
T=$ROOT.tmp
rm -rf "$T" && mkdir -p "$T"
n=0
for deb in "$A"/archives/*.deb; do
  dpkg -x "$deb" "$T"
  dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$T/packages.tmp"
  n=$((n + 1))
done
sort "$T/packages.tmp" | sed 's/^Package: \(.*\) Version: /\1 /' > "$T/packages" && rm "$T/packages.tmp"
v=$(dpkg-deb -f "$A"/archives/qemu-system-x86_*.deb Version)
[ "$v" = "$cand" ] || die "downloaded qemu-system-x86 $v, not the candidate $cand"
echo "$v" > "$T/qemu-package-version"
# merged /usr as a Debian installer lays it out (the packages ship under /usr; the ELF interpreter is
# /lib64/ld-linux-x86-64.so.2): a top-level bin/sbin/lib/lib64 directory some package still fills is
# merged into /usr first
for d in bin sbin lib lib64; do
  if [ -d "$T/$d" ] && [ ! -L "$T/$d" ]; then
    mkdir -p "$T/usr/$d" && cp -a "$T/$d/." "$T/usr/$d/" && rm -rf "${T:?}/$d"
  fi
  [ -e "$T/$d" ] || ln -s "usr/$d" "$T/$d"
done
# no documentation, manuals or translations, and not the package's two other emulators (i386, microvm:
# 36 MB the oracle never runs)
rm -rf "$T"/usr/share/{doc,man,info,locale,lintian,bug}
rm -f "$T"/usr/bin/qemu-system-i386 "$T"/usr/bin/qemu-system-x86_64-microvm
for d in proc sys dev tmp run mnt; do mkdir -p "$T/$d"; done
chmod 1777 "$T/tmp"
# the loader's cache, for libraries outside the default paths
ldconfig -r "$T"

# verify before the rename: the version it reports, and a QMP smoke run with the tree's own firmware
got=$(chroot "$T" /usr/bin/qemu-system-x86_64 --version | head -1) \
  || die "chroot $T /usr/bin/qemu-system-x86_64 --version failed"
case "$got" in "QEMU emulator version $VERSION."*) ;; *) die "the tree's QEMU reports '$got', not $VERSION";; esac
"$PY" "$SMOKE" "$T" "$VERSION" >&2 || die "the smoke run of the tree's QEMU failed (oracle/qemu/smoke.py $T $VERSION)"
rm -rf "$ROOT" && mv "$T" "$ROOT"
rm -rf "$A"
log "qemu $VERSION: $ROOT ($n packages, $(du -sm "$ROOT" | cut -f1) MB, $(( $(date +%s) - START )) s): $got"
echo "$ROOT"
