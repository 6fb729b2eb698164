#!/usr/bin/env bash
# Records the AOT cache the guest's JVMs use (-XX:AOTCache): a training run of `barmap capture --probe`
# on this machine (which creates every downcall handle). The cache is tied to the jar's path, size and
# mtime, so it is rebuilt whenever the jar is newer.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JH=${BARMAP_GUEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$JAR" ] || die "no $JAR"
if [ -f "$AOT" ] && [ "$AOT" -nt "$JAR" ]; then log "AOT cache up to date"; exit 0; fi
mkdir -p "$WORK"
t=$(mktemp -d)
"$JH/bin/java" -XX:AOTCacheOutput="$AOT" -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
  -jar "$JAR" capture --out "$t/capture" --probe >/dev/null 2>"$t/err" || { cat "$t/err" >&2; die "AOT training failed"; }
rm -rf "$t"
log "AOT cache $(stat -c %s "$AOT") bytes"
