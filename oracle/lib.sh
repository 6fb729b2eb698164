# Sourced by the oracle scripts: where things live.
ORACLE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$ORACLE_DIR/.." && pwd)
# downloads (kernel package) survive between runs here; a fresh machine fills it
CACHE=${BARMAP_ORACLE_CACHE:-/var/cache/barmap-oracle}
# build products and results (git-ignored)
WORK=${BARMAP_ORACLE_WORK:-$ORACLE_DIR/work}
# BARMAP_ORACLE_JAR: a copy for long runs (the guest reads the jar at every JVM start, so a rebuild mid-run would change it)
JAR=${BARMAP_ORACLE_JAR:-$REPO/barmap-cli/target/barmap.jar}
AOT=$WORK/barmap.aot
log() { echo "oracle: $*" >&2; }
die() { echo "oracle: error: $*" >&2; exit 1; }
# python3 for the helper scripts: the system's, not whatever shim is first on PATH (a pyenv shim costs
# 3-5 s per start on a loaded machine, and the fuzz loop starts python three times a guest)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
