package dev.barmap.model.vmm.qemu.monitor;

import dev.barmap.model.memory.MemoryRegion;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.qemu.QemuMachine;
import dev.barmap.model.vmm.qemu.QemuOptions;
import dev.barmap.model.vmm.qemu.QemuPciFunction.VfioPci;
import dev.barmap.model.vmm.qemu.monitor.Inspection.BarReport;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Run;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump.GuestBar;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump.Range;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code barmap inspect}'s comparison with barmap's own QEMU model: what barmap predicts for the host's devices, placed
 * where the guest put them, against what the running QEMU really did, page by page.
 *
 * <p>The prediction: a {@link QemuMachine} with every host BDF the dump shows as a vfio BAR realized with
 * {@link QemuOptions#DEFAULT} from the host's own facts ({@link HostDevice}, as {@code barmap plan} sees the host),
 * each memory BAR programmed at the guest address the dump shows (guest BDF order, BARs in index order: the final
 * addresses only, not how the guest got there). The real flat view's other ranges over the same pages (emulated
 * devices' BARs: anything not a vfio region of a passed-through device nor the MSI-X table or PBA inside one) go in
 * as stand-in regions at their printed priority, added last, so the comparison isolates the vfio side. The model's
 * map is printed as {@code info mtree -f} and {@code info mtree} print it and read back by {@link MonitorDump}, with
 * the real {@code info pci}, and judged by the same {@link Inspection}.
 */
public sealed interface Prediction {
    /** No prediction: why (barmap's reasons, rendered by the report). */
    record NotMade(Optional<String> host, Why why) implements Prediction {}

    /**
     * A prediction over the dump's memory BARs.
     *
     * @param host        where the host's facts came from ("live host" or the capture directory)
     * @param pages       the guest pages of the real memory BARs
     * @param differences runs of pages where the real verdict and barmap's differ, in BAR and address order
     */
    record Made(String host, long pages, List<Difference> differences) implements Prediction {
        public Made {
            differences = List.copyOf(differences);
        }

        public long agreeingPages() { return pages - differences.stream().mapToLong(Difference::pages).sum(); }
    }

    /** Why no prediction was made. */
    sealed interface Why {
        /** Offline input and no host files named (--root). */
        record NoHostGiven() implements Why {}

        /** The live host's files at {@code path} could not be read (not the QEMU host, not permitted, or malformed). */
        record LiveHostUnreadable(String path, String error) implements Why {}

        /** The host's page size is not QEMU's host page size given to inspect: the files are of another host. */
        record PageSizeDiffers(long hostPage, long qemuPage) implements Why {}
    }

    /**
     * Pages [{@code start}, {@code start + pages × page}) of one BAR where the verdicts differ.
     *
     * @param predicted barmap's verdict; empty when barmap has none for this BAR ({@code missing} says why)
     * @param possibly  what could explain the difference, none of them asserted
     */
    record Difference(String hostBdf, int bar, long start, long pages, Verdict real, Optional<Verdict> predicted,
                      Optional<Missing> missing, List<Possibly> possibly) {
        public Difference {
            possibly = List.copyOf(possibly);
        }
    }

    /** Why barmap has no verdict of its own for a BAR the real QEMU passes through. */
    sealed interface Missing {
        /** The host's files have no passthrough candidate with this BDF. */
        record NoHostDevice() implements Missing {}

        /** The host's device has no such BAR (QEMU adds one for x-msix-relocation to a BAR the device lacks). */
        record NoHostBar() implements Missing {}

        /** barmap's QEMU model refuses the device with QEMU's error (realize fails with default options). */
        record RealizeFailed(String error) implements Missing {}
    }

    /** Possible explanations of a difference (none can be told from the dump; each is only named). */
    enum Possibly {
        /** {@code x-no-mmap=on} on the device: QEMU never mmaps its BARs (hw/vfio/pci.c vfio_pci_dev_properties). */
        X_NO_MMAP,
        /** QEMU disables the mmaps while an INTx is pending (hw/vfio/pci.c vfio_intx_interrupt → vfio_mmap_set_enabled). */
        INTX_MMAPS_OFF,
        /** {@code x-msix-relocation=barN}: QEMU moved the MSI-X table and grew a BAR (hw/vfio/pci.c vfio_pci_relocate_msix). */
        X_MSIX_RELOCATION,
        /**
         * How the guest got to these addresses: a sub-page BAR first placed on a page keeps a page-sized base BAR after
         * a move (hw/vfio/pci.c vfio_sub_page_bar_update_mapping); the model sees final addresses only.
         */
        BAR_HISTORY,
        /** The host's files are not what QEMU opened (read at another time, or of another host). */
        HOST_CHANGED
    }

    /** The names of vfio's regions: "HOSTBDF BAR n", "HOSTBDF base BAR n", "HOSTBDF BAR n mmaps[k]" (hw/vfio/pci.c, hw/vfio/region.c). */
    Pattern VFIO_REGION = Pattern.compile("^\\S+ (?:base )?BAR \\d(?: mmaps\\[\\d+\\])?$");

    /**
     * barmap's prediction for {@code dump} (already inspected as {@code real}) on a host with {@code devices}
     * ({@code HostDevices.of(host)}), read from {@code hostSource}.
     */
    static Prediction of(MonitorDump dump, Inspection real, String hostSource, List<HostDevice> devices) {
        long page = real.pageSize();
        if (real.memoryPages() == 0) return new Made(hostSource, 0, List.of());
        var machine = new QemuMachine(page);
        Map<String, Optional<Missing>> missingDevice = new LinkedHashMap<>();
        Map<String, VfioPci> realized = new LinkedHashMap<>();
        List<BarReport> memBars = real.bars().stream().filter(b -> !b.io()).toList();
        for (BarReport b : real.bars()) {
            if (missingDevice.containsKey(b.hostBdf())) continue;
            Optional<HostDevice> hd = devices.stream().filter(d -> d.bdf().equals(b.hostBdf())).findFirst();
            if (hd.isEmpty()) {
                missingDevice.put(b.hostBdf(), Optional.of(new Missing.NoHostDevice()));
                continue;
            }
            switch (VfioPci.realize(machine, hd.get(), QemuOptions.DEFAULT)) {
                case VfioPci.Realized.Ok ok -> {
                    realized.put(b.hostBdf(), ok.device());
                    missingDevice.put(b.hostBdf(), Optional.empty());
                }
                case VfioPci.Realized.Failed f -> missingDevice.put(b.hostBdf(), Optional.of(new Missing.RealizeFailed(f.error())));
            }
        }
        // the guest's placement: memory BARs in guest BDF order (info pci), then BAR index; a BAR info pci does not
        // show at its base's address goes last
        Map<BarReport, Optional<Missing>> missing = new LinkedHashMap<>();
        List<BarReport> order = new ArrayList<>(memBars);
        order.sort(Comparator.comparing((BarReport b) -> b.guestBdf().orElse("~")).thenComparingInt(BarReport::bar));
        int programmed = 0;
        for (BarReport b : order) {
            Optional<Missing> m = missingDevice.get(b.hostBdf());
            if (m.isEmpty()) {
                VfioPci d = realized.get(b.hostBdf());
                if (d.barMemory(b.bar()) == null || d.isIoBar(b.bar())) {
                    m = Optional.of(new Missing.NoHostBar());
                } else {
                    d.programBar(b.bar(), b.start());
                    programmed++;
                }
            }
            missing.put(b, m);
        }
        // the real flat view's other ranges over these pages, as stand-ins
        var bases = new ArrayList<Range>();
        for (Range r : dump.regions()) if (Inspection.BASE.matcher(r.name()).matches() && r.addressSpace().equals("memory")) bases.add(r);
        var seen = new LinkedHashSet<Range>();
        for (BarReport b : memBars) {
            long lo = b.start() & -page, hi = ((b.start() + b.size() - 1) | (page - 1)) + 1;
            for (Range r : dump.flat()) {
                if (!r.intersects(lo, hi) || VFIO_REGION.matcher(r.name()).matches()) continue;
                boolean vfioMsix = (r.name().equals("msix-table") || r.name().equals("msix-pba"))
                        && bases.stream().anyMatch(x -> Long.compareUnsigned(x.start(), r.start()) <= 0 && Long.compareUnsigned(r.end(), x.end()) <= 0);
                if (!vfioMsix) seen.add(r);
            }
        }
        for (Range r : seen) machine.pciMemory().addSubregionOverlap(r.start(), MemoryRegion.io(r.name(), r.end() - r.start() + 1), r.prio());
        // nothing programmed: every BAR is missing, no map to inspect
        List<BarReport> mine = programmed == 0 ? List.of() : Inspection.of(predictedDump(machine, dump, hostSource), page).bars();

        var diffs = new ArrayList<Difference>();
        for (BarReport b : memBars) {
            Optional<Missing> m = missing.get(b);
            Optional<BarReport> p = m.isPresent() ? Optional.empty()
                    : mine.stream().filter(x -> x.hostBdf().equals(b.hostBdf()) && x.bar() == b.bar() && !x.io()).findFirst();
            if (m.isEmpty() && p.isEmpty()) m = Optional.of(new Missing.NoHostBar()); // not reached: the model maps every programmed BAR
            long hostSize = m.isEmpty() ? realized.get(b.hostBdf()).barSize(b.bar()) : -1;
            // cut the BAR's pages where either side's runs change; each piece has one real and one predicted verdict
            var cuts = new TreeSet<Long>(Long::compareUnsigned);
            for (Run r : b.runs()) cuts.add(r.start());
            Run lastRun = b.runs().getLast();
            long end = lastRun.start() + lastRun.pages() * page;
            cuts.add(end);
            p.ifPresent(x -> x.runs().forEach(r -> {
                if (Long.compareUnsigned(r.start(), cuts.first()) > 0 && Long.compareUnsigned(r.start(), end) < 0) cuts.add(r.start());
            }));
            Long prev = null;
            for (long c : cuts) {
                if (prev != null) {
                    long at = prev;
                    Verdict rv = verdictAt(b, at, page);
                    Optional<Verdict> pv = p.map(x -> verdictAt(x, at, page));
                    if (pv.isEmpty() || !pv.get().equals(rv)) {
                        diffs.add(new Difference(b.hostBdf(), b.bar(), at, (c - at) / page, rv, pv, m, possibly(b, rv, pv, m, hostSize, page)));
                    }
                }
                prev = c;
            }
        }
        return new Made(hostSource, real.memoryPages(), merge(diffs, page));
    }

    /** The verdict of the predicted BAR's page at {@code at}; a page outside its runs is judged not mmapped. */
    private static Verdict verdictAt(BarReport b, long at, long page) {
        for (Run r : b.runs()) {
            if (Long.compareUnsigned(r.start(), at) <= 0 && Long.compareUnsigned(at, r.start() + r.pages() * page) < 0) return r.verdict();
        }
        return new Verdict.Trapped(List.of(new Cause.NotMmapped()));
    }

    /** Adjacent differences of one BAR with the same verdicts as one. */
    private static List<Difference> merge(List<Difference> in, long page) {
        var out = new ArrayList<Difference>();
        for (Difference d : in) {
            Difference last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.hostBdf().equals(d.hostBdf()) && last.bar() == d.bar() && last.start() + last.pages() * page == d.start()
                    && last.real().equals(d.real()) && last.predicted().equals(d.predicted())) {
                out.set(out.size() - 1, new Difference(last.hostBdf(), last.bar(), last.start(), last.pages() + d.pages(), last.real(),
                        last.predicted(), last.missing(), last.possibly()));
            } else {
                out.add(d);
            }
        }
        return out;
    }

    /** What could explain a difference, from what the two verdicts and the sizes show. */
    private static List<Possibly> possibly(BarReport b, Verdict real, Optional<Verdict> predicted, Optional<Missing> missing, long hostSize, long page) {
        var out = new LinkedHashSet<Possibly>();
        List<Cause> rc = causes(real), pc = predicted.map(Prediction::causes).orElse(List.of());
        boolean realNotMmapped = rc.stream().anyMatch(c -> c instanceof Cause.NotMmapped);
        boolean predNotMmapped = pc.stream().anyMatch(c -> c instanceof Cause.NotMmapped);
        // QEMU has no mmap where barmap has one: QEMU was told not to mmap, or has them off right now
        if (realNotMmapped && !predNotMmapped && predicted.isPresent()) {
            out.add(Possibly.X_NO_MMAP);
            out.add(Possibly.INTX_MMAPS_OFF);
        }
        // the MSI-X table or PBA elsewhere, a BAR of another size, or a BAR the host's device lacks: relocation moves and grows
        boolean msixDiffers = !rc.stream().filter(Prediction::isMsix).toList().equals(pc.stream().filter(Prediction::isMsix).toList());
        if (missing.filter(m -> m instanceof Missing.NoHostBar).isPresent() || predicted.isPresent() && msixDiffers
                || hostSize >= 0 && b.sizeKnown() && hostSize != b.size()) {
            out.add(Possibly.X_MSIX_RELOCATION);
        }
        // a stale base BAR on either side, or a sub-page BAR both sides mmap (its expansion depends on where it was)
        boolean stale = rc.stream().anyMatch(c -> c instanceof Cause.StaleBaseBar) || pc.stream().anyMatch(c -> c instanceof Cause.StaleBaseBar);
        if (stale || b.size() < page && predicted.isPresent() && !realNotMmapped && !predNotMmapped) out.add(Possibly.BAR_HISTORY);
        out.add(Possibly.HOST_CHANGED);
        return List.copyOf(out);
    }

    private static boolean isMsix(Cause c) {
        return c instanceof Cause.MsixTable || c instanceof Cause.MsixPba;
    }

    private static List<Cause> causes(Verdict v) {
        return v instanceof Verdict.Trapped t ? t.causes() : List.of();
    }

    /**
     * The model's map as QEMU prints it: {@code info mtree -f} of the "memory" address space (FlatView,
     * system/memory.c mtree_print_flatview) and {@code info mtree} of its tree (mtree_print_as), read back by
     * {@link MonitorDump}; {@code info pci} is the real one (the guest's placement is the same by construction).
     */
    private static MonitorDump predictedDump(QemuMachine machine, MonitorDump real, String hostSource) {
        var flat = new StringBuilder("FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n");
        for (String l : machine.flatView().mtreeLines()) flat.append("  ").append(l).append('\n');
        var tree = new StringBuilder("address-space: memory\n");
        for (String l : machine.system().mtreeLines()) tree.append(l).append('\n');
        String source = "barmap's QEMU model for " + hostSource;
        MonitorDump p = MonitorDump.parseAll(source, List.of(source, source), List.of(flat.toString(), tree.toString()));
        List<GuestBar> bars = real.bars();
        return new MonitorDump(source, p.flat(), p.regions(), bars, real.pciGiven(), real.accel());
    }
}
