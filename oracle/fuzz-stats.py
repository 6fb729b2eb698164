#!/usr/bin/env python3
"""What the random topologies of oracle/fuzz.sh covered: counts over every results/seed-S directory.

Usage: fuzz-stats.py RESULTS_DIR
Reads each seed-S/{topology,oracle-run.properties,comparison.txt,capture/expected/vfio.json} and prints
one line per fact: seeds booted, compared, agreeing; kernels, firmware, boot paths; bridges, hot-adds,
pci=resource_alignment; functions opened, sub-page BARs (mmappable or trapped), vfio sub-page reserved
dummies, MSIX_MAPPABLE regions; and the seeds of every result that disagreed or never produced a capture."""
import collections
import glob
import json
import os
import sys


def props(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            if '=' in line:
                k, v = line.rstrip('\n').split('=', 1)
                d[k] = v
    return d


def main(res):
    c = collections.Counter()
    kernels, firmware, boots = collections.Counter(), collections.Counter(), collections.Counter()
    disagree, seeds = [], []
    for d in sorted(glob.glob(os.path.join(res, 'seed-*'))):
        name = os.path.basename(d)
        if name.endswith('.failed'):
            if not os.path.isdir(d[:-len('.failed')]):
                c['never produced a capture'] += 1
                disagree.append(name)
            continue
        if not os.path.exists(os.path.join(d, 'capture/expected/vfio.json')):
            continue
        seeds.append(int(name[5:]))
        c['booted'] += 1
        run = props(os.path.join(d, 'oracle-run.properties'))
        topo = props(os.path.join(d, 'topology'))
        kernels[run.get('kernel.release', '?')] += 1
        firmware[topo.get('firmware', '?')] += 1
        boots[run.get('boot', 'bzimage')] += 1
        if int(run.get('attempts', '1')) > 1:
            c['needed a retry'] += 1
        cmp_ = os.path.join(d, 'comparison.txt')
        if os.path.exists(cmp_):
            c['compared'] += 1
            if open(cmp_).read().strip() == 'AGREE':
                c['agree'] += 1
            else:
                disagree.append(name)
        summary = topo.get('summary', '')
        c['with a pci-bridge'] += 'pci-bridge' in summary
        c['with a pcie-root-port'] += 'pcie-root-port' in summary
        c['with pci=resource_alignment'] += 'resource_alignment' in topo.get('append', '')
        con = open(os.path.join(d, 'console.log'), errors='replace').read()
        if 'barmap.hotplug=' in topo.get('append', ''):
            c['with hot-adds'] += 1
            for line in con.splitlines():
                if line.startswith('ORACLE: hot-add: '):
                    got, want = line.split()[2], line.split()[4]
                    c['hot-added functions arrived'] += int(got)
                    c['hot-added functions asked for'] += int(want)
        vfio = json.load(open(os.path.join(d, 'capture/expected/vfio.json')))
        page = vfio['pageSize']
        c['functions opened'] += len(vfio['devices'])
        c['vfio sub-page reserved dummies'] += len(vfio['subPageReserved'])
        for dev in vfio['devices'].values():
            for r in dev['regions']:
                if 'error' in r or r['index'] > 5 or not r['size']:
                    continue
                if 'MSIX_MAPPABLE' in r['caps']:
                    c['MSIX_MAPPABLE BARs'] += 1
                if r['size'] < page and 'WRITE' in r['flags']:
                    c['sub-page BARs (mem or io)'] += 1
                    c['sub-page BARs mmappable' if 'MMAP' in r['flags'] else 'sub-page BARs not mmappable'] += 1
                c['tries'] += len(r.get('tries', []))
    if seeds:
        print('seeds: %d..%d (%d distinct)' % (min(seeds), max(seeds), len(set(seeds))))
    for k in ('booted', 'compared', 'agree', 'needed a retry', 'never produced a capture', 'with a pci-bridge',
              'with a pcie-root-port', 'with pci=resource_alignment', 'with hot-adds', 'hot-added functions asked for',
              'hot-added functions arrived', 'functions opened', 'tries', 'sub-page BARs (mem or io)',
              'sub-page BARs mmappable', 'sub-page BARs not mmappable', 'vfio sub-page reserved dummies',
              'MSIX_MAPPABLE BARs'):
        print('%s: %d' % (k, c[k]))
    print('kernels: ' + ', '.join('%s %d' % kv for kv in sorted(kernels.items())))
    print('firmware: ' + ', '.join('%s %d' % kv for kv in sorted(firmware.items())))
    print('boot: ' + ', '.join('%s %d' % kv for kv in sorted(boots.items())))
    print('disagreed or never captured: ' + (' '.join(disagree) or 'none'))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: fuzz-stats.py RESULTS_DIR', file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
