package dev.barmap.model.plan;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.vmm.DirectMapping;
import dev.barmap.model.vmm.EmulatedRange;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Source;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.VmmRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For each passthrough BAR and each VMM: the guest pages that are direct, the pages that trap and why, or the
 * VMM's boot failure; with the isolation check run on every column.
 *
 * @param hostPageSize host page size (KVM slot granularity)
 * @param firmware     the guest placement's id
 * @param columns      one per VMM, in the order asked
 */
public record Plan(long hostPageSize, String firmware, List<VmmColumn> columns) {
    public Plan {
        columns = List.copyOf(columns);
    }

    /** Run every policy on the topology under the firmware's placement. */
    public static Plan compute(Topology topology, GuestFirmware firmware, List<VmmPolicy> vmms, long hostPageSize) {
        if (hostPageSize <= 0 || Long.bitCount(hostPageSize) != 1) throw new IllegalArgumentException("page size " + hostPageSize);
        var cols = new ArrayList<VmmColumn>();
        for (VmmPolicy vmm : vmms) {
            VmmRun run = vmm.run(topology, firmware, hostPageSize);
            cols.add(column(vmm, run, topology, hostPageSize));
        }
        return new Plan(hostPageSize, firmware.id(), cols);
    }

    /** True when no column has an isolation violation. */
    public boolean isolated() { return columns.stream().allMatch(c -> c.violations().isEmpty()); }

