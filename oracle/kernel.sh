# Sourced by the oracle scripts (after lib.sh): what fetching a Debian kernel and recording a guest run
# have in common across architectures: oracle/setup.sh, oracle/boot.sh and oracle/arm64/ use it.

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
