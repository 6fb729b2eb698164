# Sourced by the oracle scripts (after lib.sh): what fetching a Debian kernel and recording a guest run
# have in common across architectures: oracle/setup.sh, oracle/boot.sh and oracle/arm64/ use it.

# What TCG on a loaded host needs (the guest's clocks follow the host's wall clock, so a starved vCPU
# looks to the guest like a broken timer or a stalled CPU):
#   no_timer_check: skip the IO-APIC timer check, whose failure is the panic "timer doesn't work through
#     Interrupt-remapped IO-APIC" (arch/x86/kernel/apic/io_apic.c check_timer) seen on a loaded CI host;
#   rcupdate.rcu_cpu_stall_suppress=1, nowatchdog: no RCU-stall or soft-lockup reports for vCPUs the host
#     did not schedule (they are warnings about the emulator, not about the kernel under test);
#   tsc=reliable: no clocksource watchdog switching to the much slower HPET mid-run.
TCG_ARGS="no_timer_check rcupdate.rcu_cpu_stall_suppress=1 nowatchdog tsc=reliable"

# apt_need PACKAGE...: installs the PACKAGEs that are not installed yet (no recommends)
apt_need() {
  local need=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  [ ${#need[@]} -gt 0 ] || return 0
  log "apt-get install ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# kernel_unpack KPKG KDIR FETCH [APT_OPTION...]: unpacks linux-image-KVER (KPKG) and the
# linux-base/-binary/-modules-KVER packages it depends on (newer Debian kernels are split that way) into
# KDIR with dpkg -x, records the image package's version in KDIR/package-version, makes lib/modules and
# boot/vmlinuz-KVER where depmod and QEMU look for them (trixie and later: merged /usr, and the kernel at
# /usr/lib/modules/KVER/vmlinuz), runs depmod. FETCH is a command that prints a package's .deb path.
kernel_unpack() {
  local kpkg=$1 kdir=$2 fetch=$3 kver p deb pkgs
  shift 3
  kver=${kpkg#linux-image-}
  pkgs=("$kpkg" $(apt-cache "$@" depends "$kpkg" 2>/dev/null | grep -oE "linux-(base|binary|modules)-$(printf %s "$kver" | sed 's/[.+]/\\&/g')\$" | sort -u || true))
  rm -rf "$kdir.tmp" && mkdir -p "$kdir.tmp"
  for p in "${pkgs[@]}"; do
    deb=$("$fetch" "$p") || exit 1
    log "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$kdir.tmp"
    [ "$p" = "$kpkg" ] && dpkg-deb -f "$deb" Version > "$kdir.tmp/package-version"
  done
  [ -d "$kdir.tmp/lib/modules" ] || { [ -d "$kdir.tmp/usr/lib/modules" ] && ln -s usr/lib "$kdir.tmp/lib"; }
  if [ ! -f "$kdir.tmp/boot/vmlinuz-$kver" ] && [ -f "$kdir.tmp/lib/modules/$kver/vmlinuz" ]; then
    mkdir -p "$kdir.tmp/boot" && ln -s "../lib/modules/$kver/vmlinuz" "$kdir.tmp/boot/vmlinuz-$kver"
  fi
  [ -f "$kdir.tmp/boot/vmlinuz-$kver" ] || die "no boot/vmlinuz-$kver in ${pkgs[*]}"
  depmod -b "$kdir.tmp" "$kver"
  rm -rf "$kdir" && mv "$kdir.tmp" "$kdir"
}

# initramfs_modules KDIR KVER ROOT MODULE...: the MODULEs with their dependencies, in load order from
# depmod's modules.dep (so any kernel generation works: modules merged or built in on newer kernels
# simply drop out), decompressed into ROOT/lib/modules/NAME.ko, their names in ROOT/lib/modules/order;
# dies when a MODULE is neither a module nor built in.
initramfs_modules() {
  local kdir=$1 kver=$2 root=$3 order f m
  shift 3
  order=$(awk -v want="$*" '
    function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.(xz|zst|gz))?$/, "", p); return p }
    { sub(/:$/, "", $1); k = base($1); path[k] = $1; deps[k] = ""
      for (i = NF; i >= 2; i--) deps[k] = deps[k] " " base($i) }
    function visit(m,   n, d, j) { if (m in seen) return; seen[m] = 1
      n = split(deps[m], d, " "); for (j = 1; j <= n; j++) visit(d[j]); if (m in path) print path[m] }
    END { n = split(want, w, " "); for (j = 1; j <= n; j++) if (w[j] in path) visit(w[j]) }' "$kdir/lib/modules/$kver/modules.dep")
  mkdir -p "$root/lib/modules"
  : > "$root/lib/modules/order"
  for f in $order; do
    m=$(basename "$f"); m=${m%%.ko*}
    case "$f" in
      *.xz) xz -dc "$kdir/lib/modules/$kver/$f" > "$root/lib/modules/$m.ko";;
      *.zst) zstd -dc "$kdir/lib/modules/$kver/$f" > "$root/lib/modules/$m.ko";;
      *) cp "$kdir/lib/modules/$kver/$f" "$root/lib/modules/$m.ko";;
    esac
    echo "$m" >> "$root/lib/modules/order"
  done
  for m in "$@"; do
    grep -qx "$m" "$root/lib/modules/order" || grep -q "/${m//-/[-_]}\.ko" "$kdir/lib/modules/$kver/modules.builtin" \
      || die "module $m is neither a module nor built into linux-image-$kver"
  done
}

