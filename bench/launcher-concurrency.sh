#!/usr/bin/env bash
# Issue 14, acceptance 2: after touching a source file, ten `./barmap scan` runs started together all
# succeed. Checks: every run exits 0 with the same non-empty report; exactly one of them built (the
# others waited for its lock); no run printed a JVM error or AOT cache warning; the published build has
# its jar and AOT caches. Takes one rebuild (1-3 minutes). Usage: bench/launcher-concurrency.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-10}
capture=testdata/captures/x86_64-4k-msix-firmware-padded
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
./barmap --version >/dev/null # start from a published build
touch barmap-cli/src/main/java/dev/barmap/cli/Format.java
echo "touched barmap-cli/src/main/java/dev/barmap/cli/Format.java; starting $n runs of ./barmap scan --root $capture together"
pids=()
for i in $(seq "$n"); do
  (set +e; ./barmap scan --root "$capture" >"$t/out.$i" 2>"$t/err.$i"; echo $? >"$t/rc.$i") &
  pids+=($!)
done
wait "${pids[@]}"
fail=0
for i in $(seq "$n"); do
  rc=$(cat "$t/rc.$i")
  [ "$rc" = 0 ] || { echo "run $i: exit $rc: $(head -c 300 "$t/err.$i")"; fail=1; }
  [ -s "$t/out.$i" ] || { echo "run $i: empty report"; fail=1; }
  cmp -s "$t/out.1" "$t/out.$i" || { echo "run $i: report differs from run 1"; fail=1; }
  if grep -Eq '\[(error|warning)\]|Exception|Error:' "$t/err.$i"; then echo "run $i: $(grep -Em1 '\[(error|warning)\]|Exception|Error:' "$t/err.$i")"; fail=1; fi
done
builds=$(cat "$t"/err.* | grep -c '^barmap: building the jar' || true)
waited=$(cat "$t"/err.* | grep -c '^barmap: another barmap run is building' || true)
[ "$builds" = 1 ] || { echo "expected exactly 1 build, saw $builds"; fail=1; }
. target/launcher/current.sh
for f in "$b_dir/barmap.jar" "$b_aot_scan" "$b_aot_all"; do [ -s "$f" ] || { echo "published build lacks $f"; fail=1; }; done
echo "$n runs: $(cat "$t"/rc.* | grep -c '^0$') exited 0, $builds built, $waited waited for the lock; reports identical: $([ $fail = 0 ] && echo yes || echo see above)"
[ $fail = 0 ] && echo "PASS" || { echo "FAIL"; exit 1; }
