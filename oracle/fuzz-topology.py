#!/usr/bin/env python3
"""One random x86_64 q35 oracle topology from a seed (oracle/fuzz.sh): the same seed always gives the
same topology (Python's random.Random(seed), whose sequence for a given seed is stable across versions).

Usage: fuzz-topology.py SEED KERNELS WORK [hotplug]
  KERNELS  the kernel generations to pick from, comma-separated (6.1,6.12,7); one means that one
  WORK     oracle/work (the 2 KiB option ROM and the nvme image oracle/setup.sh writes there)
Prints shell-readable lines: kernel=K, firmware=seabios|qboot, append=EXTRA (kernel command line
additions), summary=TEXT, one qemu=ARG line per QEMU argument, and with `hotplug` one hotadd=COMMAND
line per device the host adds through QEMU's monitor once the guest waits for it (barmap.hotplug=N on
the kernel command line, oracle/arm64/init), each into its own empty pcie-root-port. The hot-adds come
from a second generator seeded apart, so a seed's topology without `hotplug` stays what it was.

Devices: QEMU 7.2's emulated functions with small BARs that the oracle's fixed scenarios already boot
(oracle/boot.sh) and a few more; placed on pcie.0, behind conventional pci-bridges (SHPC off: the shpchp
driver would own the bridge and make its IOMMU group unusable for vfio) or each alone behind a
pcie-root-port (PCIe slots take one function at addr 0)."""
import random
import sys

# name -> QEMU -device options beyond bus/addr/id; {rom}/{img}/{mem} are filled in per instance
DEVICES = {
    'rtl8139': ['romfile=', 'romfile={rom}'],  # without ROM, or with the 2 KiB ROM BAR
    'pcnet': ['romfile='],
    'i6300esb': [''],
    'pci-ohci': [''],
    'sdhci-pci': [''],
    'lsi53c895a': [''],
    'pci-testdev': [''],
    'tulip': ['romfile='],
    'tpci200': [''],
    'ivshmem-plain': ['memdev={mem}'],
    'edu': [''],
    'pvpanic-pci': [''],
    'virtio-rng-pci': ['', 'disable-legacy=on'],
    'nvme': ['serial=fz{n},drive={img}'],
    'e1000e': ['romfile='],
    'virtio-net-pci': ['romfile=,disable-legacy=on', 'romfile='],
    'ich9-intel-hda': [''],
    'e1000': ['romfile='],
    'ne2k_pci': ['romfile='],
    'ich9-usb-uhci1': [''],
    'usb-ehci': [''],
    'megasas': ['romfile='],
    'am53c974': [''],
}
# vendor:device for pci=resource_alignment=...pci:VVVV:DDDD (QEMU 7.2's ids for these models)
IDS = {'rtl8139': '10ec:8139', 'i6300esb': '8086:25ab', 'pci-testdev': '1b36:0005', 'edu': '1234:11e8',
       'pvpanic-pci': '1b36:0011', 'sdhci-pci': '1b36:0007', 'pcnet': '1022:2000', 'tulip': '1011:0019'}

# q35 slots on pcie.0 that a topology may use: not 00.0 (host bridge), not 1f (ICH9 LPC/SATA/SMBus)
ROOT_SLOTS = list(range(2, 0x1f))


# the devices a hot-add picks from: no -object/-drive backends needed
HOTADD = ['rtl8139', 'pcnet', 'i6300esb', 'pci-ohci', 'sdhci-pci', 'lsi53c895a', 'pci-testdev', 'tulip',
          'edu', 'pvpanic-pci', 'virtio-rng-pci', 'e1000e', 'e1000', 'ich9-intel-hda', 'ne2k_pci']
# QEMU 7.2 refuses to hot-add these ("Parameter 'driver' expects a pluggable device type", seen with
# device_add into a pcie-root-port of a paused q35): drawn as before, so the other draws stay the same,
# but left out (the first --hotplug batch, seeds 1030-1039, still asked for them)
NOT_HOTPLUGGABLE = {'pci-ohci'}


