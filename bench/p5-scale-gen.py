#!/usr/bin/env python3
"""Writes one host of N PCI functions as `lspci -vvvnn` text (the input form barmap reads with --lspci), for
bench/p5-scale.sh. Deterministic. Every function: a 16 KiB BAR0 holding its MSI-X table (Count=8, table at 0,
PBA at 0x2000) and a 256-byte BAR2 packed 16 to a page (so pages are shared, as Linux packs small BARs); one in
eight also has an I/O BAR. Addresses are 64-bit, above 4 GiB; functions go 8 to a slot, 32 slots to a bus, 256
buses to a domain (so 100k functions use domains 0000-0001).
With --layout: instead, a guest layout file for `barmap plan --guest FILE` (barmap's own format,
'<device> <bar> <address>') placing every function's BAR0 and BAR2 at its host address (BAR2s 16 to a page,
as in the host); the I/O BARs are not listed (left unassigned)."""
import sys

n = int(sys.argv[1])
layout = "--layout" in sys.argv[2:]
out = sys.stdout
big = 0x40_0000_0000
small = 0x80_0000_0000
io = 0x1000
for i in range(n):
    dom, rest = divmod(i, 256 * 32 * 8)
    bus, rest = divmod(rest, 32 * 8)
    dev, fn = divmod(rest, 8)
    if layout:
        out.write(f"{dom:04x}:{bus:02x}:{dev:02x}.{fn} BAR0 0x{big + i * 0x4000:x}\n")
        out.write(f"{dom:04x}:{bus:02x}:{dev:02x}.{fn} BAR2 0x{small + i * 0x100:x}\n")
        continue
    out.write(f"{dom:04x}:{bus:02x}:{dev:02x}.{fn} Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3]\n")
    out.write("\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx+\n")
    out.write("\tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-\n")
    out.write(f"\tRegion 0: Memory at {big + i * 0x4000:x} (64-bit, non-prefetchable) [size=16K]\n")
    out.write(f"\tRegion 2: Memory at {small + i * 0x100:x} (64-bit, non-prefetchable) [size=256]\n")
    if i % 8 == 0 and io < 0xffe0:
        out.write(f"\tRegion 4: I/O ports at {io:x} [size=32]\n")
        io += 0x20
    out.write("\tCapabilities: [a0] MSI-X: Enable+ Count=8 Masked-\n")
    out.write("\t\tVector table: BAR=0 offset=00000000\n")
    out.write("\t\tPBA: BAR=0 offset=00002000\n")
    out.write(f"\tIOMMU group: {i}\n")
    out.write("\tKernel driver in use: vfio-pci\n\n")
