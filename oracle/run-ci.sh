#!/usr/bin/env bash
# The real-kernel oracle, end to end (what .ci/run calls after ./check's mvn install):
#   1. setup.sh: apt-get what is missing, Debian's current 6.1 amd64 kernel (cached), the initramfs;
#   2. the barmap jar (built only when missing or older than a source) and its AOT cache;
#   3. boot.sh for every scenario: the guest writes a capture with `barmap capture --probe`
#      (and, in firmware-padded, the selftest and the benchmark);
#   4. one random topology (oracle/fuzz.sh, seed from the commit hash);
#   5. OracleIT and FuzzAgreementIT (mvn -Poracle -pl barmap-vfio verify): binding vs model, selftest facts,
#      the random topology vs model.
# Exits 1 on a disagreement between the model and the kernel (never retried), 3 when a guest could not
# produce a capture even after boot.sh's retries (an infrastructure failure: panic, stall, timeout).
# Env: BARMAP_ORACLE_SCENARIOS (space-separated SCENARIO or SCENARIO@KERNEL, KERNEL one of 6.1 (default),
# 6.12, 7; results in work/results/SCENARIO or work/results/SCENARIO@KERNEL).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# By default every scenario boots once and the kernels rotate with the commit: the commit hash picks
# which scenario runs on 6.1, which on 6.12 and which on the newest 7.x, so every run boots every kernel
# generation (at least one guest on a kernel other than 6.1) and successive commits cover every pair.
KERNELS=(6.1 6.12 7)
KINDS=(firmware-padded linux-packed msix-firmware-padded)
# the commit every rotation below is taken from (kernels, the random topology's seed, the nested QEMU and its kernel)
rev=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo 0)
if [ -n "${BARMAP_ORACLE_SCENARIOS:-}" ]; then
  SCENARIOS=$BARMAP_ORACLE_SCENARIOS
