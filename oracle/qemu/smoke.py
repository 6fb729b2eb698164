#!/usr/bin/env python3
"""Smoke run of the QEMU in a tree made by oracle/qemu/setup.sh (run as root on the host):
    smoke.py ROOT VERSION
1. `chroot ROOT /usr/bin/qemu-system-x86_64 -device vfio-pci,help` lists x-msix-relocation and x-no-mmap
   (the vfio-pci properties the nested oracle's scenarios need);
2. `chroot ROOT /usr/bin/qemu-system-x86_64 -machine q35 -accel tcg -nodefaults -display none -S
   [-bios /usr/share/seabios/bios.bin] -qmp unix:/tmp/NAME,server=on,wait=off` starts (so the tree's
   firmware is found, named and by default), greets over QMP with VERSION, answers qmp_capabilities, query-version and
   human-monitor-command `info mtree -f` (a flat view of the system address space), and quits.
Prints what it saw; exit 0 when all holds, 1 otherwise."""
import json
import os
import socket
import subprocess
import sys
import time


def fail(msg):
    print(f"smoke: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def qmp(f, sock, cmd, **args):
    msg = {"execute": cmd}
    if args:
        msg["arguments"] = args
    sock.sendall(json.dumps(msg).encode() + b"\n")
    while True:  # skip asynchronous events
        line = f.readline()
        if not line:
            fail(f"QMP closed while waiting for the answer to {cmd}")
        r = json.loads(line)
        if "return" in r:
            return r["return"]
        if "error" in r:
            fail(f"QMP {cmd}: {r['error']}")


def main():
    if len(sys.argv) != 3:
        print("usage: smoke.py ROOT VERSION", file=sys.stderr)
        sys.exit(2)
    root, version = sys.argv[1], sys.argv[2]
    qemu = ["chroot", root, "/usr/bin/qemu-system-x86_64"]
    bios = "/usr/share/seabios/bios.bin"
    if not os.path.isfile(os.path.join(root, bios.lstrip("/"))):
        fail(f"no {bios} in {root}")

    out = subprocess.run(qemu + ["-device", "vfio-pci,help"], capture_output=True, text=True, timeout=60)
    props = [l.strip() for l in out.stdout.splitlines() if l.strip().startswith(("x-msix-relocation", "x-no-mmap"))]
    for p in props:
        print(f"smoke: vfio-pci property: {p}")
    for want in ("x-msix-relocation", "x-no-mmap"):
        if not any(p.startswith(want + "=") for p in props):
            fail(f"-device vfio-pci,help lists no {want} (rc {out.returncode}: {out.stderr.strip()[:200]})")

    # with the SeaBIOS image named, then with the firmware QEMU finds itself (bios-256k.bin on its firmware path)
    for firmware in (["-bios", bios], []):
        print(f"smoke: start with {' '.join(firmware) or 'the default firmware'}")
        name = f"barmap-smoke-{os.getpid()}.sock"
        host_sock = os.path.join(root, "tmp", name)
        proc = subprocess.Popen(qemu + ["-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
                                        *firmware, "-qmp", f"unix:/tmp/{name},server=on,wait=off"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 60
            while not os.path.exists(host_sock):
                if proc.poll() is not None:
                    fail(f"QEMU exited with {proc.returncode}: {proc.stdout.read().strip()[:300]}")
                if time.time() > deadline:
                    fail(f"no QMP socket {host_sock} after 60 s")
                time.sleep(0.1)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(60)
            s.connect(host_sock)
            f = s.makefile("r")
            greeting = json.loads(f.readline())["QMP"]["version"]["qemu"]
            got = f"{greeting['major']}.{greeting['minor']}.{greeting['micro']}"
            print(f"smoke: QMP greeting: QEMU {got}")
            if not got.startswith(version + "."):
                fail(f"QMP greets with QEMU {got}, not {version}")
            qmp(f, s, "qmp_capabilities")
            v = qmp(f, s, "query-version")
            print(f"smoke: query-version: {v['qemu']['major']}.{v['qemu']['minor']}.{v['qemu']['micro']} {v.get('package', '')}")
            mtree = qmp(f, s, "human-monitor-command", **{"command-line": "info mtree -f"})
            lines = mtree.splitlines()
            if not any(l.startswith("FlatView #") for l in lines) or not any("system" in l for l in lines):
                fail(f"info mtree -f has no flat view of system: {mtree[:300]}")
            print(f"smoke: info mtree -f: {len(lines)} lines, {sum(l.startswith('FlatView #') for l in lines)} flat views; "
                  f"first: {' | '.join(l.strip() for l in lines[:4])}")
            qmp(f, s, "quit")
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if os.path.exists(host_sock):
                os.unlink(host_sock)
    print(f"smoke: ok ({root}, QEMU {version})")


if __name__ == "__main__":
    main()
