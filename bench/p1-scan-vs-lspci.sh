#!/usr/bin/env bash
# P1: `barmap scan` on this host versus `lspci -vvv` on the same host, wall time, one hyperfine run.
# Needs: apt-get install hyperfine pciutils. Usage: bench/p1-scan-vs-lspci.sh [runs]
# Prints hyperfine's table and the ratio mean(barmap scan) / mean(lspci -vvv); goal <= 2.5.
# Also times the JVM alone (java -version) as the floor any Java CLI pays, and barmap without its AOT cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-30}
command -v hyperfine >/dev/null && command -v lspci >/dev/null || { echo "needs: apt-get install hyperfine pciutils" >&2; exit 2; }
./barmap --version >/dev/null            # builds the jar and its AOT cache if needed
. scripts/jdk.sh
java="$BARMAP_JAVA_HOME/bin/java"
jar="$PWD/barmap-cli/target/barmap.jar"
[ -f "$jar.aot" ] || echo "warning: no $jar.aot: barmap runs without its AOT cache" >&2
flags="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED"
out=$(mktemp -d)
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(lspci | wc -l) PCI functions; $("$java" -version 2>&1 | head -1)"
hyperfine -N --warmup 3 --runs "$runs" --export-csv "$out/p1.csv" --export-markdown "$out/p1.md" \
  -n 'lspci -vvv' 'lspci -vvv' \
  -n './barmap scan' './barmap scan' \
  -n 'barmap scan without AOT cache' "$java $flags -jar $jar scan" \
  -n 'java -version (JVM floor)' "$java $flags -version" >&2
cat "$out/p1.md"
awk -F, 'NR>1 { m[$1]=$2 } END {
  printf "\nP1 ratio ./barmap scan / lspci -vvv = %.2f (goal <= 2.5)\n", m["./barmap scan"]/m["lspci -vvv"];
  printf "   without AOT cache: %.2f; JVM floor (java -version) / lspci: %.2f\n", m["barmap scan without AOT cache"]/m["lspci -vvv"], m["java -version (JVM floor)"]/m["lspci -vvv"] }' "$out/p1.csv"
rm -rf "$out"
