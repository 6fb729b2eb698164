#!/usr/bin/env bash
# Builds the Jazzer seed corpora (src/test/resources/.../<Test>Inputs/<method>/) from the real captures
# in testdata/. Re-run after adding captures; the seeds are committed, so tests never need this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
m=barmap-model/src/test/resources/dev/barmap/model
h=barmap-host/src/test/resources/dev/barmap/host
iomem=$m/resource/IomemFuzzTestInputs/parse
sysfs=$m/pci/SysfsResourceFuzzTestInputs/parse
cfg=$m/pci/ConfigSpaceFuzzTestInputs/msix
model=$m/host/HostModelFuzzTestInputs/buildScanProbe
props=$h/CapturePropertiesFuzzTestInputs/parse
reader=$h/HostReaderFuzzTestInputs/readAndScan
lspci=$m/lspci/LspciFuzzTestInputs/hostAndScan
console=$h/GuestConsoleFuzzTestInputs/parse
mkdir -p "$iomem" "$sysfs" "$cfg" "$model" "$props" "$reader" "$lspci" "$console"
# pack DIR: one FuzzArchive ("@@ path" + bytes per file) of a capture's input files
pack() {
  local d=$1 f
  (cd "$d" && for f in capture.properties proc/iomem $(find sys -type f | sort); do
    [ -f "$f" ] || continue
    printf '@@ %s\n' "$f"; cat "$f"
  done)
}
for d in testdata/captures/* testdata/hotplug/*; do
  [ -d "$d/sys" ] || continue
  n=$(basename "$d")
  [ -f "$d/proc/iomem" ] && cp "$d/proc/iomem" "$iomem/$n"
  [ -f "$d/expected/iomem-open" ] && cp "$d/expected/iomem-open" "$iomem/$n-open"
  [ -f "$d/capture.properties" ] && cp "$d/capture.properties" "$props/$n"
  shopt -s nullglob
  for r in "$d"/sys/bus/pci/devices/*/resource; do
    cp "$r" "$sysfs/$(sha1sum "$r" | cut -c1-12)"
  done
  for c in "$d"/sys/bus/pci/devices/*/config; do
    cp "$c" "$cfg/$(sha1sum "$c" | cut -c1-12)"
  done
  pack "$d" > "$model/$n"
  cp "$model/$n" "$reader/$n"
done
for d in testdata/lspci/*/; do
  n=$(basename "$d")
  for f in "$d"*.txt; do cp "$f" "$lspci/$n-$(basename "$f" .txt)"; done
done
for d in testdata/hotplug/*/; do
  # the console logs are large: keep the part the parser reads (GUEST:/HOLD:/pci_bus lines)
  [ -f "$d/console.log" ] && grep -aE '^(GUEST|HOLD)|pci_bus' "$d/console.log" > "$console/$(basename "$d")"
done
ls "$iomem" "$sysfs" "$cfg" "$model" "$props" | wc -l
