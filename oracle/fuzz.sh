#!/usr/bin/env bash
# Differential testing against the real kernel: random x86_64 q35 topologies, each booted once under
# QEMU TCG and compared with the model.
#   oracle/fuzz.sh --seed N --count K [--kernel 6.1|6.12|7] [--hotplug] [--no-compare]
#   oracle/fuzz.sh --compare            (only the comparison, over every result so far)
# Topology i of the batch has seed N+i (printed); `--seed S --count 1` replays it exactly (same devices,
# slots, bridges, firmware, kernel command line and, without --kernel, the same kernel generation;
# --hotplug adds one or two devices after boot, each into an empty pcie-root-port, through QEMU's
# QMP socket: replay such a seed with --hotplug too).
# The generator is oracle/fuzz-topology.py. Each guest is console-only (no 9p, no JVM, 1 vCPU, 256M,
# the kernel's vmlinux booted through its PVH note except for seeds divisible by 50):
# oracle/arm64/init binds every non-bridge function to vfio-pci and runs the static C probe
# (oracle/guest/probe.c, the same tries as the Java Probe), and oracle/arm64/console2capture.py turns
# the console into the capture layout. Results: oracle/work/fuzz/results/seed-S/{console.log,capture/,
# topology,oracle-run.properties}.
# At the end of the batch one Maven run (FuzzAgreementIT, barmap-vfio) compares every result with
# ModelOracle.predict exactly as OracleIT does (region info, every try, reservations, /proc/iomem while
# open) and writes seed-S/comparison.txt (AGREE, or the differences).
# A guest that produced no capture is an infrastructure failure: retried (BARMAP_ORACLE_RETRIES, 1),
# then recorded in seed-S.failed/ and skipped (exit 3); a disagreement is never retried (exit 1).
# Exit 2: bad arguments. Env: BARMAP_ORACLE_FUZZ_RESULTS (another results directory),
# BARMAP_ORACLE_STALL (console silence that means a stalled guest, 180 s), BARMAP_ORACLE_TIMEOUT (600 s),
# BARMAP_ORACLE_FUZZ_PVH (0|1: the bzImage or PVH for every seed). Run it under nice on a shared
# machine: nice -n 10 oracle/fuzz.sh ...
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$ORACLE_DIR/kernel.sh"
SEED=""; COUNT=1; KERNELS=6.1,6.12,7; COMPARE=1; BOOT=1; HOTPLUG=()
usage() { echo "usage: oracle/fuzz.sh --seed N --count K [--kernel 6.1|6.12|7] [--hotplug] [--no-compare] | --compare" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in --seed|--count|--kernel) [ $# -ge 2 ] || usage;; esac
  case "$1" in
    --seed) SEED=${2:-}; shift 2;;
    --count) COUNT=${2:-}; shift 2;;
    --kernel) KERNELS=${2:-}; shift 2;;
    --no-compare) COMPARE=0; shift;;
    --hotplug) HOTPLUG=(hotplug); shift;;
    --compare) BOOT=0; shift;;
    *) usage;;
  esac
done
F=$WORK/fuzz
RES=${BARMAP_ORACLE_FUZZ_RESULTS:-$F/results}
NOCAPTURE=0
mkdir -p "$RES"

