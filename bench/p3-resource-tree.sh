#!/usr/bin/env bash
# P3: resource tree, time per operation at n = 1k, 10k, 100k siblings, barmap vs the kernel's linked
# lists (NaiveResourceTree), one JMH run. Prints the BENCHMARKS.md table. Usage: bench/p3-resource-tree.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/jdk.sh
export JAVA_HOME="$BARMAP_JAVA_HOME"
[ -f barmap-bench/target/benchmarks.jar ] || mvn -B -q -ntp -pl barmap-bench -am install -DskipTests -Dbarmap.aot.skip=true >&2
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" -jar barmap-bench/target/benchmarks.jar p3 "$@" 2>&1 | sed -n '/^P3 resource tree/,$p'
