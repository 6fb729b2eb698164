#!/bin/bash
# Re-boots the two ppc64le oracle guests (same QEMU machine, firmware, device
# list and kernel command line as the shared captures ppc64le-64k-firmware-aligned
# and ppc64le-64k-single-subpage) only to read, as root, every PCI function's
# sysfs `config` (config-space bytes) and `resource` file. No vfio is loaded.
#
# Usage: config-recapture.sh OUTDIR [CAPTURES_DIR]
#   OUTDIR        gets OUTDIR/<capture>/sys/bus/pci/devices/<BDF>/{config,resource,vendor,device,class}
#                 and OUTDIR/<capture>.console.log
#   CAPTURES_DIR  the shared captures to compare `resource` files against
#                 (default /work/shared/oracle/captures); a device whose resource,
#                 vendor, device or class differs is reported and its config dropped.
#
# Needs (Debian bookworm, amd64 host, root):
#   dpkg --add-architecture ppc64el; apt-get update
#   apt-get install qemu-system-ppc qemu-system-data cpio python3
# The ppc64el kernel and busybox are fetched with `apt-get download` and unpacked
# with `dpkg -x` (nothing is installed for ppc64el).
set -euo pipefail

OUT=$(realpath -m "${1:?usage: $0 OUTDIR [CAPTURES_DIR]}")
CAPS=${2:-/work/shared/oracle/captures}
KVER=${KVER:-6.1.0-50-powerpc64le}
WORK=${WORK:-/tmp/barmap-ppc-config-recapture}
APPEND="console=hvc0 panic=1 loglevel=4 iommu=off oracle.noiommu=1"   # as in both captures' capture.properties

mkdir -p "$WORK" "$OUT"
cd "$WORK"

# --- ppc64el kernel and busybox, straight from Debian ---------------------------
if [ ! -f kernel/boot/vmlinux-$KVER ]; then
  apt-get download "linux-image-$KVER:ppc64el"
  dpkg -x linux-image-${KVER}_*_ppc64el.deb kernel
fi
if [ ! -f busybox/bin/busybox ]; then
  apt-get download busybox-static:ppc64el
  dpkg -x busybox-static_*_ppc64el.deb busybox
fi

# --- a 2 KiB option ROM for rtl8139 (only its size matters: a 2 KiB ROM BAR) ----
python3 - <<'EOF'
import struct
img = bytearray(0x800)
img[0], img[1], img[2] = 0x55, 0xAA, 0x800 // 512           # ROM signature, length in 512 B units
struct.pack_into('<H', img, 0x18, 0x40)                       # offset of the PCI data structure
struct.pack_into('<4sHHHHB3sHHBBH', img, 0x40, b'PCIR', 0x10EC, 0x8139, 0,
                 0x18, 0, bytes([0x00, 0x00, 0x02]), 0x800 // 512, 0, 0, 0x80, 0)
img[0x7FF] = (0x100 - sum(img[:0x7FF]) % 0x100) % 0x100      # byte sum 0
open('rom2k.bin', 'wb').write(img)
EOF

# --- initramfs: busybox + an /init that only dumps sysfs --------------------------
rm -rf initrd && mkdir -p initrd/bin initrd/proc initrd/sys initrd/dev
cp busybox/bin/busybox initrd/bin/busybox
cat > initrd/init <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "CFGDUMP: uname $(uname -r) $(uname -m)"
echo "CFGDUMP: cmdline $(cat /proc/cmdline)"
while read l; do echo "CFGDUMP: iomem $l"; done < /proc/iomem
for d in /sys/bus/pci/devices/*; do
  b=${d##*/}
  echo "CFGDUMP: BEGIN $b"
  echo "CFGDUMP: $b vendor $(cat $d/vendor)"
  echo "CFGDUMP: $b device $(cat $d/device)"
  echo "CFGDUMP: $b class $(cat $d/class)"
  drv=-; [ -e $d/driver ] && drv=$(basename $(readlink $d/driver))
  echo "CFGDUMP: $b driver $drv"
  while read l; do echo "CFGDUMP: $b res $l"; done < $d/resource
  echo "CFGDUMP: $b cfgsize $(wc -c < $d/config)"
  echo "CFGDUMP: $b cfgmd5 $(md5sum < $d/config | cut -d' ' -f1)"
  od -An -tx1 -v $d/config | while read l; do echo "CFGDUMP: $b cfg $l"; done
  echo "CFGDUMP: END $b"
done
echo "CFGDUMP: DONE"
sync
poweroff -f
EOF
chmod 755 initrd/init
(cd initrd && find . | cpio -o -H newc --quiet | gzip -1) > initrd.cpio.gz

