#!/usr/bin/env bash
# Boots one aarch64 oracle scenario under QEMU TCG (qemu-system-aarch64 -machine virt,iommu=smmuv3,
# -cpu max, the Debian 16K-page kernel that oracle/arm64/setup.sh fetched) and turns its console into a
# capture directory (oracle/arm64/console2capture.py):
#   oracle/arm64/boot.sh SCENARIO [RESULTS_DIR]
# SCENARIO: linux-assigned (direct kernel boot, device tree, no firmware: Linux assigns every BAR),
# linux-rootports (the same, five small-BAR devices each behind a pcie-root-port), edk2-acpi
# (EDK2, QEMU_EFI.fd from qemu-efi-aarch64, boots the same kernel with -kernel and ACPI; EDK2 assigns
# the BARs, but Linux reassigns them all: see oracle/README.md).
# Devices: the x86 linux-packed set (oracle/boot.sh) without ivshmem-plain and tpci200: small BARs, I/O
# BARs (which virt maps through its PCI I/O window) and rtl8139's option ROM (QEMU's default efi-rtl8139.rom).
# tpci200 does not work on virt: the probe's pread of its unbacked IP-space BAR4 is a bus error there,
# which arm64 takes as a synchronous external abort, an oops in vfio_pci_core_ioread32 (seen with
# 6.12.117+deb13-arm64-16k; x86 reads all-ones instead).
# Results: RESULTS_DIR (default oracle/work/arm64/results/KVER-SCENARIO): console.log, capture/,
# oracle-run.properties (kernel package and version, QEMU version, attempts and each infrastructure failure).
# Env: BARMAP_ORACLE_KERNEL (6.12, 7), BARMAP_ORACLE_STALL (seconds without console output that mean a
# stalled guest, 300), BARMAP_ORACLE_TIMEOUT (last-resort cap, 2400), BARMAP_ORACLE_RETRIES (2).
# Exit 3: no complete capture after the retries (an infrastructure failure, never a disagreement).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ORACLE_DIR/kernel.sh"
SCEN=${1:?usage: oracle/arm64/boot.sh SCENARIO [RESULTS_DIR]}
KSPEC=${BARMAP_ORACLE_KERNEL:-6.12}
W=$WORK/arm64
KVER=$(cat "$W/kernel-release-$KSPEC" 2>/dev/null) || die "no $KSPEC arm64 kernel: run oracle/arm64/setup.sh $KSPEC first"
KDIR=$CACHE/arm64/$KVER
KERNEL=$KDIR/boot/vmlinuz-$KVER
INITRD=$W/initrd-$KVER.cpio.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || die "no kernel $KERNEL or initramfs $INITRD: run oracle/arm64/setup.sh $KSPEC"
OUT=${2:-$W/results/$KVER-$SCEN}

FW=()
case "$SCEN" in
  linux-assigned|linux-rootports) ;;
  edk2-acpi) FW=(-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd);;
  *) die "unknown scenario '$SCEN' (linux-assigned, linux-rootports, edk2-acpi)";;
esac
if [ "$SCEN" = linux-rootports ]; then
  # each small-BAR device alone behind its own PCIe root port: every bridge window is 1M-aligned, so each
  # small BAR starts a 16K page whose rest is free (the case vfio-pci's sub-page reservation is for)
  DEV=()
  i=0
  for d in i6300esb pvpanic-pci pci-testdev sdhci-pci pci-ohci; do
    i=$((i + 1))
    DEV+=(-device pcie-root-port,id=rp$i,bus=pcie.0,chassis=$i,addr=0x$((i + 2)) -device $d,bus=rp$i,addr=0x0)
  done
else
DEV=(-device rtl8139,bus=pcie.0,addr=0x3
  -device pcnet,bus=pcie.0,addr=0x4,romfile=
  -device i6300esb,bus=pcie.0,addr=0x5
  -device pci-ohci,bus=pcie.0,addr=0x6
  -device sdhci-pci,bus=pcie.0,addr=0x7
  -device lsi53c895a,bus=pcie.0,addr=0x8
  -device pci-testdev,bus=pcie.0,addr=0x9
  -device tulip,bus=pcie.0,addr=0xa,romfile=
  -device edu,bus=pcie.0,addr=0xd
  -device pvpanic-pci,bus=pcie.0,addr=0xe
  -device virtio-rng-pci,bus=pcie.0,addr=0xf)
fi
# TCG on a loaded host: no RCU-stall or soft-lockup reports for vCPUs the host did not schedule (as
# oracle/boot.sh); pauth-impdef: QEMU's cheap pointer-authentication algorithm instead of QARMA (the
# guest cannot tell, and TCG boots markedly faster)
APPEND="console=ttyAMA0 panic=1 loglevel=4 rcupdate.rcu_cpu_stall_suppress=1 nowatchdog"
CMD=(qemu-system-aarch64 -machine virt,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on -smp 1 -m 1G
  "${FW[@]}" -nodefaults -display none -no-reboot -serial stdio -monitor none
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" "${DEV[@]}")
STALL=${BARMAP_ORACLE_STALL:-300}
TIMEOUT=${BARMAP_ORACLE_TIMEOUT:-2400}
RETRIES=${BARMAP_ORACLE_RETRIES:-2}
QEMU_VERSION=$(qemu-system-aarch64 --version | head -1)

failures=()
n=$((RETRIES + 1))
for i in $(seq 1 "$n"); do
  if console_attempt; then
    log "$SCEN ($KVER): guest ran ${SECS}s, attempt $i/$n; capture in $OUT/capture"
    run_properties "$i" arch=aarch64 > "$OUT/oracle-run.properties"
    exit 0
  fi
  failures+=("$FAIL")
  log "INFRASTRUCTURE FAILURE: $SCEN attempt $i/$n after ${SECS}s: $FAIL"
  mkdir -p "$OUT.failed" && cp "$OUT/console.log" "$OUT.failed/console-attempt$i.log"
  tail -15 "$OUT/console.log" | sed 's/^/  | /' >&2
done
echo "oracle: error: INFRASTRUCTURE: $SCEN: no complete capture after $n attempts (${failures[*]})" >&2
exit 3
