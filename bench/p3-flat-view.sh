#!/usr/bin/env bash
# P3: QEMU flat view / memory-region tree, time per operation at n = 1k, 10k, 100k subregions (disjoint and
# overlapping with priorities), barmap vs the linear-scan reference NaiveMemoryApi, one JMH run.
# Prints the BENCHMARKS.md table. Usage: bench/p3-flat-view.sh [n...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/jdk.sh
export JAVA_HOME="$BARMAP_JAVA_HOME"
[ -f barmap-bench/target/benchmarks.jar ] || mvn -B -q -ntp -pl barmap-bench -am install -DskipTests -Dbarmap.aot.skip=true >&2
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" -jar barmap-bench/target/benchmarks.jar p3-flat "$@" 2>&1 | sed -n '/^P3 flat view/,$p'
