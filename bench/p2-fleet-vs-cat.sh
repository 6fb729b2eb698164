#!/usr/bin/env bash
# P2: `barmap fleet` over N generated captures (default 10,000) versus only reading their files
# (cat of every file), on 1 core and on 2 cores (taskset), one hyperfine run; then the fleet run's
# peak RSS (/usr/bin/time -v). Needs: apt-get install hyperfine time (taskset is in util-linux).
# Usage: bench/p2-fleet-vs-cat.sh [count] [dir] [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
dir=${2:-/tmp/barmap-p2-fleet-$count}
runs=${3:-3}
for t in hyperfine taskset /usr/bin/time; do command -v "$t" >/dev/null || { echo "needs: apt-get install hyperfine time" >&2; exit 2; }; done
./barmap --version >/dev/null
. scripts/jdk.sh
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  ./barmap generate --count "$count" --seed 1 --out "$dir" >&2
  touch "$dir/.complete"
fi
files=$(find "$dir" -type f ! -name .complete | wc -l)
bytes=$(find "$dir" -type f ! -name .complete -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $count captures, $files files, $bytes bytes under $dir (page cache warm after the warm-up run)"
out=$(mktemp -d)
# the reference reads every file once, in batches, with as many readers as cores
cat1="find $dir -type f -print0 | xargs -0 -n 4096 -P 1 cat > /dev/null"
cat2="find $dir -type f -print0 | xargs -0 -n 4096 -P 2 cat > /dev/null"
hyperfine --warmup 1 --runs "$runs" --export-csv "$out/p2.csv" --export-markdown "$out/p2.md" \
  -n 'cat 1 core' "taskset -c 0 sh -c '$cat1'" \
  -n 'fleet 1 core' "taskset -c 0 ./barmap fleet --no-progress $dir > /dev/null" \
  -n 'cat 2 cores' "taskset -c 0,1 sh -c '$cat2'" \
  -n 'fleet 2 cores' "taskset -c 0,1 ./barmap fleet --no-progress $dir > /dev/null" >&2
cat "$out/p2.md"
awk -F, 'NR>1 { m[$1]=$2 } END {
  printf "\nP2 ratio fleet / cat, 1 core: %.2f; 2 cores: %.2f (goal <= 2)\n", m["fleet 1 core"]/m["cat 1 core"], m["fleet 2 cores"]/m["cat 2 cores"];
  printf "   fleet scaling 1 -> 2 cores: %.2fx faster\n", m["fleet 1 core"]/m["fleet 2 cores"] }' "$out/p2.csv"
/usr/bin/time -v ./barmap fleet --no-progress "$dir" > /dev/null 2> "$out/time.txt" || true
echo "Peak RSS, fleet over $count hosts (2 cores): $(awk -F: '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}' "$out/time.txt"); JVM default max heap $("$BARMAP_JAVA_HOME"/bin/java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize/ {printf "%.0f MiB", $4/1048576}' || true)"
rm -rf "$out"
