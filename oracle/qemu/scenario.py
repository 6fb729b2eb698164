"""The nested QEMU oracle's scenario files and the tiny firmware that performs them.

A scenario (oracle/qemu/scenarios/NAME.scn) names the inner QEMU's PCI functions and the guest's config-space
writes, in order, with the points where the harness dumps QEMU's memory map:

    window 0xc0000000 0xc0100000      # guest-physical [lo, hi): the range the comparison looks at
    vfio 04.0 host=0000:00:03.0       # inner slot.fn <- outer host BDF, then QEMU options (x-no-mmap=on, ...)
    emulated 07.0 i6300esb            # an emulated QEMU device
    write 04.0 0x10 4 0xc0000000      # config write: slot.fn offset size(1|2|4) value
    write 04.0 0x04 2 0x0002
    dump s1                           # the harness saves s1-info-pci.txt, s1-mtree.txt, ...

The firmware is generated 16-bit real-mode machine code (no assembler needed): the CPU starts at the reset vector
(0xfffffff0 = offset 0xfff0 of the 64 KiB image), jumps to F000:0000, writes each config register through the
PCI configuration mechanism #1 ports (address to 0xcf8, data to 0xcfc + (offset & 3)), prints
"BARMAP-FW DONE <dump>" on QEMU's isa-debugcon (port 0x402) and halts with interrupts off. One image per dump
point holds the writes before it, so every dump is the state right after exactly those writes.
"""
import re
import struct
import sys

CONFIG_ADDRESS, CONFIG_DATA, DEBUGCON = 0xCF8, 0xCFC, 0x402
SIZE = 64 * 1024  # hw/i386/x86.c x86_bios_rom_init: a -bios image is a multiple of 64 KiB


class ScenarioError(Exception):
    pass


def parse(path):
    """The scenario as (window, devices, steps); steps are ('write', slot, fn, off, size, value) or ('dump', name)."""
    window, devices, steps, dumps = None, [], [], set()
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].split()
            if not line:
                continue
            where = f"{path}:{n}"
            try:
                kind = line[0]
                if kind == "window" and len(line) == 3:
                    window = (int(line[1], 16), int(line[2], 16))
                elif kind == "vfio" and len(line) >= 3 and line[2].startswith("host="):
                    devices.append(("vfio", slot(line[1]), line[2][5:], line[3:]))
                elif kind == "emulated" and len(line) >= 3:
                    devices.append(("emulated", slot(line[1]), line[2], line[3:]))
                elif kind == "write" and len(line) == 5:
                    s, fn = slot(line[1])
                    off, size, value = int(line[2], 16), int(line[3]), int(line[4], 16)
                    if size not in (1, 2, 4) or off % size or off > 0xFF or value >= 1 << (8 * size):
                        raise ValueError("bad offset, size or value")
                    steps.append(("write", s, fn, off, size, value))
                elif kind == "dump" and len(line) == 2 and re.fullmatch(r"[a-z0-9-]+", line[1]) and line[1] not in dumps:
                    dumps.add(line[1])
                    steps.append(("dump", line[1]))
                else:
                    raise ValueError("not a window, vfio, emulated, write or dump line")
            except ValueError as e:
                raise ScenarioError(f"{where}: {e}") from None
    if window is None or not dumps:
        raise ScenarioError(f"{path}: needs a window line and at least one dump line")
    return window, devices, steps


def slot(text):
    m = re.fullmatch(r"([0-9a-f]{2})\.([0-7])", text)
    if not m or int(m.group(1), 16) > 0x1F:
        raise ValueError(f"'{text}' is not a slot.fn (00.0 to 1f.7)")
    return int(m.group(1), 16), int(m.group(2))


def firmware(steps, dump):
    """The 64 KiB image that performs every write before the dump point `dump`, reports it and halts."""
    code = bytearray()
    for step in steps:
        if step == ("dump", dump):
            break
        if step[0] != "write":
            continue
        _, s, fn, off, size, value = step
        addr = 0x80000000 | (s << 11) | (fn << 8) | (off & 0xFC)
        code += b"\x66\xb8" + struct.pack("<I", addr)             # mov eax, addr
        code += b"\xba" + struct.pack("<H", CONFIG_ADDRESS)       # mov dx, 0xcf8
        code += b"\x66\xef"                                       # out dx, eax
        code += b"\xba" + struct.pack("<H", CONFIG_DATA + (off & 3))  # mov dx, 0xcfc + (off & 3)
        if size == 4:
            code += b"\x66\xb8" + struct.pack("<I", value) + b"\x66\xef"  # mov eax, v; out dx, eax
        elif size == 2:
            code += b"\xb8" + struct.pack("<H", value) + b"\xef"          # mov ax, v; out dx, ax
        else:
            code += b"\xb0" + bytes([value]) + b"\xee"                    # mov al, v; out dx, al
    else:
        raise ScenarioError(f"no dump point '{dump}'")
    code += b"\xba" + struct.pack("<H", DEBUGCON)                 # mov dx, 0x402
    for c in f"BARMAP-FW DONE {dump}\n".encode():
        code += b"\xb0" + bytes([c]) + b"\xee"                    # mov al, c; out dx, al
    code += b"\xfa\xf4\xeb\xfd"                                   # cli; hlt; jmp back to hlt
    if len(code) > 0xFFF0:
        raise ScenarioError("too many writes for one 64 KiB image")
    image = bytearray(b"\xf4" * SIZE)
    image[: len(code)] = code
    image[0xFFF0:0xFFF5] = b"\xea\x00\x00\x00\xf0"                # reset vector: jmp far F000:0000
    return bytes(image)


def dumps(steps):
    return [s[1] for s in steps if s[0] == "dump"]


if __name__ == "__main__":
    # scenario.py SCENARIO DUMP OUT: writes the firmware image for one dump point
    try:
        _, _, st = parse(sys.argv[1])
        with open(sys.argv[3], "wb") as out:
            out.write(firmware(st, sys.argv[2]))
    except ScenarioError as e:
        sys.exit(f"scenario: error: {e}")
