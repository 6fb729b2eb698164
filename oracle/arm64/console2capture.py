#!/usr/bin/env python3
"""Turn the serial console of the aarch64 oracle guest (oracle/arm64/init) into a capture directory.

Usage: console2capture.py CONSOLE_LOG OUTDIR

Adapted from the shared recipe's oracle2capture.py (shared/oracle/recipe/oracle2capture.py): the same
parsing of the reference probe's output into expected/vfio.json; added here: the arch from the guest's
`uname -m`, every function's config space and driver link, and failing loudly (exit 2, one line naming
the log) on a log that is not a complete run, leaving nothing half-written.

OUTDIR gets the guest as CaptureWriter (barmap capture) writes a host: proc/iomem and every PCI
function's sysfs files with devices bound to vfio-pci, capture.properties, and under expected/ what the
real kernel answered when every bound function was opened (vfio.json, iomem-open), plus console.log."""
import json, os, re, shutil, sys


def fail(log, msg):
    print('console2capture: error: %s: %s' % (log, msg), file=sys.stderr)
    sys.exit(2)


# lines that may land anywhere on the console, between the lines of a dump: init's heartbeat and
# kernel messages (loglevel=4: warnings and worse)
NOISE = re.compile(r'^(ORACLE: alive at [0-9.]+s|\[ *[0-9]+\.[0-9]+\] .*)$')


