#!/usr/bin/env bash
# Replay of a BAR-sizing storm (1k devices x 3 BARs: all ones, restore, move), incremental flat view vs full
# rebuild after every memory-API call, one JMH run (ReplayBench: 3 forks). Prints the BENCHMARKS.md block whole.
exec "$(dirname "${BASH_SOURCE[0]}")/jmh-table.sh" "bench/$(basename "$0")" replay "Replay:"
