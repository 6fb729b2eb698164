#!/usr/bin/env bash
# Boots one oracle scenario under QEMU TCG and brings its results back:
#   oracle/boot.sh SCENARIO [RESULTS_DIR]
# SCENARIO: firmware-padded (SeaBIOS pads small BARs to 4K), linux-packed (qboot: Linux assigns and packs
# the BARs), msix-firmware-padded (SeaBIOS; nvme, e1000e, virtio-net: MSI-X tables in mmappable BARs).
# The device sets are those of the shared captures x86_64-4k-<SCENARIO> (recipe/x86_64/run.sh), plus two
# virtio-9p-pci functions at 00:1d.0 (host root, read-only) and 00:1e.0 (results, writable) that stay
# with virtio-pci. Results: RESULTS_DIR (default oracle/work/results/SCENARIO): capture/ (written in the
# guest by `barmap capture --probe`), selftest.properties, bench-*.properties, console.log, and
# oracle-run.properties (kernel package and version, QEMU version, attempts and each infrastructure failure).
# Env: BARMAP_ORACLE_KERNEL (6.1, 6.12, 7: the generation setup.sh fetched), BARMAP_ORACLE_STALL (seconds
# without console output that mean a stalled guest once /init runs, 240; BARMAP_ORACLE_BOOT_STALL before
# it, 900), BARMAP_ORACLE_TIMEOUT (last-resort cap, 1800),
# BARMAP_ORACLE_RETRIES (retries of a guest that did not finish, 2). Exit 3: no complete capture after retries.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$ORACLE_DIR/kernel.sh"
SCEN=${1:?usage: boot.sh SCENARIO [RESULTS_DIR]}
OUT=${2:-$WORK/results/$SCEN}
JAVA_HOME_GUEST=${BARMAP_GUEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64}
KSPEC=${BARMAP_ORACLE_KERNEL:-6.1}
KVER=$(cat "$WORK/kernel-release-$KSPEC" 2>/dev/null) || die "no $KSPEC kernel: run oracle/setup.sh $KSPEC first"
KDIR=$CACHE/$KVER
KERNEL=$KDIR/boot/vmlinuz-$KVER
INITRD=$WORK/initrd-$KVER.cpio.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || die "no kernel $KERNEL or initramfs $INITRD: run oracle/setup.sh $KSPEC"
[ -f "$JAR" ] || die "no $JAR: build it (mvn -pl barmap-cli -am install -DskipTests)"
[ -x "$JAVA_HOME_GUEST/bin/java" ] || die "no JDK at $JAVA_HOME_GUEST (the guest runs the host's JDK over 9p)"

