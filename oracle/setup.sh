#!/usr/bin/env bash
# Installs what the oracle needs and builds the guest's initramfs:
#   Debian packages: qemu-system-x86 (7.2), qemu-system-data (qboot), busybox-static, cpio, kmod, gcc;
#   the kernel: Debian bookworm's current linux-image-6.1.0-N-amd64 (what linux-image-amd64 depends on),
#   fetched with apt-get download into $CACHE, unpacked with dpkg -x, depmod'ed;
#   the initramfs: busybox, the virtio/9p and vfio modules, guest/init, the C benchmark.
# Idempotent: a second run reuses the cache and rebuilds only what changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE" "$WORK"

need=()
for p in qemu-system-x86 qemu-system-data busybox-static cpio kmod gcc libc6-dev linux-libc-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# the kernel package bookworm serves now
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
if [ -z "$KPKG" ]; then
  apt-get update -qq
  KPKG=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
fi
[ -n "$KPKG" ] || die "cannot find the linux-image-6.1.0-*-amd64 package linux-image-amd64 depends on"
KVER=${KPKG#linux-image-}
KDIR=$CACHE/$KVER
if [ ! -f "$KDIR/boot/vmlinuz-$KVER" ]; then
  deb=$(ls "$CACHE"/"${KPKG}"_*.deb 2>/dev/null | tail -1 || true)
  if [ -z "$deb" ]; then
    log "apt-get download $KPKG"
    (cd "$CACHE" && apt-get download -qq "$KPKG")
    deb=$(ls "$CACHE"/"${KPKG}"_*.deb | tail -1)
  fi
  log "unpacking $(basename "$deb")"
  rm -rf "$KDIR.tmp" && dpkg -x "$deb" "$KDIR.tmp"
  depmod -b "$KDIR.tmp" "$KVER"
  rm -rf "$KDIR" && mv "$KDIR.tmp" "$KDIR"
  dpkg-deb -f "$deb" Version > "$KDIR/package-version"
fi
echo "$KVER" > "$WORK/kernel-release"
log "kernel $KVER (package version $(cat "$KDIR/package-version" 2>/dev/null || echo ?))"

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
R=$WORK/rootfs
rm -rf "$R" && mkdir -p "$R"/{bin,sbin,proc,sys,dev,host,lib/modules,tmp}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
cp "$ORACLE_DIR/guest/init" "$R/init" && chmod +x "$R/init"
cp "$WORK/bench-c" "$R/bench-c"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
         drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache \
         net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_virqfd \
         drivers/vfio/vfio_iommu_type1 drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci; do
  f=$(ls "$MD/$m".ko* 2>/dev/null | head -1)
  [ -n "$f" ] || die "module $m missing from $KPKG"
  case "$f" in
    *.xz) xz -dc "$f" > "$R/lib/modules/$(basename "$m").ko";;
    *.zst) zstd -dc "$f" > "$R/lib/modules/$(basename "$m").ko";;
    *) cp "$f" "$R/lib/modules/";;
  esac
done
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.cpio.gz"
log "initramfs $(stat -c %s "$WORK/initrd.cpio.gz") bytes"
