#!/usr/bin/env bash
# The nested QEMU oracle for one inner QEMU version:
#   oracle/qemu/run.sh VERSION [RUNS_DIR]
# VERSION: 7.2 (the host's Debian bookworm QEMU), 10.0 or 11.1 (Debian packages laid out by oracle/qemu/setup.sh).
# Boots the outer oracle guest (oracle/boot.sh qemu-nested: kernel BARMAP_ORACLE_KERNEL, default 6.1), which
# captures its own PCI host and runs every oracle/qemu/scenarios/*.scn in an inner QEMU of that VERSION
# (BARMAP_ORACLE_NESTED_ONLY=a,b picks scenarios). The runs land in RUNS_DIR/qemu-VERSION/ (default
# oracle/work/qemu-nested): host-capture/ (the outer host, `barmap capture --probe`), one directory per scenario
# (scenario.scn, inner-cmd.txt, qemu-version.txt and per dump point D: D-info-pci.txt, D-mtree.txt,
# D-mtree-f.txt, D-stderr.txt, D-inspect.json) and oracle-run.properties. testdata/qemu-nested holds
# committed runs; NestedQemuAgreementTest compares the model with every run it is pointed at.
# Exit 3: the guest or an inner QEMU never finished (an infrastructure failure, after oracle/boot.sh's retries).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
VER=${1:?usage: oracle/qemu/run.sh VERSION [RUNS_DIR]}
RUNS=${2:-$WORK/qemu-nested}
case "$VER" in 7.2|10.0|11.1) ;; *) die "unknown QEMU version '$VER' (7.2, 10.0, 11.1)";; esac
RES=$WORK/results/qemu-nested-$VER
rc=0
BARMAP_ORACLE_QEMU=$VER "$ORACLE_DIR/boot.sh" qemu-nested "$RES" || rc=$?
[ $rc = 0 ] || exit "$rc"
if grep -l . "$RES"/nested/*/FAILED >/dev/null 2>&1; then
  for f in "$RES"/nested/*/FAILED; do echo "oracle: $(basename "$(dirname "$f")"): $(cat "$f")" >&2; done
  echo "oracle: error: INFRASTRUCTURE: an inner QEMU run failed (see above)" >&2
  exit 3
fi
OUT=$RUNS/qemu-$VER
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
cp -r "$RES/capture" "$OUT.tmp/host-capture"
cp -r "$RES"/nested/* "$OUT.tmp/"
cp "$RES/oracle-run.properties" "$OUT.tmp/"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
log "qemu $VER: $(ls -d "$OUT"/*/scenario.scn | wc -l) scenarios in $OUT ($(head -qn1 "$OUT"/*/qemu-version.txt | sort -u | head -1))"