BIOS=(); BENCH=""; SELFTEST=0; DRIVER=0; CYCLES=${BARMAP_ORACLE_CYCLES:-1000}
# the edu driver's lifecycle cycles, and how often (and with which extra JVM options, comma-separated) the
# Java benchmark runs: oracle/bench.sh BARMAP_ORACLE_BENCH_RUNS=30 for the crash hunt (BENCHMARKS.md)
DCYCLES=${BARMAP_ORACLE_DRIVER_CYCLES:-500}; BENCHRUNS=${BARMAP_ORACLE_BENCH_RUNS:-1}; BENCHOPTS=${BARMAP_ORACLE_BENCH_OPTS:-}
# BARMAP_ORACLE_CAPTURE=0 / BARMAP_ORACLE_SELFTEST=0 / BARMAP_ORACLE_DRIVER=0: leave those steps out (for benchmark-only boots)
CAPTURE=${BARMAP_ORACLE_CAPTURE:-1}
case "$SCEN" in
  firmware-padded|linux-packed)
    [ "$SCEN" = linux-packed ] && BIOS=(-bios /usr/share/qemu/qboot.rom)
    DEV=(-object memory-backend-ram,id=shm0,size=1M,share=on
      -device rtl8139,addr=0x3,romfile="$WORK/rom2k.bin"
      -device pcnet,addr=0x4,romfile=
      -device i6300esb,addr=0x5
      -device pci-ohci,addr=0x6
      -device sdhci-pci,addr=0x7
      -device lsi53c895a,addr=0x8
      -device pci-testdev,addr=0x9
      -device tulip,addr=0xa,romfile=
      -device tpci200,addr=0xb
      -device ivshmem-plain,addr=0xc,memdev=shm0
      -device edu,addr=0xd
      -device pvpanic-pci,addr=0xe
      -device virtio-rng-pci,addr=0xf)
    # selftest and benchmark once, where SeaBIOS makes the sub-page BARs mmappable; the benchmark reads
    # the i6300esb's 16-byte BAR0 (watchdog registers: reading them has no side effect)
    [ "$SCEN" = firmware-padded ] && { SELFTEST=1; DRIVER=1; BENCH=0000:00:05.0:0; };;
  msix-firmware-padded)
    DEV=(-drive if=none,id=nvm0,format=raw,file="$WORK/nvme.img",readonly=on
      -device nvme,addr=0x3,serial=deadbeef,drive=nvm0
      -device e1000e,addr=0x4,romfile= -device virtio-net-pci,addr=0x5,romfile=,disable-legacy=on
      -device i6300esb,addr=0x6 -device pci-ohci,addr=0x7 -device ich9-intel-hda,addr=0x8);;
  qemu-nested)
    # the nested QEMU oracle (oracle/qemu/run.sh): Linux assigns (qboot). A 16-byte or 256-byte BAR alone behind
    # its own pci-bridge sits at the start of the bridge's 1 MiB window with the rest of its page free, so the
    # kernel lets it be mmapped (sub-page); 06.0 and 07.0 share one page (not mmappable); 08.0-0a.0 have MSI-X.
    # The guest captures this host, then runs oracle/qemu/inner.py: an inner QEMU passes the functions through.
    BIOS=(-bios /usr/share/qemu/qboot.rom)
    QEMUVER=${BARMAP_ORACLE_QEMU:-7.2}
    QEMUROOT=$("$ORACLE_DIR/qemu/setup.sh" "$QEMUVER") || die "no QEMU $QEMUVER tree (oracle/qemu/setup.sh $QEMUVER)"
    [ "$QEMUROOT" = / ] && QEMUROOT=""
    EXTRA_APPEND="barmap.nested=$ORACLE_DIR/qemu"
    [ -n "$QEMUROOT" ] && EXTRA_APPEND="$EXTRA_APPEND barmap.qemuroot=$QEMUROOT"
    [ -n "${BARMAP_ORACLE_NESTED_ONLY:-}" ] && EXTRA_APPEND="$EXTRA_APPEND barmap.nestedonly=$BARMAP_ORACLE_NESTED_ONLY"
    DEV=(-drive if=none,id=nvm0,format=raw,file="$WORK/nvme.img",readonly=on
      -device pci-bridge,id=br1,chassis_nr=1,addr=0x10 -device i6300esb,bus=br1,addr=0x1
      -device pci-bridge,id=br2,chassis_nr=2,addr=0x11 -device pci-ohci,bus=br2,addr=0x1
      -device pci-bridge,id=br3,chassis_nr=3,addr=0x12 -device rtl8139,bus=br3,addr=0x1,romfile=
      -device i6300esb,addr=0x6 -device i6300esb,addr=0x7
      -device nvme,addr=0x8,serial=deadbeef,drive=nvm0
      -device e1000e,addr=0x9,romfile= -device virtio-net-pci,addr=0xa,romfile=,disable-legacy=on);;
  *) die "unknown scenario '$SCEN' (firmware-padded, linux-packed, msix-firmware-padded, qemu-nested)";;
esac