def build(log, raw, out):
    raw = raw.replace('\r', '')
    txt = '\n'.join(l for l in raw.split('\n') if not NOISE.match(l))
    def need(pat):
        m = re.search(pat, txt)
        if not m:
            fail(log, 'not a complete oracle run: no line matching %r' % pat)
        return m
    need(r'ORACLE: ===== DONE')
    need(r'=== end ===')
    kernel = need(r'ORACLE: kernel (\S+) machine (\S+)').group(1)
    arch = need(r'ORACLE: kernel (\S+) machine (\S+)').group(2)
    cmdline = need(r'ORACLE: cmdline: (.*)').group(1).strip()
    page = int(need(r'probe: page size (\d+)').group(1))
    final = txt.split('----- PCI devices (final layout) -----')[1].split('ORACLE: -----')[0]
    iomem = txt.split('----- /proc/iomem before vfio -----\n')[1].split('ORACLE: -----')[0]
    os.makedirs(out + '/proc')
    open(out + '/proc/iomem', 'w').write(iomem)
    devs = {}
    cur = None
    for line in final.splitlines():
        m = re.match(r'ORACLE: dev (\S+) vendor=(\S+) device=(\S+) class=(\S+) driver=(\S+) iommu_group=(\S+)', line)
        if m:
            cur = m.group(1)
            devs[cur] = dict(vendor=m.group(2), device=m.group(3), cls=m.group(4), driver=m.group(5),
                             group=m.group(6), res={}, config='')
            continue
        m = re.match(r'ORACLE:\s+res\[(\d+)\] (\S+) (\S+) (\S+)', line)
        if m:
            devs[cur]['res'][int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
            continue
        m = re.match(r'ORACLE:\s+config (\S*)', line)
        if m:
            devs[cur]['config'] = m.group(1)
    if not devs:
        fail(log, 'no PCI functions listed')
    for bdf, d in devs.items():
        p = '%s/sys/bus/pci/devices/%s' % (out, bdf)
        os.makedirs(p)
        for k, f in (('vendor', 'vendor'), ('device', 'device'), ('cls', 'class')):
            open(p + '/' + f, 'w').write(d[k] + '\n')
        if len(d['res']) not in (13, 17):
            fail(log, '%s: %d resource lines (a sysfs resource file has 13, or 17 with SR-IOV)' % (bdf, len(d['res'])))
        open(p + '/resource', 'w').write(''.join('%s %s %s\n' % d['res'][i] for i in range(len(d['res']))))
        if len(d['config']) not in (512, 8192):
            fail(log, '%s: config space of %d hex digits (256 or 4096 bytes expected)' % (bdf, len(d['config'])))
        open(p + '/config', 'wb').write(bytes.fromhex(d['config']))
        if d['group'] != '-':
            os.symlink('../../../../kernel/iommu_groups/' + d['group'], p + '/iommu_group')
        if d['driver'] != '-':
            os.symlink('../../../../bus/pci/drivers/' + d['driver'], p + '/driver')
    open(out + '/capture.properties', 'w').write(
        'pageSize=%d\nkernelRelease=%s\narch=%s\ncmdline=%s\n' % (page, kernel, arch, cmdline))
    # what the real kernel answered (parsing as in oracle2capture.py)
    exp = {'kernelRelease': kernel, 'pageSize': page, 'devices': {}}
    for blk in txt.split('=== DEVICE ')[1:]:
        bdf = blk.split(' ===')[0]
        if 'ERROR' in blk.split('REGION')[0]:
            fail(log, '%s: the probe could not open it: %s' % (bdf, re.search(r'ERROR[^\n]*', blk).group(0)))
        regions = []
        for reg in re.finditer(r'REGION (\d) \((\w+)\): (?:size=0x([0-9a-f]+) offset=0x([0-9a-f]+) flags=0x([0-9a-f]+) \[([^\]]*)\][^\n]*|GET_REGION_INFO FAIL errno=(\d+)[^\n]*)(.*?)(?=\n  REGION|\n  /proc|\Z)', blk, re.S):
            idx, name, size, off, flags, fl, err, rest = reg.groups()
            r = {'index': int(idx), 'name': name}
            if err:
                r['error'] = int(err)
            else:
                r.update(size=int(size, 16), offset=int(off, 16), flags=fl.split())
                r['caps'] = re.findall(r'cap id=\d+ version=\d+ next=\S+ (\S+)', rest)
                tries = []
                for m in re.finditer(r'(mmap|pread4) ([^\n]*?)\s+(?:len=0x([0-9a-f]+) )?off=0x([0-9a-f]+) -> (OK|FAIL errno=(\d+)|4 bytes val=0x([0-9a-f]+))', rest):
                    op, what, ln, o, res, errno, val = m.groups()
                    t = {'op': op, 'what': what.strip(), 'offset': int(o, 16) - int(off, 16)}
                    if ln: t['length'] = int(ln, 16)
                    t['ok'] = errno is None
                    if errno: t['errno'] = int(errno)
                    if val: t['value'] = int(val, 16)
                    tries.append(t)
                r['tries'] = tries
            regions.append(r)
        if not regions:
            fail(log, '%s: the probe printed no regions' % bdf)
        exp['devices'][bdf] = {'regions': regions}
    opened = txt.split('/proc/iomem WHILE ALL')[1].split('\n', 1)[1].split('===')[0]
    exp['subPageReserved'] = [[int(a, 16), int(b, 16)] for a, b in re.findall(r'([0-9a-f]+)-([0-9a-f]+) : vfio sub-page reserved', opened)]
    os.makedirs(out + '/expected')
    json.dump(exp, open(out + '/expected/vfio.json', 'w'), indent=1)
    open(out + '/expected/iomem-open', 'w').write(''.join(l[2:] + '\n' for l in opened.rstrip('\n').split('\n')))
    open(out + '/console.log', 'w').write(raw)


def main(log, out):
    try:
        txt = open(log, errors='replace').read()
    except OSError as e:
        fail(log, e.strerror)
    if os.path.lexists(out):
        fail(out, 'exists: refusing to overwrite a capture')
    tmp = os.path.join(os.path.dirname(os.path.abspath(out)), '.%s.tmp-%d' % (os.path.basename(out), os.getpid()))
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        build(log, txt, tmp)
        os.rename(tmp, out)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as e:
        fail(log, 'malformed oracle console: %s: %s' % (type(e).__name__, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        print('usage: console2capture.py CONSOLE_LOG OUTDIR', file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
