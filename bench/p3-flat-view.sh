#!/usr/bin/env bash
# P3: QEMU flat view kept current by IncrementalFlatView, time per operation at n = 1k, 10k, 100k subregions
# (disjoint and overlapping with priorities), one JMH run (FlatViewBench: 3 forks). Prints the BENCHMARKS.md block
# whole. Usage: bench/p3-flat-view.sh [n...] [layout=disjoint|overlap]
exec "$(dirname "${BASH_SOURCE[0]}")/jmh-table.sh" "bench/$(basename "$0")" p3-flat "P3 flat view" "$@"
