package dev.barmap.model.vmm.qemu.monitor;

import dev.barmap.model.memory.KvmSlots;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump.GuestBar;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump.Range;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code barmap inspect}: for every BAR a running QEMU passes through with vfio-pci, which guest pages reach
 * the device directly and which trap to QEMU, and why, read from QEMU's own memory map ({@link MonitorDump}).
 *
 * <p>A page is direct when KVM can back it with a memory slot that maps the device's BAR: QEMU gives KVM one
 * slot per RAM section of the flat view, rounded inward to whole host pages (accel/kvm/kvm-all.c
 * kvm_align_section), and vfio's mmap of a BAR is such a RAM section, a RAM-device region named
 * "{@code HOSTBDF BAR n mmaps[k]}" (hw/vfio/region.c vfio_region_mmap, QEMU 7.2-11.x; hw/vfio/common.c before
 * 8.2). Everything else of the BAR is served by QEMU: the vfio region "{@code HOSTBDF BAR n}" (a read or write
 * through the device fd), or an emulated region on top (MSI-X table and PBA), or another device's BAR that
 * wins the page.
 */
public record Inspection(String source, long pageSize, Optional<String> accel, boolean sizesKnown, List<BarReport> bars) {
    public Inspection {
        bars = List.copyOf(bars);
    }

    /**
     * One passed-through BAR.
     *
     * @param guestBdf  the guest's bus:device.function, when {@code info pci} shows a BAR at this address
     * @param sizeKnown false when {@code info pci} was not given: the size is then that of QEMU's region, which
     *                  QEMU expands to a page for a page-aligned sub-page BAR (so the true size is unknown)
     * @param runs      the BAR's pages in address order, consecutive pages with the same verdict as one run
     */
    public record BarReport(String hostBdf, int bar, Optional<String> guestBdf, boolean io, long start, long size, boolean sizeKnown,
                            boolean mmapped, List<Run> runs) {
        public BarReport {
            runs = List.copyOf(runs);
        }

        public long directPages() { return runs.stream().filter(r -> r.verdict() instanceof Verdict.Direct).mapToLong(Run::pages).sum(); }

        public long pages() { return runs.stream().mapToLong(Run::pages).sum(); }
    }

    /** Pages [{@code start}, {@code start + pages × pageSize}) with one verdict. */
    public record Run(long start, long pages, Verdict verdict) {}

    /** A page's verdict. */
    public sealed interface Verdict {
        /** Backed by a KVM memory slot over the vfio mmap: the guest's accesses reach the device without exits. */
        record Direct() implements Verdict {}

        /** Every access exits to QEMU; the causes, all that apply. */
        record Trapped(List<Cause> causes) implements Verdict {
            public Trapped {
                causes = List.copyOf(causes);
            }
        }
    }

    /** Why a page traps. */
    public sealed interface Cause {
        /** Where the rule comes from, for the reader. */
        String source();

        /** A port-I/O BAR: KVM has no memory slots for I/O space, every in/out exits. */
        record IoPort() implements Cause {
            public String source() { return "KVM: port I/O always exits (kvm_handle_io)"; }
        }

        /** QEMU's emulated MSI-X table is on top of this part of the BAR. */
        record MsixTable(long start, long end) implements Cause {
            public String source() { return "hw/pci/msix.c msix_init (\"msix-table\"), hw/vfio/pci.c vfio_msix_setup"; }
        }

        /** QEMU's emulated MSI-X PBA is on top of this part of the BAR. */
        record MsixPba(long start, long end) implements Cause {
            public String source() { return "hw/pci/msix.c msix_init (\"msix-pba\"), hw/vfio/pci.c vfio_msix_setup"; }
        }

        /**
         * No RAM-device region of this BAR is in QEMU's tree: the host's vfio region is not mmappable (no
         * VFIO_REGION_INFO_FLAG_MMAP), QEMU runs with x-no-mmap, or QEMU has the mmaps disabled right now (INTx
         * pending); {@code info mtree} without -D does not show which.
         */
        record NotMmapped() implements Cause {
            public String source() { return "hw/vfio/pci.c vfio_bar_register, vfio_intx_interrupt → vfio_mmap_set_enabled"; }
        }

        /** Another region (another device's BAR, or an emulated one) takes part of the page. */
        record OtherRegion(String name, long start, long end) implements Cause {
            public String source() { return "system/memory.c render_memory_region (higher priority, or added later, wins)"; }
        }

