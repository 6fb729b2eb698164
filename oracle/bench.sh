#!/usr/bin/env bash
# The binding's benchmark (not a test): inside the firmware-padded guest, 4-byte reads of the i6300esb's
# 16-byte BAR0 through the mapped segment (MappedRegion.read32) and through pread on the device fd
# (TrappedRegion.read32), against the same loops in C (guest/bench.c, static). Prints ns per read and ratios.
#   oracle/bench.sh            (installs and boots as run-ci.sh does; about 2 minutes)
#   oracle/bench.sh --no-boot  (only report the last run's oracle/work/results/firmware-padded)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
R=$WORK/results/firmware-padded
if [ "${1:-}" != --no-boot ]; then
  "$ORACLE_DIR/setup.sh"
  . "$REPO/scripts/jdk.sh"
  [ -f "$JAR" ] || (cd "$REPO" && JAVA_HOME="$BARMAP_JAVA_HOME" mvn -B -ntp -q -pl barmap-cli -am install -DskipTests)
  BARMAP_GUEST_JAVA="$BARMAP_JAVA_HOME" "$ORACLE_DIR/train-aot.sh"
  BARMAP_GUEST_JAVA="$BARMAP_JAVA_HOME" "$ORACLE_DIR/boot.sh" firmware-padded
fi
get() { sed -n "s/^$1=//p" "$2"; }
jm=$(get java.mmap.ns "$R/bench-java.properties"); jp=$(get java.pread.ns "$R/bench-java.properties")
cm=$(get c.mmap.ns "$R/bench-c.properties"); cp=$(get c.pread.ns "$R/bench-c.properties")
[ -n "$jm" ] && [ -n "$cm" ] || die "no benchmark results in $R"
echo "device: $(get device "$R/bench-java.properties"); median of 5 rounds after 2 warm-up rounds"
awk -v jm="$jm" -v jp="$jp" -v cm="$cm" -v cp="$cp" 'BEGIN{
  printf "| path | Java (FFM) ns/read | C ns/read | Java / C |\n|---|---:|---:|---:|\n";
  printf "| mmap (MappedRegion.read32) | %.1f | %.1f | %.2f |\n", jm, cm, jm/cm;
  printf "| pread (TrappedRegion.read32) | %.1f | %.1f | %.2f |\n", jp, cp, jp/cp;
  printf "| pread / mmap | %.1fx | %.1fx | |\n", jp/jm, cp/cm }'