FULL_DEVS=(
  -object memory-backend-ram,id=shm0,size=1M,share=on
  -device rtl8139,addr=0x1,romfile=rom2k.bin
  -device pcnet,addr=0x2,romfile=
  -device i6300esb,addr=0x3
  -device pci-ohci,addr=0x4
  -device sdhci-pci,addr=0x5
  -device lsi53c895a,addr=0x6
  -device pci-testdev,addr=0x7
  -device tulip,addr=0x8,romfile=
  -device tpci200,addr=0x9
  -device ivshmem-plain,addr=0xa,memdev=shm0
  -device edu,addr=0xb
  -device pvpanic-pci,addr=0xc
  -device virtio-rng-pci,addr=0xd
  -device ich9-intel-hda,addr=0xe
  -device e1000,addr=0xf,romfile=
)
SINGLE_DEVS=(-device i6300esb,addr=0x3)

boot() { # NAME MACHINE DEVICES...
  local name=$1 mach=$2; shift 2
  local cmd=(qemu-system-ppc64 -machine "$mach" -smp 1 -m 2G
    -nodefaults -display none -vga none -no-reboot -serial stdio -monitor none
    -kernel kernel/boot/vmlinux-$KVER -initrd initrd.cpio.gz -append "$APPEND" "$@")
  echo "== $name: ${cmd[*]}" >&2
  { echo "HOST: date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "HOST: $(qemu-system-ppc64 --version | head -1)"
    echo "HOST: command: ${cmd[*]}"
    timeout 600 "${cmd[@]}" </dev/null 2>&1 | tr -d '\r'
  } > "$OUT/$name.console.log"
  grep -q 'CFGDUMP: DONE' "$OUT/$name.console.log" || { echo "$name: guest did not finish" >&2; return 1; }
  python3 - "$OUT/$name.console.log" "$OUT/$name" "$CAPS/$name" <<'EOF'
import sys, os, re, hashlib
log, out, cap = sys.argv[1:4]
devs = {}
for line in open(log, errors='replace'):
    m = re.search(r'CFGDUMP: (\S+:\S+\.\d) (\w+) ?(.*)$', line.rstrip('\n'))
    if not m: continue
    b, k, v = m.groups()
    d = devs.setdefault(b, {'res': [], 'cfg': bytearray()})
    if k == 'res': d['res'].append(v.strip())
    elif k == 'cfg': d['cfg'] += bytes(int(x, 16) for x in v.split())
    else: d[k] = v.strip()
bad = 0
for b, d in sorted(devs.items()):
    cfg = bytes(d['cfg'])
    assert len(cfg) == int(d['cfgsize']), (b, len(cfg), d['cfgsize'])
    assert hashlib.md5(cfg).hexdigest() == d['cfgmd5'], b
    res = ''.join(l + '\n' for l in d['res'])
    problems = []
    cdir = os.path.join(cap, 'sys/bus/pci/devices', b)
    if not os.path.isdir(cdir):
        problems.append('not in the shared capture')
    else:
        if open(os.path.join(cdir, 'resource')).read() != res:
            problems.append('resource differs')
        for k in ('vendor', 'device', 'class'):
            if open(os.path.join(cdir, k)).read().strip() != d[k]:
                problems.append(k + ' differs')
    ddir = os.path.join(out, 'sys/bus/pci/devices', b)
    os.makedirs(ddir, exist_ok=True)
    open(os.path.join(ddir, 'resource'), 'w').write(res)
    for k in ('vendor', 'device', 'class'):
        open(os.path.join(ddir, k), 'w').write(d[k] + '\n')
    if problems:
        bad += 1
        print(f'{b}: MISMATCH ({", ".join(problems)}); config NOT written')
    else:
        open(os.path.join(ddir, 'config'), 'wb').write(cfg)
        print(f'{b}: {d["vendor"]}:{d["device"]} class {d["class"]} config {len(cfg)} bytes; resource identical to capture')
if os.path.isdir(os.path.join(cap, 'sys/bus/pci/devices')):
    missing = set(os.listdir(os.path.join(cap, 'sys/bus/pci/devices'))) - set(devs)
    for b in sorted(missing):
        bad += 1; print(f'{b}: in the capture but not seen in this boot')
iomem = [re.search(r'CFGDUMP: iomem (.*)$', l.rstrip('\n')).group(1) for l in open(log, errors='replace') if 'CFGDUMP: iomem ' in l]
ci = os.path.join(cap, 'proc/iomem')
if os.path.isfile(ci):
    same = [l.strip() for l in open(ci)] == [l.strip() for l in iomem]
    print('/proc/iomem (whitespace-trimmed lines) ' + ('identical to' if same else 'DIFFERS from') + ' the capture\'s proc/iomem')
sys.exit(1 if bad else 0)
EOF
}

rc=0
boot ppc64le-64k-firmware-aligned pseries,accel=tcg "${FULL_DEVS[@]}" || rc=1
boot ppc64le-64k-single-subpage pseries,accel=tcg,x-vof=on "${SINGLE_DEVS[@]}" || rc=1
exit $rc