        /**
         * Another vfio BAR's page-sized base BAR, left page-sized after the guest moved that BAR from a
         * page-aligned to an unaligned address, takes part of the page.
         */
        record StaleBaseBar(String name, long start, long end) implements Cause {
            public String source() { return "hw/vfio/pci.c vfio_sub_page_bar_update_mapping (base BAR only grows)"; }
        }

        /** This BAR's mmap covers the page only in part: kvm_align_section leaves no whole host page for a slot. */
        record SlotMisaligned(long start, long end) implements Cause {
            public String source() { return "accel/kvm/kvm-all.c kvm_align_section (whole host pages only)"; }
        }
    }

    /** "0000:00:06.0 BAR 0" and its variants (hw/vfio/pci.c vfio_populate_device / vfio_bars_register names). */
    static final Pattern BASE = Pattern.compile("^(\\S+) base BAR (\\d)$");
    private static final Pattern REGION = Pattern.compile("^(\\S+) BAR (\\d)$");
    private static final Pattern MMAP = Pattern.compile("^(\\S+) BAR (\\d) mmaps\\[\\d+\\]$");

    /** Inspects {@code dump} with QEMU's host page size {@code pageSize} (qemu_real_host_page_size). */
    public static Inspection of(MonitorDump dump, long pageSize) {
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) throw new IllegalArgumentException("page size not a power of two: " + pageSize);
        // the vfio BARs: their base BAR containers in the memory and I/O trees, first appearance (the tree of
        // "memory" also lists the same regions under other address spaces sharing the root)
        Map<String, Range> bases = new LinkedHashMap<>();
        var mmapped = new TreeSet<String>();
        Map<String, Range> regionOf = new LinkedHashMap<>();
        for (Range r : dump.regions()) {
            Matcher b = BASE.matcher(r.name());
            if (b.matches()) bases.putIfAbsent(r.name().replace(" base BAR ", " BAR "), r);
            Matcher m = MMAP.matcher(r.name());
            if (m.matches()) mmapped.add(m.group(1) + " BAR " + m.group(2));
            Matcher g = REGION.matcher(r.name());
            if (g.matches()) regionOf.putIfAbsent(r.name(), r);
        }
        var reports = new ArrayList<BarReport>();
        for (var e : bases.entrySet()) {
            Range base = e.getValue();
            Matcher n = REGION.matcher(e.getKey());
            if (!n.matches()) continue;
            String host = n.group(1);
            int bar = Integer.parseInt(n.group(2));
            boolean io = base.addressSpace().equals("I/O");
            Optional<GuestBar> g = dump.bars().stream().filter(x -> x.start() == base.start() && x.io() == io).findFirst();
            long size = g.map(GuestBar::size).orElseGet(() -> {
                Range r = regionOf.get(e.getKey());
                return (r != null ? r : base).end() - base.start() + 1;
            });
            boolean known = g.isPresent();
            List<Run> runs = io ? List.of(new Run(base.start(), 1, new Verdict.Trapped(List.of(new Cause.IoPort()))))
                    : runs(dump, e.getKey(), base.start(), size, pageSize, mmapped.contains(e.getKey()));
            reports.add(new BarReport(host, bar, g.map(GuestBar::guestBdf), io, base.start(), size, known, mmapped.contains(e.getKey()), runs));
        }
        reports.sort((a, b) -> a.hostBdf().equals(b.hostBdf()) ? Integer.compare(a.bar(), b.bar()) : a.hostBdf().compareTo(b.hostBdf()));
        return new Inspection(dump.source(), pageSize, dump.accel(), dump.pciGiven(), reports);
    }

    /**
     * The BAR's pages as runs. A page's verdict depends only on which flat ranges touch it and which slots
     * cover it; both change only at page-rounded range boundaries, so each stretch between two such boundaries
     * is judged once (a 64 GiB BAR is not walked page by page).
     */
    private static List<Run> runs(MonitorDump dump, String barName, long start, long size, long page, boolean mmapped) {
        long lo = start & -page, hi = KvmSlots.roundUp(start + size, page);
        List<Range> touching = dump.flat().stream().filter(r -> r.intersects(lo, hi)).toList();
        var cuts = new TreeSet<Long>((a, b) -> Long.compareUnsigned(a, b));
        cuts.add(lo);
        cuts.add(hi);
        var slots = new ArrayList<long[]>();
        for (Range r : touching) {
            add(cuts, r.start() & -page, lo, hi);
            add(cuts, KvmSlots.roundUp(r.endExclusive(), page), lo, hi);
            if (r.isRam() && isMmapOf(r.name(), barName)) {
                long d = KvmSlots.alignedDelta(r.start(), r.endExclusive() - r.start(), page);
                if (d >= 0) {
                    long s = r.start() + d, e = s + ((r.endExclusive() - r.start() - d) & -page);
                    slots.add(new long[] {s, e});
                    add(cuts, s, lo, hi);
                    add(cuts, e, lo, hi);
                }
            }
        }
        var runs = new ArrayList<Run>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null) {
                Verdict v = verdict(prev, page, start, size, barName, touching, slots, mmapped);
                long pages = (c - prev) / page;
                Run last = runs.isEmpty() ? null : runs.getLast();
                if (last != null && last.verdict().equals(v) && last.start() + last.pages() * page == prev) {
                    runs.set(runs.size() - 1, new Run(last.start(), last.pages() + pages, v));
                } else {
                    runs.add(new Run(prev, pages, v));
                }
            }
            prev = c;
        }
        return runs;
    }

    private static void add(TreeSet<Long> cuts, long v, long lo, long hi) {
        if (Long.compareUnsigned(v, lo) > 0 && Long.compareUnsigned(v, hi) < 0) cuts.add(v);
    }

    private static boolean isMmapOf(String name, String barName) {
        return name.startsWith(barName + " mmaps[");
    }

    private static boolean isOwn(String name, String barName) {
        return name.equals(barName) || isMmapOf(name, barName) || name.equals(barName.replace(" BAR ", " base BAR "));
    }

    /** The verdict of the page at {@code p} for the BAR [start, start + size). */
    private static Verdict verdict(long p, long page, long start, long size, String barName, List<Range> touching, List<long[]> slots,
                                   boolean mmapped) {
        long a = Long.compareUnsigned(p, start) > 0 ? p : start;
        long b = Long.compareUnsigned(p + page, start + size) < 0 ? p + page : start + size; // the BAR's part of the page
        for (long[] s : slots) {
            if (Long.compareUnsigned(s[0], a) <= 0 && Long.compareUnsigned(b, s[1]) <= 0) return new Verdict.Direct();
        }
        var causes = new ArrayList<Cause>();
        boolean ownRam = false;
        long ownLo = 0, ownHi = 0; // the part of the BAR's page share its own mmap pieces cover in the flat view
        for (Range r : touching) {
            if (!r.intersects(p, p + page)) continue;
            String n = r.name();
            if (isOwn(n, barName)) {
                if (r.isRam() && isMmapOf(n, barName) && r.intersects(a, b)) {
                    long lo = Long.compareUnsigned(r.start(), a) > 0 ? r.start() : a;
                    long hi = Long.compareUnsigned(r.end(), b - 1) < 0 ? r.end() : b - 1;
                    if (!ownRam || Long.compareUnsigned(lo, ownLo) < 0) ownLo = lo;
                    if (!ownRam || Long.compareUnsigned(hi, ownHi) > 0) ownHi = hi;
                    ownRam = true;
                }
                continue;
            }
            if (n.equals("msix-table") && r.intersects(a, b)) causes.add(new Cause.MsixTable(r.start(), r.end()));
            else if (n.equals("msix-pba") && r.intersects(a, b)) causes.add(new Cause.MsixPba(r.start(), r.end()));
            else if (BASE.matcher(n).matches()) causes.add(new Cause.StaleBaseBar(n, r.start(), r.end()));
            else causes.add(new Cause.OtherRegion(n, r.start(), r.end()));
        }
        if (!mmapped || !ownRam && causes.isEmpty()) causes.addFirst(new Cause.NotMmapped());
        else if (ownRam) causes.addFirst(new Cause.SlotMisaligned(ownLo, ownHi)); // the mmap is there, but no whole page of it
        return new Verdict.Trapped(causes);
    }

    /** Direct pages over all memory BARs. */
    public long directPages() { return bars.stream().filter(b -> !b.io()).mapToLong(BarReport::directPages).sum(); }

    /** Pages of all memory BARs. */
    public long memoryPages() { return bars.stream().filter(b -> !b.io()).mapToLong(BarReport::pages).sum(); }
}