[ -n "${BARMAP_ORACLE_SELFTEST:-}" ] && SELFTEST=$BARMAP_ORACLE_SELFTEST
[ -n "${BARMAP_ORACLE_DRIVER:-}" ] && DRIVER=$BARMAP_ORACLE_DRIVER
AOTARG=""
[ -f "$AOT" ] && [ "$AOT" -nt "$JAR" ] && AOTARG="barmap.aot=$AOT"
# TCG_ARGS: what TCG on a loaded host needs (oracle/kernel.sh)
APPEND="console=ttyS0 intel_iommu=on panic=1 loglevel=4 $TCG_ARGS ${EXTRA_APPEND:-} barmap.jar=$JAR barmap.java=$JAVA_HOME_GUEST barmap.selftest=$SELFTEST barmap.cycles=$CYCLES barmap.capture=$CAPTURE $AOTARG"
[ -n "$BENCH" ] && APPEND="$APPEND barmap.bench=$BENCH barmap.benchruns=$BENCHRUNS"
[ -n "$BENCH" ] && [ -n "$BENCHOPTS" ] && APPEND="$APPEND barmap.benchopts=$BENCHOPTS"
# BARMAP_ORACLE_BENCH_READS: fewer mapped reads per round (shorter runs for the crash hunt: the crashes came during the JIT's warm-up)
[ -n "$BENCH" ] && [ -n "${BARMAP_ORACLE_BENCH_READS:-}" ] && APPEND="$APPEND barmap.benchreads=$BARMAP_ORACLE_BENCH_READS"
[ "$DRIVER" = 1 ] && APPEND="$APPEND barmap.driver=1 barmap.drivercycles=$DCYCLES"
# what was asked of the guest, for OracleIT (all driver cycles must have run) and the benchmark's record
RUNPROPS=(); [ "$DRIVER" = 1 ] && RUNPROPS+=("driver.cycles=$DCYCLES")
[ -n "$BENCH" ] && RUNPROPS+=("bench.runs=$BENCHRUNS" "bench.opts=$BENCHOPTS")
# BARMAP_ORACLE_CPU, BARMAP_ORACLE_SMP: another -cpu model or vCPU count; BARMAP_ORACLE_TCG_THREAD: single
# (the default: both vCPUs on one host thread, -accel tcg,thread=single) or multi (QEMU's multi-threaded TCG).
# Under multi-threaded TCG guest JVMs crash now and then at a just-patched C1 method entry (2 of 24 benchmark runs,
# and the edu driver's JVM in a CI run of 88cea13); under single-threaded TCG none did in 30 runs (BENCHMARKS.md, issue 17).
CPU=${BARMAP_ORACLE_CPU:-max}; SMP=${BARMAP_ORACLE_SMP:-2}; TCGTHREAD=${BARMAP_ORACLE_TCG_THREAD:-single}
ACCEL=(-machine q35 -accel "tcg,thread=$TCGTHREAD")
CMD=(qemu-system-x86_64 "${ACCEL[@]}" -cpu "$CPU" -smp "$SMP" -m 2G "${BIOS[@]}"
  -nodefaults -display none -no-reboot -serial stdio -monitor none
  -device intel-iommu
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
  "${DEV[@]}"
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,addr=0x1d
  -fsdev local,id=out,path="$OUT",security_model=none
  -device virtio-9p-pci,fsdev=out,mount_tag=out,addr=0x1e)

# Progress is judged by the console, not a fixed clock: guest/init prints a heartbeat every 10 s, so a
# guest that prints nothing for STALL seconds is stalled (a hung kernel, a vCPU that never runs again).
# TIMEOUT is only a last resort for a guest that keeps printing but never finishes.
STALL=${BARMAP_ORACLE_STALL:-240}
BOOT_STALL=${BARMAP_ORACLE_BOOT_STALL:-900}
TIMEOUT=${BARMAP_ORACLE_TIMEOUT:-1800}
RETRIES=${BARMAP_ORACLE_RETRIES:-2}
QEMU_VERSION=$(qemu-system-x86_64 --version | head -1)