# run_properties ATTEMPT [LINE...]: the body of oracle-run.properties for a guest that finished on
# attempt ATTEMPT: scenario, the LINEs, the kernel package and its exact version, QEMU, the attempts and
# every infrastructure failure before it (from SCEN, KVER, KDIR, QEMU_VERSION, SECS and failures[]).
run_properties() {
  local i=$1 j
  shift
  echo "scenario=$SCEN"
  for j in "$@"; do echo "$j"; done
  echo "kernel.release=$KVER"
  echo "kernel.package=linux-image-$KVER"
  echo "kernel.package.version=$(cat "$KDIR/package-version" 2>/dev/null || echo unknown)"
  echo "qemu=$QEMU_VERSION"
  echo "attempts=$i"
  for j in "${!failures[@]}"; do echo "infrastructure.failure.$((j + 1))=${failures[$j]}"; done
  echo "wall.seconds=$SECS"
}

# console_initramfs KDIR KVER BUSYBOX PROBE OUT: the initramfs of a console-only guest (no 9p, no JVM):
# BUSYBOX (a static busybox for the guest's architecture) with the applets oracle/arm64/init uses, that
# init, PROBE (the static C probe, oracle/guest/probe.c) and the vfio modules with their dependencies,
# gzipped to OUT. Used by oracle/arm64/setup.sh and oracle/fuzz.sh (x86_64).
console_initramfs() {
  local kdir=$1 kver=$2 bb=$3 probe=$4 out=$5 r=$5.root a
  rm -rf "$r" && mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
  cp "$bb" "$r/bin/busybox"
  # the applet list of a foreign busybox cannot be asked for on this host: link the ones init uses
  for a in sh mount cat cut sleep echo ls readlink basename insmod od tr grep head tail dmesg sync poweroff kill sed wc; do
    ln -sf busybox "$r/bin/$a"
  done
  cp "$ORACLE_DIR/arm64/init" "$r/init" && chmod +x "$r/init"
  cp "$probe" "$r/probe"
  initramfs_modules "$kdir" "$kver" "$r" vfio_iommu_type1 vfio-pci
  (cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
  mv "$out.tmp" "$out"
  log "initramfs $out: $(stat -c %s "$out") bytes ($(tr '\n' ' ' < "$r/lib/modules/order"))"
  rm -rf "$r"
}

# console_attempt: one boot of a console-only guest (CMD, the QEMU command line) into OUT/console.log,
# judged by its console (STALL seconds of silence, TIMEOUT at most, "Kernel panic" or an oops end it),
# then OUT/capture from the console (oracle/arm64/console2capture.py). Returns 0 with a capture, else 1
# with FAIL set to the reason (an infrastructure failure); SECS is the guest's wall-clock time.
console_attempt() {
  local con=$OUT/console.log pid start now size lastsize=-1 lastchange CONSOLE_HOOK_WAIT=${CONSOLE_HOOK_WAIT:-}
  FAIL=""
  rm -rf "$OUT" && mkdir -p "$OUT"
  echo "HOST: ${CMD[*]}" > "$con"
  start=$(date +%s)
  "${CMD[@]}" </dev/null >> "$con" 2>&1 &
  pid=$!
  lastchange=$start
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.5
    now=$(date +%s); size=$(stat -c %s "$con")
    if [ "$size" != "$lastsize" ]; then lastsize=$size; lastchange=$now; fi
    if grep -q "Kernel panic" "$con"; then FAIL="guest kernel panic: $(grep -m1 -o 'Kernel panic.*' "$con" | tr -d '\r')"; break; fi
    if grep -q "Internal error:" "$con"; then FAIL="guest kernel oops: $(grep -m1 -o 'Internal error:.*' "$con" | tr -d '\r')"; break; fi
    # a console hook (oracle/fuzz.sh's hot-adds): CONSOLE_HOOK runs once when CONSOLE_HOOK_WAIT appears
    if [ -n "${CONSOLE_HOOK_WAIT:-}" ] && grep -q "$CONSOLE_HOOK_WAIT" "$con"; then "$CONSOLE_HOOK"; CONSOLE_HOOK_WAIT=""; fi
    [ $((now - lastchange)) -ge "$STALL" ] && { FAIL="guest stalled: no console output for ${STALL}s (last line: $(tail -1 "$con" | tr -d '\r' | cut -c1-120))"; break; }
    [ $((now - start)) -ge "$TIMEOUT" ] && { FAIL="guest still running after ${TIMEOUT}s (BARMAP_ORACLE_TIMEOUT)"; break; }
  done
  if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; sleep 1; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  SECS=$(( $(date +%s) - start ))
  echo "HOST: wall-clock $SECS s" >> "$con"
  [ -n "$FAIL" ] && return 1
  grep -q "ORACLE: ===== DONE" "$con" || { FAIL="the guest powered off before it finished (last line: $(grep -v '^HOST:' "$con" | tail -1 | tr -d '\r' | cut -c1-120))"; return 1; }
  # CONSOLE_DEFER=1: the caller turns the console into a capture itself (oracle/fuzz.sh, while the next guest boots)
  [ "${CONSOLE_DEFER:-0}" = 1 ] && return 0
  console_capture "$OUT" || { FAIL="no capture from the console: $(cat "$OUT/console2capture.err")"; return 1; }
}

# console_capture DIR: DIR/capture from DIR/console.log (oracle/arm64/console2capture.py); its error in
# DIR/console2capture.err
console_capture() {
  "$PY" "$ORACLE_DIR/arm64/console2capture.py" <(grep -v '^HOST:' "$1/console.log") "$1/capture" 2>"$1/console2capture.err"
}

# kernel_vmlinux VMLINUZ OUT: the ELF vmlinux inside a bzImage (its xz or zstd payload), as the kernel's
# own scripts/extract-vmlinux finds it (the first offset of the compressor's magic that decompresses to
# an ELF file). QEMU boots it through its PVH note (oracle/fuzz.sh).
kernel_vmlinux() {
  local img=$1 out=$2 magic dec pos
  for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd'; do
    dec=${magic%%:*}
    for pos in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" | cut -d: -f1); do
      tail -c +$((pos + 1)) "$img" | "$dec" -dc > "$out.tmp" 2>/dev/null || true
      if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then mv "$out.tmp" "$out"; return 0; fi
    done
  done
  rm -f "$out.tmp"
  die "no xz or zstd payload that decompresses to an ELF vmlinux in $img"
}