else
  off=$(( 16#${rev:0:7} % ${#KERNELS[@]} ))
  SCENARIOS=""
  for i in "${!KINDS[@]}"; do SCENARIOS="$SCENARIOS ${KINDS[$i]}@${KERNELS[$(( (i + off) % ${#KERNELS[@]} ))]}"; done
  SCENARIOS=${SCENARIOS# }
  log "scenarios for commit ${rev:0:12} (rotation $off): $SCENARIOS"
fi
[ "$(uname -m)" = x86_64 ] || die "the oracle boots an x86_64 guest and runs this machine's JDK inside it: x86_64 hosts only"
[ "$(id -u)" = 0 ] || die "run as root (apt-get, 9p export of /)"
T0=$(date +%s)
step() { log "[$(( $(date +%s) - T0 ))s] $*"; }

kernels=$(for s in $SCENARIOS; do case "$s" in *@*) echo "${s#*@}";; *) echo 6.1;; esac; done | sort -u)
for k in $kernels; do
  step "setup (kernel $k)"
  "$ORACLE_DIR/setup.sh" "$k"
done

. "$REPO/scripts/jdk.sh"
export JAVA_HOME="$BARMAP_JAVA_HOME"
if ! command -v mvn >/dev/null; then apt-get install -y -qq maven >/dev/null; fi
stale=$( [ ! -f "$JAR" ] && echo yes || find "$REPO" -path "$REPO/testdata" -prune -o -path "$REPO/oracle" -prune -o \
  \( -name '*.java' -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print -quit)
if [ -n "$stale" ]; then
  step "building barmap.jar"
  (cd "$REPO" && mvn -B -ntp -q -Dstyle.color=never -pl barmap-cli -am install -DskipTests)
fi
step "AOT cache"
BARMAP_GUEST_JAVA="$BARMAP_JAVA_HOME" "$ORACLE_DIR/train-aot.sh"

for s in $SCENARIOS; do
  k=6.1; case "$s" in *@*) k=${s#*@};; esac
  step "booting ${s%@*} on kernel $k"
  rc=0
  BARMAP_ORACLE_KERNEL=$k BARMAP_GUEST_JAVA="$BARMAP_JAVA_HOME" "$ORACLE_DIR/boot.sh" "${s%@*}" "$WORK/results/$s" || rc=$?
  [ $rc = 0 ] || { echo "oracle: INFRASTRUCTURE FAILURE: $s never produced a complete capture (not a disagreement; see above)" >&2; exit 3; }
  r=$WORK/results/$s/oracle-run.properties
  log "$s: $(sed -n 's/^kernel.package=//p' "$r") $(sed -n 's/^kernel.package.version=//p' "$r"), $(sed -n 's/^attempts=//p' "$r") attempt(s)$(grep -q '^infrastructure.failure' "$r" && echo "; retried after: $(sed -n 's/^infrastructure.failure.[0-9]*=//p' "$r" | paste -sd';')")"
done

# one random topology per run (oracle/fuzz.sh, console-only, about half a minute), its seed taken from
# the commit hash so successive commits cover different topologies; FuzzAgreementIT compares it below.
# BARMAP_ORACLE_FUZZ=0 leaves it out.
FUZZRES=""
if [ "${BARMAP_ORACLE_FUZZ:-1}" = 1 ]; then
  fseed=$(( 16#${rev:0:7} ))
  step "random topology: seed $fseed (from commit ${rev:0:12}; replay: oracle/fuzz.sh --seed $fseed --count 1)"
  FUZZRES=$WORK/fuzz/ci-results
  rm -rf "$FUZZRES"
  rc=0
  BARMAP_ORACLE_FUZZ_RESULTS=$FUZZRES "$ORACLE_DIR/fuzz.sh" --seed "$fseed" --count 1 --no-compare || rc=$?
  [ $rc = 0 ] || { echo "oracle: INFRASTRUCTURE FAILURE: random topology seed $fseed never produced a complete capture (not a disagreement; see above)" >&2; exit 3; }
fi

# the nested QEMU oracle (oracle/qemu/run.sh): one inner QEMU version per run, rotating with the commit like
# the kernels, every scenario of oracle/qemu/scenarios; NestedQemuAgreementTest and InspectAgreementTest compare
# below. BARMAP_ORACLE_QEMU=7.2|10.0|11.1 picks the version, BARMAP_ORACLE_QEMU=0 leaves it out;
# BARMAP_ORACLE_NESTED_KERNEL=6.1|6.12|7 picks the outer guest's kernel.
NESTEDRES=""
QEMUVERS=(7.2 10.0 11.1)
qv=${BARMAP_ORACLE_QEMU:-}
if [ -z "$qv" ]; then
  qv=${QEMUVERS[$(( (16#${rev:0:7} / 3) % ${#QEMUVERS[@]} ))]}
fi
if [ "$qv" != 0 ]; then
  # the outer guest's kernel rotates as well (every generation is set up above; the committed runs are on 6.1,
  # 6.12 and 7.x were tried by hand on 2026-11-30 and agreed)
  nk=${BARMAP_ORACLE_NESTED_KERNEL:-${KERNELS[$(( (16#${rev:0:7} / 9) % ${#KERNELS[@]} ))]}}
  step "nested QEMU oracle: inner QEMU $qv, outer kernel $nk (replay: BARMAP_ORACLE_KERNEL=$nk oracle/qemu/run.sh $qv)"
  echo "$kernels" | grep -qx "$nk" || "$ORACLE_DIR/setup.sh" "$nk"
  NESTEDRES=$WORK/qemu-nested-ci
  rm -rf "$NESTEDRES"
  rc=0
  BARMAP_ORACLE_KERNEL=$nk BARMAP_ORACLE_QEMU=$qv BARMAP_GUEST_JAVA="$BARMAP_JAVA_HOME" "$ORACLE_DIR/qemu/run.sh" "$qv" "$NESTEDRES" || rc=$?
  [ $rc = 0 ] || { echo "oracle: INFRASTRUCTURE FAILURE: the nested QEMU $qv runs never finished (not a disagreement; see above)" >&2; exit 3; }
fi

step "OracleIT"
# -am: the model and host modules come from this reactor, never from ~/.m2 (which other checkouts on
# the machine may have overwritten with their own snapshot); -Dtest=NONE: only the IT (./check ran the rest)
(cd "$REPO" && mvn -B -ntp -q -Dstyle.color=never -Poracle -pl barmap-vfio -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbarmap.oracle.scenarios="$(echo $SCENARIOS | tr ' ' ,)" -Dbarmap.oracle.results="$WORK/results" -Dbarmap.oracle.fuzz="$FUZZRES") || {
  for f in "$REPO"/barmap-vfio/target/failsafe-reports/*.txt; do sed -n '1,60p' "$f"; done >&2
  die "DISAGREEMENT: the real kernel and the model disagree (or a guest check failed): see above (never retried)"
}
if [ -n "$NESTEDRES" ]; then
  step "nested QEMU $qv: NestedQemuAgreementTest (model vs QEMU, line for line) and NestedInspectAgreementTest (live vs offline inspect)"
  (cd "$REPO" && mvn -B -ntp -q -Dstyle.color=never -pl barmap-cli -am test -Dtest='NestedQemuAgreementTest,NestedInspectAgreementTest' \
    -Dsurefire.failIfNoSpecifiedTests=false -Dbarmap.nested.runs="$NESTEDRES") || {
    for f in "$REPO"/barmap-{host,cli}/target/surefire-reports/*Nested*.txt; do sed -n '1,80p' "$f"; done >&2
    die "DISAGREEMENT: the real QEMU $qv and the model (or barmap inspect) disagree: see above (never retried)"
  }
fi
for s in $SCENARIOS; do
  log "$s: $(grep -o 'wall-clock.*' "$WORK/results/$s/console.log"), $(sed -n 's/^kernel.release=//p' "$WORK/results/$s/oracle-run.properties")"
done
step "oracle passed"