# one boot; prints nothing, returns 0 when the guest finished with a capture, else sets FAIL to the reason
attempt() {
  local con=$OUT/console.log pid start now size lastsize=-1 lastchange limit
  FAIL=""
  rm -rf "$OUT" && mkdir -p "$OUT"
  echo "HOST: ${CMD[*]}" > "$con"
  start=$(date +%s.%N)
  "${CMD[@]}" </dev/null >> "$con" 2>&1 &
  pid=$!
  lastchange=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    now=$(date +%s); size=$(stat -c %s "$con")
    if [ "$size" != "$lastsize" ]; then lastsize=$size; lastchange=$now; fi
    if grep -q "Kernel panic" "$con"; then
      FAIL="guest kernel panic: $(grep -m1 -o 'Kernel panic.*' "$con" | tr -d '\r')"; break
    fi
    # before /init runs (firmware, kernel decompression, a quiet loglevel=4 boot) there is no heartbeat yet
    limit=$STALL; grep -q "BARMAP: init" "$con" || limit=$BOOT_STALL
    if [ $((now - lastchange)) -ge "$limit" ]; then
      FAIL="guest stalled: no console output for ${limit}s (last line: $(tail -1 "$con" | tr -d '\r' | cut -c1-120))"; break
    fi
    if [ "$(awk -v a="$start" -v b="$now" 'BEGIN{print int(b-a)}')" -ge "$TIMEOUT" ]; then
      FAIL="guest still running after ${TIMEOUT}s (BARMAP_ORACLE_TIMEOUT)"; break
    fi
  done
  if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; sleep 1; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  SECS=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  echo "HOST: wall-clock $SECS s" >> "$con"
  [ -n "$FAIL" ] && return 1
  if grep -q "Kernel panic" "$con"; then FAIL="guest kernel panic: $(grep -m1 -o 'Kernel panic.*' "$con" | tr -d '\r')"; return 1; fi
  grep -q "BARMAP: DONE" "$con" || { FAIL="the guest powered off before it finished (last line: $(grep -v '^HOST:' "$con" | tail -1 | tr -d '\r' | cut -c1-120))"; return 1; }
  if [ "$SCEN" = qemu-nested ]; then
    grep -q "NESTED: all scenarios ran" "$OUT/nested.log" 2>/dev/null || { FAIL="the nested QEMU runs did not finish ($(tail -2 "$OUT/nested.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"; return 1; }
  fi
  [ -f "$OUT/capture/expected/vfio.json" ] || { FAIL="no capture came back ($(tail -3 "$OUT/capture.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200))"; return 1; }
  # a guest JVM that died of a signal (hs_err_*.log): the emulator's fault so far (see TCGTHREAD above), so an
  # infrastructure failure, retried and reported with the crash's first lines; a wrong answer is never retried
  local h
  for h in "$OUT"/hs_err*.log; do
    [ -f "$h" ] || continue
    FAIL="a guest JVM crashed: $(basename "$h"): $(grep -m2 -E '^# +(SIGSEGV|SIGBUS|SIGILL|J |C1 |C2 |V )|^# Problematic' "$h" | tr -d '#\r' | tr '\n' ' ' | cut -c1-200)"
    return 1
  done
  return 0
}

# An infrastructure failure (panic, stall, timeout, no capture) is retried up to RETRIES times and each
# retry is reported with its reason; what the capture says is judged later by OracleIT, never retried.
failures=()
n=$((RETRIES + 1))
for i in $(seq 1 "$n"); do
  if attempt; then
    log "$SCEN: guest ran ${SECS}s, attempt $i/$n; $(grep -c . "$OUT/console.log") console lines"
    run_properties "$i" "qemu.cpu=$CPU" "qemu.smp=$SMP" "qemu.tcg.thread=$TCGTHREAD" "${RUNPROPS[@]}" > "$OUT/oracle-run.properties"
    [ -d "$OUT.failed" ] && mv "$OUT.failed" "$OUT/failed-attempts"
    exit 0
  fi
  failures+=("$FAIL")
  log "INFRASTRUCTURE FAILURE: $SCEN attempt $i/$n after ${SECS}s: $FAIL"
  mkdir -p "$OUT.failed" && cp "$OUT/console.log" "$OUT.failed/console-attempt$i.log"
  tail -15 "$OUT/console.log" | sed 's/^/  | /' >&2
  [ "$i" -lt "$n" ] && log "INFRASTRUCTURE: retrying $SCEN (a guest that did not finish is not a disagreement)"
done
mv "$OUT.failed" "$OUT/failed-attempts" 2>/dev/null || true
echo "oracle: error: INFRASTRUCTURE: $SCEN: no complete capture after $n attempts (${failures[*]})" >&2
exit 3
