#!/usr/bin/env bash
# P3: resource tree, time per operation at n = 1k, 10k, 100k siblings, barmap vs the kernel's linked lists
# (NaiveResourceTree), one JMH run (ResourceTreeBench: 3 forks). Prints the BENCHMARKS.md block whole.
# Usage: bench/p3-resource-tree.sh [n...]
exec "$(dirname "${BASH_SOURCE[0]}")/jmh-table.sh" "bench/$(basename "$0")" p3 "P3 resource tree" "$@"
