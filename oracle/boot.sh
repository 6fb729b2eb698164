#!/usr/bin/env bash
# Boots one oracle scenario under QEMU TCG and brings its results back:
#   oracle/boot.sh SCENARIO [RESULTS_DIR]
# SCENARIO: firmware-padded (SeaBIOS pads small BARs to 4K), linux-packed (qboot: Linux assigns and packs
# the BARs), msix-firmware-padded (SeaBIOS; nvme, e1000e, virtio-net: MSI-X tables in mmappable BARs).
# The device sets are those of the shared captures x86_64-4k-<SCENARIO> (recipe/x86_64/run.sh), plus two
# virtio-9p-pci functions at 00:1d.0 (host root, read-only) and 00:1e.0 (results, writable) that stay
# with virtio-pci. Results: RESULTS_DIR (default oracle/work/results/SCENARIO): capture/ (written in the
# guest by `barmap capture --probe`), selftest.properties, bench-*.properties, console.log.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCEN=${1:?usage: boot.sh SCENARIO [RESULTS_DIR]}
OUT=${2:-$WORK/results/$SCEN}
JAVA_HOME_GUEST=${BARMAP_GUEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64}
KVER=$(cat "$WORK/kernel-release" 2>/dev/null) || die "run oracle/setup.sh first"
KERNEL=$CACHE/$KVER/boot/vmlinuz-$KVER
[ -f "$KERNEL" ] || die "no kernel $KERNEL: run oracle/setup.sh"
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
  *) die "unknown scenario '$SCEN' (firmware-padded, linux-packed, msix-firmware-padded)";;
esac

[ -n "${BARMAP_ORACLE_SELFTEST:-}" ] && SELFTEST=$BARMAP_ORACLE_SELFTEST
[ -n "${BARMAP_ORACLE_DRIVER:-}" ] && DRIVER=$BARMAP_ORACLE_DRIVER
rm -rf "$OUT" && mkdir -p "$OUT"
AOTARG=""
[ -f "$AOT" ] && [ "$AOT" -nt "$JAR" ] && AOTARG="barmap.aot=$AOT"
APPEND="console=ttyS0 intel_iommu=on no_timer_check panic=1 loglevel=4 barmap.jar=$JAR barmap.java=$JAVA_HOME_GUEST barmap.selftest=$SELFTEST barmap.cycles=$CYCLES barmap.capture=$CAPTURE $AOTARG"
[ -n "$BENCH" ] && APPEND="$APPEND barmap.bench=$BENCH barmap.benchruns=$BENCHRUNS"
[ -n "$BENCH" ] && [ -n "$BENCHOPTS" ] && APPEND="$APPEND barmap.benchopts=$BENCHOPTS"
[ "$DRIVER" = 1 ] && APPEND="$APPEND barmap.driver=1 barmap.drivercycles=$DCYCLES"
CMD=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 2 -m 2G "${BIOS[@]}"
  -nodefaults -display none -no-reboot -serial stdio -monitor none
  -device intel-iommu
  -kernel "$KERNEL" -initrd "$WORK/initrd.cpio.gz" -append "$APPEND"
  "${DEV[@]}"
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,addr=0x1d
  -fsdev local,id=out,path="$OUT",security_model=none
  -device virtio-9p-pci,fsdev=out,mount_tag=out,addr=0x1e)
echo "HOST: ${CMD[*]}" > "$OUT/console.log"
start=$(date +%s.%N)
timeout ${BARMAP_ORACLE_TIMEOUT:-300} "${CMD[@]}" </dev/null >> "$OUT/console.log" 2>&1 || log "qemu exited with $? ($SCEN)"
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
echo "HOST: wall-clock $secs s" >> "$OUT/console.log"
log "$SCEN: guest ran ${secs}s; $(grep -c . "$OUT/console.log") console lines"
grep -q "BARMAP: DONE" "$OUT/console.log" || { tail -40 "$OUT/console.log" >&2; die "$SCEN: the guest did not finish (see $OUT/console.log)"; }
[ -f "$OUT/capture/expected/vfio.json" ] || { cat "$OUT/capture.log" >&2 || true; die "$SCEN: no capture came back"; }
