#!/usr/bin/env python3
"""Extract, from the shared real-kernel captures, what the plan needs per host BAR (one-off; output committed).

Usage: extract.py CAPTURES_DIR > hostbars.txt
Per capture: 'capture NAME pageSize=N arch=A'; per BAR of every function vfio-pci opened (expected/vfio.json):
'bar BDF INDEX START SIZE io|mem 32|64 pref|- mmap|- msixmappable|-' (hex, START from sysfs resource, SIZE and flags
from vfio.json); ROMs (index 6, never mmapped) as 'rom BDF 6 START SIZE'; 'msix BDF TABLEBAR TABLEOFF PBABAR PBAOFF
ENTRIES' from the MSI-X capability in sysfs config (x86_64 captures only; ppc64le captures have no config files).
"""
import json, os, sys

def msix(cfg):
    if len(cfg) < 64 or not (cfg[6] & 0x10):
        return None
    pos, seen = cfg[0x34] & ~3, 0
    while pos and seen < 48:
        if cfg[pos] == 0x11:
            ctrl = cfg[pos + 2] | cfg[pos + 3] << 8
            t = int.from_bytes(cfg[pos + 4:pos + 8], 'little')
            p = int.from_bytes(cfg[pos + 8:pos + 12], 'little')
            return (t & 7, t & ~7, p & 7, p & ~7, (ctrl & 0x7ff) + 1)
        pos, seen = cfg[pos + 1] & ~3, seen + 1
    return None

root = sys.argv[1]
for name in sorted(os.listdir(root)):
    cap = os.path.join(root, name)
    props = dict(l.strip().split('=', 1) for l in open(os.path.join(cap, 'capture.properties')) if '=' in l)
    print(f"capture {name} pageSize={props['pageSize']} arch={props['arch']}")
    vfio = json.load(open(os.path.join(cap, 'expected', 'vfio.json')))
    for bdf in sorted(vfio['devices']):
        ddir = os.path.join(cap, 'sys', 'bus', 'pci', 'devices', bdf)
        res = [l.split() for l in open(os.path.join(ddir, 'resource'))]
        for r in vfio['devices'][bdf]['regions']:
            i = r['index']
            if i > 6 or not r.get('size'):
                continue
            start, _, flags = (int(x, 16) for x in res[i])
            if i == 6:
                print(f"rom {bdf} 6 {start:x} {r['size']:x}")
                continue
            io = 'io' if flags & 0x100 else 'mem'
            print(f"bar {bdf} {i} {start:x} {r['size']:x} {io} {'64' if flags & 0x100000 else '32'} "
                  f"{'pref' if flags & 0x2000 else '-'} {'mmap' if 'MMAP' in r['flags'] else '-'} "
                  f"{'msixmappable' if 'MSIX_MAPPABLE' in r.get('caps', []) else '-'}")
        cfgp = os.path.join(ddir, 'config')
        if os.path.exists(cfgp):
            m = msix(open(cfgp, 'rb').read())
            if m:
                print(f"msix {bdf} {m[0]} {m[1]:x} {m[2]} {m[3]:x} {m[4]}")