    public VmmColumn column(String vmm) {
        return columns.stream().filter(c -> c.vmm().equals(vmm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no column " + vmm));
    }

    static VmmColumn column(VmmPolicy vmm, VmmRun run, Topology topology, long page) {
        var bars = new ArrayList<BarVerdict>();
        var index = new RunIndex(run);
        for (Passthrough p : topology.devices()) {
            for (HostBar hb : p.host().bars()) {
                if (hb.size() == 0) continue;
                BarKey k = new BarKey(p.guestName(), hb.index());
                bars.add(verdict(run, index, k, hb, page));
            }
        }
        List<IsolationViolation> violations = Isolation.check(run, page);
        return new VmmColumn(vmm.id(), vmm.label(), vmm.sources().stream().map(Source::toString).toList(),
                run.failure().orElse(null), bars, violations, run.warnings(), run.layout() == null ? "" : run.layout().firmware());
    }

    static BarVerdict verdict(VmmRun run, RunIndex index, BarKey k, HostBar hb, long page) {
        GuestBar gb = run.guestBars().get(k);
        String note = run.notes().getOrDefault(k, "");
        long guestSize = gb == null ? 0 : gb.size();
        if (run.failure().isPresent()) {
            return new BarVerdict(k.device(), k.index(), hb.hostStart(), hb.size(), guestSize, -1, BarVerdict.Summary.FAILED, List.of(), note);
        }
        Long addr = run.layout() == null ? null : run.layout().addresses().get(k);
        if (gb == null || addr == null) {
            TrapReason r = gb == null ? TrapReason.NOT_EXPOSED : hb.io() ? TrapReason.IO_PORT : TrapReason.UNASSIGNED;
            String detail = gb == null ? note : run.layout() == null ? "" : run.layout().unassigned().getOrDefault(k, "");
            var runs = List.of(new PageRun(-1, -1, PageRun.State.TRAPPED, List.of(r), detail, -1, null));
            return new BarVerdict(k.device(), k.index(), hb.hostStart(), hb.size(), guestSize, -1, BarVerdict.Summary.TRAPPED, runs, note);
        }
        if (hb.io()) {
            var runs = List.of(new PageRun(addr, addr + gb.size(), PageRun.State.TRAPPED, List.of(TrapReason.IO_PORT), "", -1, null));
            return new BarVerdict(k.device(), k.index(), hb.hostStart(), hb.size(), guestSize, addr, BarVerdict.Summary.TRAPPED, runs, note);
        }
        long first = addr & -page, end = (addr + gb.size() + page - 1) & -page;
        var runs = new ArrayList<PageRun>();
        for (long pg = first; pg < end; pg += page) {
            PageRun r = classify(run, index, k, hb, gb, addr, pg, page);
            if (!runs.isEmpty()) {
                PageRun last = runs.getLast();
                boolean contiguousHost = last.state() != PageRun.State.TRAPPED
                        ? last.hostStart() + (last.guestEnd() - last.guestStart()) == r.hostStart() : true;
                if (last.guestEnd() == r.guestStart() && last.state() == r.state() && last.reasons().equals(r.reasons())
                        && last.detail().equals(r.detail()) && contiguousHost && java.util.Objects.equals(last.shadowedBy(), r.shadowedBy())) {
                    runs.set(runs.size() - 1, new PageRun(last.guestStart(), r.guestEnd(), last.state(), last.reasons(), last.detail(), last.hostStart(), last.shadowedBy()));
                    continue;
                }
            }
            runs.add(r);
        }
        boolean anyShadow = runs.stream().anyMatch(r -> r.state() == PageRun.State.SHADOWED);
        boolean allDirect = runs.stream().allMatch(r -> r.state() == PageRun.State.DIRECT);
        boolean noneDirect = runs.stream().noneMatch(r -> r.state() == PageRun.State.DIRECT);
        var summary = anyShadow ? BarVerdict.Summary.SHADOWED : allDirect ? BarVerdict.Summary.DIRECT
                : noneDirect ? BarVerdict.Summary.TRAPPED : BarVerdict.Summary.PARTIAL;
        return new BarVerdict(k.device(), k.index(), hb.hostStart(), hb.size(), guestSize, addr, summary, runs, note);
    }

    /** The fate of guest page [pg, pg + page) of BAR k placed at addr. */
    static PageRun classify(VmmRun run, RunIndex index, BarKey k, HostBar hb, GuestBar gb, long addr, long pg, long page) {
        long pgEnd = pg + page;
        DirectMapping d = index.slotHolding(pg, pgEnd);
        if (d != null) {
            long host = d.hostStart() + (pg - d.guestStart());
            if (d.owner().equals(k)) return new PageRun(pg, pgEnd, PageRun.State.DIRECT, List.of(), "", host, null);
            return new PageRun(pg, pgEnd, PageRun.State.SHADOWED, List.of(), "", host, d.owner().toString());
        }
        var reasons = new ArrayList<TrapReason>();
        var detail = new StringBuilder();
        long barEnd = addr + gb.size();
        long lo = Math.max(pg, addr), hi = Math.min(pgEnd, barEnd);     // the BAR's part of this page
        long offLo = lo - addr;
        for (EmulatedRange e : index.emulatedIn(k)) {
            if (e.guestStart() < pgEnd && e.guestEnd() > pg) {
                TrapReason r = switch (e.kind()) {
                    case MSIX_TABLE -> TrapReason.MSIX_TABLE;
                    case MSIX_PBA -> TrapReason.MSIX_PBA;
                    case QUIRK -> TrapReason.VMM_QUIRK;
                };
                if (!reasons.contains(r)) reasons.add(r);
            }
        }
        if (offLo >= hb.size()) {
            if (reasons.isEmpty()) reasons.add(TrapReason.BEYOND_HOST_BAR);
            return trapped(pg, pgEnd, reasons, detail);
        }
        if (!hb.mmappable()) reasons.addFirst(TrapReason.NOT_MMAPPABLE);
        List<BarKey> others = index.memoryBarsIn(pg, pgEnd, k);
        if (!others.isEmpty()) {
            reasons.add(TrapReason.SHARED_WITH_GUEST_BAR);
            detail.append("with ").append(String.join(", ", others.stream().map(BarKey::toString).toList()));
        }
        if ((addr & (page - 1)) != 0) reasons.add(TrapReason.SLOT_MISALIGNED);
        if (hb.mmappable()) {
            List<MmapArea> mm = run.mmaps().getOrDefault(k, List.of());
            boolean covered = mm.stream().anyMatch(a -> a.offset() <= offLo && a.end() >= Math.min(hi - addr, hb.size()));
            if (!covered && reasons.isEmpty()) reasons.add(hb.size() < page ? TrapReason.SUB_PAGE : TrapReason.VMM_POLICY);
            else if (covered && reasons.isEmpty()) reasons.add(TrapReason.SUB_PAGE);
        }
        if (reasons.isEmpty()) reasons.add(TrapReason.VMM_POLICY);
        String note = run.notes().get(k);
        if (note != null && (reasons.contains(TrapReason.VMM_POLICY) || reasons.contains(TrapReason.SUB_PAGE))) {
            if (!detail.isEmpty()) detail.append("; ");
            detail.append(note);
        }
        return trapped(pg, pgEnd, reasons, detail);
    }

    private static PageRun trapped(long pg, long pgEnd, List<TrapReason> reasons, StringBuilder detail) {
        return new PageRun(pg, pgEnd, PageRun.State.TRAPPED, reasons, detail.toString(), -1, null);
    }

    /**
     * One run's slots, emulated ranges and placed memory BARs, indexed once per column so that classifying a page
     * costs O(log n) instead of a scan of the whole run (issue 14: quadratic at 10k functions). Each lookup answers
     * exactly what the linear scan it replaces answered.
     */
    static final class RunIndex {
        private final List<DirectMapping> direct;
        private final Intervals<DirectMapping> slots;
        private final Map<BarKey, List<EmulatedRange>> emulated = new java.util.HashMap<>();
        private final Intervals<Map.Entry<BarKey, Long>> memoryBars;
        private final Map<BarKey, GuestBar> guestBars;

        RunIndex(VmmRun run) {
            direct = run.direct();
            slots = new Intervals<>(direct, DirectMapping::guestStart, DirectMapping::guestEnd);
            for (EmulatedRange e : run.emulated()) emulated.computeIfAbsent(e.bar(), x -> new ArrayList<>()).add(e);
            guestBars = run.guestBars();
            // GuestLayout.addresses is a TreeMap: list order = BarKey order, the order memoryBarsIn answered in
            List<Map.Entry<BarKey, Long>> placed = run.layout() == null ? List.of()
                    : run.layout().addresses().entrySet().stream()
                        .filter(e -> guestBars.containsKey(e.getKey()) && !guestBars.get(e.getKey()).io()).toList();
            memoryBars = new Intervals<>(placed, Map.Entry::getValue, e -> e.getValue() + guestBars.get(e.getKey()).size());
        }

        /** The first slot (in run order) holding all of [pg, pgEnd), or null. */
        DirectMapping slotHolding(long pg, long pgEnd) {
            if (pgEnd <= pg) { // wrapped past 2^63: the plain scan
                for (DirectMapping d : direct) if (d.guestStart() <= pg && pgEnd <= d.guestEnd()) return d;
                return null;
            }
            for (int i : slots.overlapping(pg, pgEnd)) {
                DirectMapping d = direct.get(i);
                if (d.guestStart() <= pg && pgEnd <= d.guestEnd()) return d;
            }
            return null;
        }

        List<EmulatedRange> emulatedIn(BarKey k) { return emulated.getOrDefault(k, List.of()); }

        /** The other placed memory BARs (BarKey order) whose [address, address + size) meets [start, end). */
        List<BarKey> memoryBarsIn(long start, long end, BarKey except) {
            var out = new ArrayList<BarKey>();
            for (int i : memoryBars.overlapping(start, end)) {
                BarKey key = memoryBars.get(i).getKey();
                if (!key.equals(except)) out.add(key);
            }
            return out;
        }
    }

    /** Guest BARs of every column, for callers that want to show them. */
    public static Map<BarKey, GuestBar> guestBars(VmmRun run) { return run.guestBars(); }
}
