"""Runs in the outer oracle guest (chroot into the host's root): every scenario in turn, one inner QEMU per dump
point, and saves what that QEMU says about its memory map.

    inner.py --scenarios DIR --out DIR [--qemu-root TREE] [--jar JAR --java JAVA_HOME] [--timeout S]

For each scenario NAME.scn and each of its dump points D, in OUT/NAME/: scenario.scn, inner-cmd.txt,
qemu-version.txt, D-info-pci.txt, D-mtree.txt, D-mtree-f.txt (human-monitor-command over QMP), D-stderr.txt
(the inner QEMU's stderr while it ran up to the dump), and D-inspect.json (`barmap inspect --qmp` run live against
the same QEMU, when --jar is given; D-inspect-error.txt when barmap failed). OUT/NAME/FAILED holds the reason when a step failed. --qemu-root runs QEMU
in a separate root tree (oracle/qemu/setup.sh: the Debian packages of another QEMU version), chrooted, with /dev,
/proc, /sys and /tmp bound into it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmp  # noqa: E402
import scenario  # noqa: E402


def log(msg):
    print(f"NESTED: {msg}", flush=True)


def bind_tree(tree):
    for d in ("dev", "proc", "sys", "tmp"):
        target = os.path.join(tree, d)
        if not os.path.ismount(target):
            subprocess.run(["mount", "--rbind", "/" + d, target], check=True)


def qemu_cmd(args):
    return (["chroot", args.qemu_root] if args.qemu_root else []) + ["/usr/bin/qemu-system-x86_64"]


def device_args(devices):
    out = []
    for kind, (s, fn), what, opts in devices:
        addr = f"addr=0x{s:x}" + (f".{fn}" if fn else "")
        if kind == "vfio":
            out += ["-device", ",".join(["vfio-pci", f"host={what}", addr] + opts)]
        else:
            out += ["-device", ",".join([what, addr] + opts)]
    return out


def run_dump(args, name, steps, devices, dump, work, out):
    fw = os.path.join(work, "fw.bin")
    with open(fw, "wb") as f:
        f.write(scenario.firmware(steps, dump))
    sock, dbg, err = (os.path.join(work, x) for x in ("qmp.sock", "debugcon.log", "stderr.log"))
    for p in (sock, dbg):
        if os.path.exists(p):
            os.unlink(p)
    cmd = qemu_cmd(args) + ["-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-m", "128M",
                            "-bios", fw, "-chardev", f"file,id=dbg,path={dbg}",
                            "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
                            "-qmp", f"unix:{sock},server=on,wait=off"] + device_args(devices)
    with open(os.path.join(out, "inner-cmd.txt"), "w") as f:
        f.write(" ".join(cmd[cmd.index("/usr/bin/qemu-system-x86_64"):]).replace(work + "/", "") + "\n")
    t0 = time.monotonic()
    with open(err, "w") as errf:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=errf, stderr=subprocess.STDOUT)
    try:
        deadline = t0 + args.timeout
        while not (os.path.exists(dbg) and f"BARMAP-FW DONE {dump}" in open(dbg, errors="replace").read()):
            if proc.poll() is not None:
                raise RuntimeError(f"inner QEMU exited with {proc.returncode} before the firmware finished: "
                                   + open(err, errors="replace").read().strip()[-400:])
            if time.monotonic() > deadline:
                raise RuntimeError(f"the firmware did not finish within {args.timeout}s")
            time.sleep(0.2)
        q = qmp.Qmp(sock)
        for cmdline, suffix in (("info pci", "info-pci"), ("info mtree", "mtree"), ("info mtree -f", "mtree-f")):
            with open(os.path.join(out, f"{dump}-{suffix}.txt"), "w") as f:
                f.write(q.hmp(cmdline))
        q.close()
        if args.jar:
            # barmap's own reading of the live QEMU; when it fails, that is barmap's fault, not the oracle's: the
            # error is kept as D-inspect-error.txt (InspectAgreementTest fails on it) and the runs go on
            t1 = time.monotonic()
            r = subprocess.run([os.path.join(args.java, "bin", "java"), "-Xint", "-XX:+UseSerialGC",
                                "-XX:-UsePerfData", "-jar", args.jar, "inspect", "--qmp", sock,
                                "--qmp-timeout", "120", "--format", "json"], capture_output=True, text=True)
            if r.returncode == 0:
                with open(os.path.join(out, f"{dump}-inspect.json"), "w") as f:
                    f.write(r.stdout)
            else:
                with open(os.path.join(out, f"{dump}-inspect-error.txt"), "w") as f:
                    f.write(f"exit {r.returncode}\n{r.stderr}")
                log(f"{name}/{dump}: barmap inspect --qmp exited {r.returncode}: {r.stderr.strip()[-300:]}")
            log(f"{name}/{dump}: inspect --qmp took {time.monotonic() - t1:.1f}s")
        q = qmp.Qmp(sock)
        try:
            q.command("quit")
        except ConnectionError:
            pass
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shutil.copy(err, os.path.join(out, f"{dump}-stderr.txt"))
    log(f"{name}/{dump}: done in {time.monotonic() - t0:.1f}s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--qemu-root")
    ap.add_argument("--jar")
    ap.add_argument("--java")
    ap.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    if args.qemu_root:
        bind_tree(args.qemu_root)
    version = subprocess.run(qemu_cmd(args) + ["--version"], capture_output=True, text=True).stdout.splitlines()
    log(f"inner QEMU: {version[0] if version else 'did not start'}")
    work = "/tmp/nested-work"
    os.makedirs(work, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    failed = 0
    for fname in sorted(os.listdir(args.scenarios)):
        if not fname.endswith(".scn") or (only and fname[:-4] not in only):
            continue
        name = fname[:-4]
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        src = os.path.join(args.scenarios, fname)
        shutil.copy(src, os.path.join(out, "scenario.scn"))
        with open(os.path.join(out, "qemu-version.txt"), "w") as f:
            f.write("\n".join(version) + "\n")
        try:
            _, devices, steps = scenario.parse(src)
            for d in scenario.dumps(steps):
                run_dump(args, name, steps, devices, d, work, out)
        except Exception as e:  # one scenario's failure is recorded and the next one runs
            failed += 1
            with open(os.path.join(out, "FAILED"), "w") as f:
                f.write(f"{type(e).__name__}: {e}\n")
            log(f"{name}: FAILED: {e}")
    log(f"all scenarios ran, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