if [ "$BOOT" = 1 ]; then
  [[ "$SEED" =~ ^[0-9]+$ ]] && [[ "$COUNT" =~ ^[0-9]+$ ]] && [[ "$KERNELS" =~ ^(6\.1|6\.12|7)(,(6\.1|6\.12|7))*$ ]] || usage
  [ "$(id -u)" = 0 ] || die "run as root (apt-get, the kernel cache)"
  # each kernel generation once: the kernel (oracle/setup.sh, cached) and the console guest's initramfs
  gcc -O2 -Wall -static -o "$F/probe.new" "$ORACLE_DIR/guest/probe.c"
  if cmp -s "$F/probe.new" "$F/probe"; then rm "$F/probe.new"; else mv "$F/probe.new" "$F/probe"; fi
  for k in ${KERNELS//,/ }; do
    [ -f "$WORK/kernel-release-$k" ] || "$ORACLE_DIR/setup.sh" "$k" >&2
    kv=$(cat "$WORK/kernel-release-$k")
    [ "$F/initrd-$kv.cpio.gz" -nt "$ORACLE_DIR/arm64/init" ] && [ "$F/initrd-$kv.cpio.gz" -nt "$F/probe" ] \
      || console_initramfs "$CACHE/$kv" "$kv" /bin/busybox "$F/probe" "$F/initrd-$kv.cpio.gz"
  done
  STALL=${BARMAP_ORACLE_STALL:-180}
  TIMEOUT=${BARMAP_ORACLE_TIMEOUT:-600}
  RETRIES=${BARMAP_ORACLE_RETRIES:-1}
  QEMU_VERSION=$(qemu-system-x86_64 --version | head -1)
  # the topology's device_add commands through QEMU's QMP socket; QEMU's answers in OUT/hotadd.log
  hotadd() {
    sed -n 's/^hotadd=device_add //p' <<< "$TOPO" | "$PY" -c 'import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10); f = s.makefile("rw")
def cmd(c, **a):
    f.write(json.dumps(dict(execute=c, arguments=a)) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            print(c, a, "->", r); return r
print(f.readline().strip())
cmd("qmp_capabilities")
ok = True
for line in sys.stdin.read().splitlines():
    driver, *opts = line.split(",")
    ok &= "return" in cmd("device_add", driver=driver, **dict(o.split("=", 1) for o in opts))
sys.exit(0 if ok else 1)' "$OUT/qmp.sock" > "$OUT/hotadd.log" 2>&1 || log "fuzz: seed $S: QEMU did not take every hot-add (see $OUT/hotadd.log)"
  }
  for ((i = 0; i < COUNT; i++)); do
    S=$((SEED + i))
    TOPO=$("$PY" "$ORACLE_DIR/fuzz-topology.py" "$S" "$KERNELS" "$WORK" "${HOTPLUG[@]}")
    KSPEC=$(sed -n 's/^kernel=//p' <<< "$TOPO")
    KVER=$(cat "$WORK/kernel-release-$KSPEC"); KDIR=$CACHE/$KVER
    BIOS=(); [ "$(sed -n 's/^firmware=//p' <<< "$TOPO")" = qboot ] && BIOS=(-bios /usr/share/qemu/qboot.rom)
    mapfile -t DEV < <(sed -n 's/^qemu=//p' <<< "$TOPO")
    KIMG=$KDIR/boot/vmlinuz-$KVER
    # PVH: QEMU loads the ELF vmlinux (the bzImage's payload) and enters it at its PVH note after the
    # firmware ran as usual, so the kernel is not decompressed under TCG (a guest in 6-8 s instead of
    # 20-30 s; the PCI layout is the same, the e820 map below 1M differs); seeds divisible by 50 boot the
    # bzImage (BARMAP_ORACLE_FUZZ_PVH=0|1 forces one way; oracle-run.properties records boot=)
    PVH=${BARMAP_ORACLE_FUZZ_PVH:-$([ $((S % 50)) = 0 ] && echo 0 || echo 1)}
    if [ "$PVH" = 1 ]; then
      KIMG=$F/vmlinux-$KVER
      [ -f "$KIMG" ] || kernel_vmlinux "$KDIR/boot/vmlinuz-$KVER" "$KIMG"
    fi
    # hot-adds: QEMU's monitor on a socket; console_attempt sends the device_adds once the guest waits
    MON=(-monitor none); CONSOLE_HOOK_WAIT=""
    if grep -q '^hotadd=' <<< "$TOPO"; then
      MON=(-monitor none -qmp "unix:$RES/seed-$S/qmp.sock,server=on,wait=off")
      CONSOLE_HOOK_WAIT="ORACLE: waiting for hot-add" CONSOLE_HOOK=hotadd
    fi
    CMD=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m 256M "${BIOS[@]}"
      -nodefaults -display none -no-reboot -serial stdio "${MON[@]}" -device intel-iommu
      -kernel "$KIMG" -initrd "$F/initrd-$KVER.cpio.gz"
      -append "console=ttyS0 intel_iommu=on panic=1 loglevel=4 $TCG_ARGS $(sed -n 's/^append=//p' <<< "$TOPO")"
      "${DEV[@]}")
    log "fuzz: seed $S on $KVER: $(sed -n 's/^summary=//p' <<< "$TOPO")"
    OUT=$RES/seed-$S SCEN=fuzz-seed-$S
    rm -rf "$OUT.failed"
    failures=()
    for ((a = 1; a <= RETRIES + 1; a++)); do
      if CONSOLE_DEFER=1 console_attempt; then
        echo "$TOPO" > "$OUT/topology"
        run_properties "$a" arch=x86_64 "seed=$S" "hotplug=${#HOTPLUG[@]}" "boot=$([ "$PVH" = 1 ] && echo pvh || echo bzimage)" > "$OUT/oracle-run.properties"
        log "fuzz: seed $S: guest ran ${SECS}s, attempt $a"
        # the console becomes a capture while the next guest boots; a console that does not parse is an
        # infrastructure failure too (not retried: the same console would not parse either)
        ( console_capture "$OUT" || { log "fuzz: INFRASTRUCTURE FAILURE: seed $S: no capture from the console: $(cat "$OUT/console2capture.err")"
          mkdir -p "$OUT.failed" && cp "$OUT/console.log" "$OUT.failed/console-unparsed.log" && cp "$OUT/topology" "$OUT.failed/" && rm -rf "$OUT"; } ) &
        break
      fi
      failures+=("$FAIL")
      log "fuzz: INFRASTRUCTURE FAILURE: seed $S attempt $a after ${SECS}s: $FAIL"
      mkdir -p "$OUT.failed" && cp "$OUT/console.log" "$OUT.failed/console-attempt$a.log"
      echo "$TOPO" > "$OUT.failed/topology"
      rm -rf "$OUT"
    done
  done
  wait
  for ((i = 0; i < COUNT; i++)); do [ -d "$RES/seed-$((SEED + i))/capture" ] || NOCAPTURE=$((NOCAPTURE + 1)); done
fi

# exit 3: a topology never produced a capture (an infrastructure failure, not a disagreement)
[ "$COMPARE" = 1 ] || { [ "$NOCAPTURE" = 0 ] || exit 3; exit 0; }
. "$REPO/scripts/jdk.sh"
export JAVA_HOME="$BARMAP_JAVA_HOME"
log "fuzz: comparing every result under $RES with the model (FuzzAgreementIT)"
rc=0
# -am: the model comes from this checkout's reactor, never from another checkout's snapshot in ~/.m2
(cd "$REPO" && mvn -B -ntp -q -Dstyle.color=never -Poracle -pl barmap-vfio -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=FuzzAgreementIT -Dfailsafe.failIfNoSpecifiedTests=false -Dbarmap.oracle.fuzz="$RES") >"$F/compare.log" 2>&1 || rc=$?
agree=$( (grep -lx AGREE "$RES"/seed-*/comparison.txt 2>/dev/null || true) | wc -l)
disagree=$( (grep -Lx AGREE "$RES"/seed-*/comparison.txt 2>/dev/null || true) | wc -l)
infra=0
for f in "$RES"/seed-*.failed; do [ -d "$f" ] && [ ! -d "${f%.failed}/capture" ] && infra=$((infra + 1)); done
log "fuzz: $((agree + disagree)) topologies booted and compared: $agree agree, $disagree disagree; $infra never produced a capture"
if [ "$disagree" -gt 0 ]; then
  for c in $(grep -Lx AGREE "$RES"/seed-*/comparison.txt || true); do
    echo "oracle: fuzz: DISAGREEMENT $(basename "$(dirname "$c")"):" >&2; sed 's/^/  /' "$c" | head -20 >&2
  done
  exit 1
fi
[ "$rc" = 0 ] || { tail -40 "$F/compare.log" >&2; die "the comparison run failed (see $F/compare.log)"; }
[ "$NOCAPTURE" = 0 ] || { log "fuzz: INFRASTRUCTURE FAILURE: $NOCAPTURE topologies of this batch never produced a capture"; exit 3; }
