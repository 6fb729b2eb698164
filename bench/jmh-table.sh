#!/usr/bin/env bash
# Shared by the JMH table scripts: builds barmap-bench when a source is newer than its jar (whole reactor path,
# never another module's snapshot from ~/.m2), runs `java -jar benchmarks.jar MODE [n...]` and prints the BENCHMARKS.md block whole: the command, the
# commit, the machine, the load average at the start and at the end of the run, and the table BenchMain printed.
# Usage: bench/jmh-table.sh CALLER MODE TITLE-PREFIX [n...]  (CALLER: the script shown as the command)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/jdk.sh
export JAVA_HOME="$BARMAP_JAVA_HOME"
caller=$1 mode=$2 prefix=$3
shift 3
jar=barmap-bench/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml barmap-*/pom.xml barmap-model/src barmap-bench/src -newer "$jar" -type f | head -1)" ]; then
  mvn -B -q -ntp -pl barmap-bench -am package -DskipTests -Dbarmap.aot.skip=true >&2
fi
load() { cut -d' ' -f1-3 /proc/loadavg; }
start=$(date -u '+%F %H:%M') load0=$(load) t0=$(date +%s)
out=$("$JAVA_HOME/bin/java" -jar "$jar" "$mode" "$@" 2>&1) || { printf '%s\n' "$out" | tail -40 >&2; exit 1; }
load1=$(load) mins=$(( ($(date +%s) - t0 + 30) / 60 ))
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo ", with uncommitted changes" || true)
echo "Run $start UTC on $(git rev-parse --short HEAD)$dirty, $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
echo "load average (1/5/15 min) $load0 at the start and $load1 at the end, $mins min: \`$caller${*:+ $*}\`"
echo
printf '%s\n' "$out" | sed -n "/^$prefix/,\$p"
