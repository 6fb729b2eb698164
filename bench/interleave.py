#!/usr/bin/env python3
"""Runs commands interleaved (round-robin, one run of each per round) and reports medians of wall time,
CPU time (user + system, from wait4's rusage) and peak RSS (ru_maxrss), each also as a ratio to the first
command. Interleaving spreads the load of other processes on a shared machine evenly over the commands.

usage: interleave.py ROUNDS WARMUP NAME=COMMAND [NAME=COMMAND ...]
COMMAND is split on spaces (no shell); output goes to /dev/null; a non-zero exit is an error."""
import os, shlex, statistics, subprocess, sys, time


def run(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):  # 1: a finding (plan, audit)
        sys.exit(f"interleave.py: {' '.join(argv)} exited {p.returncode}: {err.strip()[:300]}")
    return wall * 1000, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, warmup = int(sys.argv[1]), int(sys.argv[2])
    cmds = [a.split("=", 1) for a in sys.argv[3:]]
    samples = {name: [] for name, _ in cmds}
    for r in range(warmup + rounds):
        for name, cmd in cmds:
            s = run(shlex.split(cmd))
            if r >= warmup:
                samples[name].append(s)
    med = {n: [statistics.median(x[i] for x in v) for i in range(3)] for n, v in samples.items()}
    ref = cmds[0][0]
    w = max(len(n) for n in med)
    print(f"| {'command':{w}} | wall ms | CPU ms | peak RSS MiB | wall / {ref} | CPU / {ref} | RSS / {ref} |")
    print(f"|{'-' * (w + 2)}|--------:|-------:|-------------:|---:|---:|---:|")
    for n, (wall, cpu, rss) in med.items():
        rw, rc, rr = wall / med[ref][0], cpu / med[ref][1], rss / med[ref][2]
        print(f"| {n:{w}} | {wall:7.1f} | {cpu:6.1f} | {rss:12.1f} | {rw:.2f} | {rc:.2f} | {rr:.2f} |")
    print(f"\n(medians of {rounds} interleaved rounds after {warmup} warm-up rounds)")


if __name__ == "__main__":
    main()
