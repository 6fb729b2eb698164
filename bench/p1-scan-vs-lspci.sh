#!/usr/bin/env bash
# P1: `./barmap scan` versus `lspci -vvv` on the same host: wall time, CPU time (user + system) and peak
# RSS, medians over interleaved rounds (bench/interleave.py: one run of each command per round, so the
# load of other processes falls evenly on all of them). Goal (issue 16): wall <= 3x and CPU <= 3x
# `lspci -vvv` for the live scan as text, --format json and --root CAPTURE; peak RSS <= 4x.
# Also the JVM alone (java -version with the launcher's flags), the floor any Java CLI pays.
# Needs: apt-get install pciutils python3.
# Usage: bench/p1-scan-vs-lspci.sh [rounds] [baseline-checkout]
#   baseline-checkout: another barmap checkout (e.g. `git archive main | tar -x -C /tmp/base`, built
#   with its ./barmap once) whose ./barmap scan is measured in the same rounds, for a before/after.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-20}
base=${2:-}
command -v lspci >/dev/null && command -v python3 >/dev/null || { echo "needs: apt-get install pciutils python3" >&2; exit 2; }
./barmap --version >/dev/null # builds the jar and its AOT caches if needed
. target/launcher/current.sh
capture=$PWD/testdata/captures/x86_64-4k-msix-firmware-padded
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "# $(lspci | wc -l) PCI functions; $("$b_java" -version 2>&1 | head -1); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
cmds=("lspci -vvv=lspci -vvv"
  "./barmap scan=$PWD/barmap scan"
  "./barmap scan --format json=$PWD/barmap scan --format json"
  "./barmap scan --root CAPTURE=$PWD/barmap scan --root $capture"
  "java -version (JVM floor)=$b_java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -version")
if [ -n "$base" ]; then
  "$base/barmap" --version >/dev/null
  cmds+=("baseline ./barmap scan=$base/barmap scan" "baseline ./barmap scan --format json=$base/barmap scan --format json"
    "baseline ./barmap scan --root CAPTURE=$base/barmap scan --root $capture")
fi
python3 bench/interleave.py "$rounds" 2 "${cmds[@]}" | tee /tmp/p1-$$.md
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'|' '/^\| \.\/barmap scan/ { gsub(/ +$/, "", $2);
  ok = ($6 + 0 <= 3 && $7 + 0 <= 3 && $8 + 0 <= 4) ? "goal met" : "goal missed";
  printf "P1 ratio%s: wall %sx, CPU %sx, peak RSS %sx of lspci -vvv (goal <= 3, 3, 4): %s\n", $2, $6 + 0, $7 + 0, $8 + 0, ok }' /tmp/p1-$$.md
rm -f /tmp/p1-$$.md
