#!/usr/bin/env bash
# The crash hunt's host half (BENCHMARKS.md, issue 17): LibC.pread's downcall (the in-guest crash site) in
# many JVMs on this machine's real CPU, with the default tiered JIT and with -Xcomp, counting exit codes and
# crash reports. No VFIO needed: 4-byte preads of /dev/zero through the same handle and errno capture.
#   bench/pread-stress.sh [DEFAULT_RUNS [XCOMP_RUNS [CALLS]]]      (20, 10, 2000000; -Xcomp runs do CALLS/4)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/jdk.sh"
n=${1:-20}; x=${2:-10}; calls=${3:-2000000}
jar=$here/barmap-cli/target/barmap.jar
[ -f "$jar" ] || { echo "pread-stress: no $jar: build it first (mvn -pl barmap-cli -am package -DskipTests)" >&2; exit 2; }
out=$(mktemp -d /tmp/pread-stress.XXXXXX)
run() { # NAME I OPTS...
  local name=$1 i=$2; shift 2
  "$BARMAP_JAVA_HOME/bin/java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED "$@" -XX:ErrorFile="$out/hs_err_${name}_$i.log" \
    -cp "$jar" dev.barmap.vfio.guest.GuestMain pread-loop "$out/$name-$i.properties" /dev/zero "$c" > /dev/null 2>&1 && rc=0 || rc=$?
  echo "$name run=$i rc=$rc"
}
c=$calls; for i in $(seq 1 "$n"); do run default "$i"; done
c=$((calls / 4)); for i in $(seq 1 "$x"); do run xcomp "$i" -Xcomp; done
echo "crash reports: $(ls "$out"/hs_err_* 2>/dev/null | wc -l) (in $out)"
