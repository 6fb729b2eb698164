#!/usr/bin/env bash
# P5 scale (issue 14): whole-process time of scan (text, json, html) and plan (every guest placement: seabios,
# linux, slof, a layout FILE; every VMM's newest version, the default) on one host of N PCI functions (N = 1,000,
# 10,000, 100,000 by default), read from generated `lspci -vvvnn` text (bench/p5-scale-gen.py). Prints per command the seconds at each N and the ratio to the smallest N, and the
# time per function relative to the smallest N (1.0 = linear). The time is CPU time (user + system, all threads),
# because the 2 vCPUs are shared with other builds (wall time at load 30 is mostly waiting); wall time is printed
# to stderr as each cell ends. One run per cell (100k runs take long); a cell over the timeout (default 600 s wall)
# is shown as ">TIMEOUT".
# Usage: bench/p5-scale.sh [timeout-seconds] [N...]   (BARMAP=path/to/command to time another launcher)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
limit=${1:-600}; shift || true
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
command -v /usr/bin/time >/dev/null || { echo "needs: apt-get install time" >&2; exit 2; }
barmap=${BARMAP:-./barmap}
$barmap --version >/dev/null
dir=$(mktemp -d /tmp/barmap-p5.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
declare -A t
cmds=("scan" "scan --format json" "scan --format html" "plan --guest seabios" "plan --guest linux" "plan --guest slof"
      "plan --guest FILE")
# P5_CMDS="scan;plan --vmm qemu --guest linux" times only those (plan --guest slof* runs on the ppc64le copy;
# FILE stands for the generated layout file of that N)
if [ -n "${P5_CMDS:-}" ]; then IFS=';' read -r -a cmds <<<"$P5_CMDS"; fi
for n in "${sizes[@]}"; do
  mkdir -p "$dir/x86-$n" "$dir/ppc-$n"
  python3 bench/p5-scale-gen.py "$n" > "$dir/x86-$n/lspci.txt"
  python3 bench/p5-scale-gen.py "$n" --layout > "$dir/x86-$n/layout.txt"
  printf 'arch=x86_64\npageSize=4096\nkernelRelease=6.1.0\n' > "$dir/x86-$n/capture.properties"
  ln -s "$dir/x86-$n/lspci.txt" "$dir/ppc-$n/lspci.txt"
  printf 'arch=ppc64le\npageSize=65536\nkernelRelease=6.1.0\n' > "$dir/ppc-$n/capture.properties"
  for c in "${cmds[@]}"; do
    host="$dir/x86-$n"; [[ $c == *"--guest slof"* ]] && host="$dir/ppc-$n"
    run=${c/FILE/$dir/x86-$n/layout.txt}
    set +e
    # shellcheck disable=SC2086
    /usr/bin/time -o "$dir/time" -f '%e %U %S' timeout "$limit" $barmap $run --lspci "$host/lspci.txt" > /dev/null 2> "$dir/err"; rc=$?
    s=$(tail -1 "$dir/time")
    set -e
    if [ $rc -le 1 ]; then t["$c|$n"]=$(tail -1 <<<"$s" | awk '{printf "%.2f", $2 + $3}'); wall=$(tail -1 <<<"$s" | cut -d' ' -f1)   # 1: plan found an isolation failure, still an answer
    elif [ $rc -eq 124 ]; then t["$c|$n"]=">TIMEOUT"
    else t["$c|$n"]="exit $rc"; head -c 300 "$dir/err" >&2; fi
    echo "  $c @ $n: ${t["$c|$n"]} s CPU, ${wall:-?} s wall" >&2; wall=
  done
done
n0=${sizes[0]}
printf '| command |'; for n in "${sizes[@]}"; do printf ' %s functions [s CPU] |' "$n"; done; for n in "${sizes[@]:1}"; do printf ' %s vs %s |' "$n" "$n0"; done; echo
printf '|:---|'; for _ in "${sizes[@]}" "${sizes[@]:1}"; do printf -- '---:|'; done; echo
for c in "${cmds[@]}"; do
  printf '| `%s` |' "$c"
  for n in "${sizes[@]}"; do printf ' %s |' "${t["$c|$n"]}"; done
  for n in "${sizes[@]:1}"; do
    a=${t["$c|$n0"]}; b=${t["$c|$n"]}
    if [[ $b == "exit"* || $a == "exit"* || $a == ">"* ]]; then printf ' - |'
    elif [[ $b == ">"* ]]; then printf ' > %s× |' "$(awk -v a="$a" -v l="$limit" 'BEGIN{printf "%.0f", l/a}')"
    else printf ' %s× (%.2f per function) |' "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.1f", b/a}')" "$(awk -v a="$a" -v b="$b" -v n="$n" -v m="$n0" 'BEGIN{printf "%.2f", (b/n)/(a/m)}')"; fi
  done
  echo
done
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
