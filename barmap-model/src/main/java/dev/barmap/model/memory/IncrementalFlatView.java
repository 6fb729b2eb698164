package dev.barmap.model.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A flat view (and its KVM slot list) of one root region that follows the region tree as it changes, instead of
 * being rendered again from scratch after every change as QEMU's memory_region_transaction_commit →
 * flatviews_reset → generate_memory_topology does.
 *
 * <p>Every mutation of a region below the root ({@link MemoryRegion#addSubregionOverlap}, {@code delSubregion},
 * {@code setAddress}, {@code setSize}, {@code setEnabled}), also through aliases, reports the address windows it
 * can have changed (the region's extent before and after, clipped by its containers). On commit each window is
 * rendered alone (render_memory_region with the window as clip, taking from every container only the subregions
 * that intersect it, through its address index) and spliced into the sorted range map, then the ranges at the
 * window's edges are merged as flatview_simplify would. Render_memory_region decides every address from the
 * regions covering it alone, so this equals the full render; {@code IncrementalFlatViewPropertiesTest} checks it.
 *
 * <p>Cost per change: O(log n + k + m log m) for k flat ranges replaced and m regions intersecting the window
 * (m ≥ the number of regions that can own an address in it; an alias shown at several places gives one window per
 * place). The {@code info mtree -f} lines and the KVM slots come from the same sorted maps.
 */
public final class IncrementalFlatView implements AutoCloseable {
    private final MemoryRegion root;
    private final long hostPageSize;
    /** The simplified flat ranges, keyed by start. */
    private final TreeMap<Long, FlatRange> ranges = new TreeMap<>();
    /** kvm_region_add's slot of each RAM range that has one, keyed by the range's start. */
    private final TreeMap<Long, KvmSlot> slots = new TreeMap<>();
    private final List<long[]> pending = new ArrayList<>();
    private final MemoryRegion.ChangeListener listener = new MemoryRegion.ChangeListener() {
        @Override public void invalidate(long lo, long hi) { pending.add(new long[] {lo, hi}); }

        @Override public void commit() { flush(); }
    };

    private IncrementalFlatView(MemoryRegion root, long hostPageSize) {
        KvmSlots.requirePowerOfTwo(hostPageSize);
        this.root = root;
        this.hostPageSize = hostPageSize;
        for (FlatRange fr : FlatView.render(root).ranges()) put(fr);
        root.addListener(listener);
    }

    /**
     * Renders {@code root} once and keeps following it; KVM slots are cut for {@code hostPageSize}
     * (kvm_align_section). {@link #close} stops following.
     */
    public static IncrementalFlatView of(MemoryRegion root, long hostPageSize) {
        return new IncrementalFlatView(root, hostPageSize);
    }

    public MemoryRegion root() { return root; }

    @Override
    public void close() { root.removeListener(listener); }

    private void flush() {
        if (pending.isEmpty()) return;
        pending.sort((a, b) -> Long.compare(a[0], b[0]));
        long lo = pending.getFirst()[0], hi = pending.getFirst()[1];
        for (long[] w : pending) {
            if (w[0] > hi) {
                redo(lo, hi);
                lo = w[0];
                hi = w[1];
            } else hi = Math.max(hi, w[1]);
        }
        redo(lo, hi);
        pending.clear();
    }

    /** Re-renders [lo, hi) and splices it in. */
    private void redo(long lo, long hi) {
        var r = new FlatView.Renderer(true);
        r.render(root, 0, lo, hi);
        // cut the ranges crossing the window's edges, drop everything inside
        cutAt(lo);
        cutAt(hi);
        for (Map.Entry<Long, FlatRange> e = ranges.ceilingEntry(lo); e != null && e.getKey() < hi; e = ranges.ceilingEntry(lo)) {
            remove(e.getValue());
        }
        for (FlatRange fr : FlatView.simplify(new ArrayList<>(r.out.values()))) put(fr);
        mergeAt(lo);
        mergeAt(hi);
    }

    /** Splits the range containing {@code at} (if it starts before it) into [start, at) and [at, end). */
    private void cutAt(long at) {
        Map.Entry<Long, FlatRange> e = ranges.lowerEntry(at);
        if (e == null || e.getValue().end() <= at) return;
        FlatRange fr = e.getValue();
        remove(fr);
        put(new FlatRange(fr.start(), at - fr.start(), fr.region(), fr.offsetInRegion()));
        put(new FlatRange(at, fr.end() - at, fr.region(), fr.offsetInRegion() + (at - fr.start())));
    }

    /** flatview_simplify at one boundary: merges the range ending at {@code at} with the one starting there. */
    private void mergeAt(long at) {
        FlatRange right = ranges.get(at);
        Map.Entry<Long, FlatRange> le = ranges.lowerEntry(at);
        if (right == null || le == null || !FlatView.mergeable(le.getValue(), right)) return;
        FlatRange left = le.getValue();
        remove(left);
        remove(right);
        put(FlatView.merge(left, right));
    }

    private void put(FlatRange fr) {
        ranges.put(fr.start(), fr);
        KvmSlots.alignSection(fr, hostPageSize).ifPresent(s -> slots.put(fr.start(), s));
    }

    private void remove(FlatRange fr) {
        ranges.remove(fr.start());
        slots.remove(fr.start());
    }

    /** The range serving {@code address}, if any: O(log n). */
    public Optional<FlatRange> lookup(long address) {
        Map.Entry<Long, FlatRange> e = ranges.floorEntry(address);
        return e != null && e.getValue().contains(address) ? Optional.of(e.getValue()) : Optional.empty();
    }

    public int size() { return ranges.size(); }

    /** All ranges, sorted by address (a copy). */
    public List<FlatRange> ranges() { return List.copyOf(ranges.values()); }

    /** The KVM slots of the current view, sorted by guest address (a copy); as {@link KvmSlots#of}. */
    public List<KvmSlot> kvmSlots() { return List.copyOf(slots.values()); }

    /** A {@link FlatView} snapshot of the current ranges: O(n). */
    public FlatView snapshot() { return FlatView.ofSimplified(ranges()); }

    /** The {@code info mtree -f} lines of the current view, from the range map itself (as {@link FlatView#mtreeLines}). */
    public List<String> mtreeLines() {
        var out = new ArrayList<String>(ranges.size());
        for (FlatRange fr : ranges.values()) out.add(fr.mtreeLine());
        return out;
    }

    @Override
    public String toString() { return String.join("\n", mtreeLines()); }
}