def main(seed, kernels, work, hotplug=False):
    r = random.Random(seed)
    kernel = r.choice(kernels)
    firmware = r.choice(['seabios', 'qboot'])
    args, summary, align = [], [], []
    free = ROOT_SLOTS[:]
    r.shuffle(free)
    bridges = {}  # pci-bridge id -> (its slot on pcie.0, its free slots)
    for b in range(r.choice([0, 0, 1, 1, 2])):
        slot = free.pop()
        args += ['-device', 'pci-bridge,id=pb%d,bus=pcie.0,addr=0x%x,chassis_nr=%d,shpc=off' % (b, slot, b + 1)]
        summary.append('pci-bridge pb%d@%02x' % (b, slot))
        own = list(range(0, 0x20))
        r.shuffle(own)
        bridges['pb%d' % b] = (slot, own)
    rps = []
    for p in range(r.choice([0, 0, 1, 2, 3])):
        slot = free.pop()
        args += ['-device', 'pcie-root-port,id=rp%d,bus=pcie.0,addr=0x%x,chassis=%d,slot=%d' % (p, slot, 10 + p, p + 1)]
        summary.append('pcie-root-port rp%d@%02x' % (p, slot))
        rps.append('rp%d' % p)
    names = sorted(DEVICES)
    for n in range(r.randint(2, 8)):
        name = r.choice(names)
        opt = r.choice(DEVICES[name])
        if '{mem}' in opt:
            args += ['-object', 'memory-backend-ram,id=shm%d,size=%s,share=on' % (n, r.choice(['1M', '4M']))]
        if '{img}' in opt:
            args += ['-drive', 'if=none,id=nvm%d,format=raw,file=%s/nvme.img,readonly=on' % (n, work)]
        opt = opt.format(rom=work + '/rom2k.bin', img='nvm%d' % n, mem='shm%d' % n, n=n)
        where = r.random()
        path = None  # the device in pci=resource_alignment's path form, where it has one before boot
        if rps and where < 0.25:
            bus, addr = rps.pop(), 0
            place = bus
        elif bridges and where < 0.55:
            bus = r.choice(sorted(bridges))
            addr = bridges[bus][1].pop()
            place = '%s.%02x' % (bus, addr)
            path = '0000:00:%02x.0/%02x.0' % (bridges[bus][0], addr)
        elif free:
            bus, addr = 'pcie.0', free.pop()
            place = '%02x' % addr
            path = '0000:00:%02x.0' % addr
        else:
            break
        dev = '%s,id=d%d,bus=%s,addr=0x%x' % (name, n, bus, addr)
        if opt:
            dev += ',' + opt
        args += ['-device', dev]
        summary.append('%s%s@%s' % (name, '(' + opt + ')' if opt else '', place))
        # pci=resource_alignment=[<order>@]<pci_dev>[;...], <pci_dev> a path [dom:]bus:dev.fn[/dev.fn]* or
        # pci:vendor:device; no order means PAGE_SIZE (Documentation/admin-guide/kernel-parameters.txt,
        # drivers/pci/pci.c pci_specified_resource_alignment(), Linux 6.1)
        if r.random() < 0.15:
            dev_spec = path if path and (name not in IDS or r.random() < 0.6) else ('pci:' + IDS[name] if name in IDS else None)
            if dev_spec:
                align.append(r.choice(['', '12@', '13@', '16@']) + dev_spec)
    append = 'pci=resource_alignment=' + ';'.join(dict.fromkeys(align)) if align else ''
    hotadds = []
    if hotplug and free:
        h = random.Random('hotplug-%d' % seed)
        for k in range(min(h.randint(1, 2), len(free))):
            slot = free.pop()
            args += ['-device', 'pcie-root-port,id=hp%d,bus=pcie.0,addr=0x%x,chassis=%d,slot=%d' % (k, slot, 20 + k, 20 + k)]
            name = h.choice(HOTADD)
            opt = h.choice([o for o in DEVICES[name] if '{' not in o])
            if name in NOT_HOTPLUGGABLE:
                summary.append('(no hot-add: %s is not hot-pluggable)@hp%d(%02x)' % (name, k, slot))
                continue
            hotadds.append('device_add %s,id=h%d,bus=hp%d,addr=0x0%s' % (name, k, k, ',' + opt if opt else ''))
            summary.append('hot-add %s%s@hp%d(%02x)' % (name, '(' + opt + ')' if opt else '', k, slot))
        if hotadds:
            append = (append + ' barmap.hotplug=%d' % len(hotadds)).strip()
    print('kernel=%s' % kernel)
    print('firmware=%s' % firmware)
    print('append=%s' % append)
    print('summary=%s %s %s' % (firmware, append or '-', ' '.join(summary)))
    for a in args:
        print('qemu=%s' % a)
    for c in hotadds:
        print('hotadd=%s' % c)


if __name__ == '__main__':
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([], ['hotplug']):
        print('usage: fuzz-topology.py SEED KERNELS WORK [hotplug]', file=sys.stderr)
        sys.exit(2)
    main(int(sys.argv[1]), sys.argv[2].split(','), sys.argv[3], sys.argv[4:] == ['hotplug'])
