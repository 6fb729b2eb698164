package dev.barmap.model.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The flattened view of a memory-region tree: disjoint, sorted {@link FlatRange}s (system/memory.c
 * generate_memory_topology → render_memory_region, then flatview_simplify).
 *
 * <p>Semantics, as render_memory_region: a disabled region renders nothing; a region is clipped to its
 * container; subregions render first, in list order (priority descending, later-added first), and a
 * terminating region then fills only the gaps still empty inside its clip; an alias renders its target with the
 * target's start placed at the alias's start minus the alias offset. Adjacent ranges of the same region
 * with contiguous offsets are merged (flatview_simplify).
 *
 * <p>Cost: QEMU renders into an array (O(n²) worst case). Here the "already covered" set is kept as merged
 * intervals in a balanced tree, so finding a leaf's gaps costs O((1 + merged intervals) · log n) and every
 * covered interval is merged away at most once: O(n log n) to render n regions. Lookups are binary searches,
 * O(log n).
 */
public final class FlatView {
    private final FlatRange[] ranges;
    private final long[] starts;

    private FlatView(List<FlatRange> sorted) {
        this.ranges = sorted.toArray(FlatRange[]::new);
        this.starts = new long[ranges.length];
        for (int i = 0; i < ranges.length; i++) starts[i] = ranges[i].start();
    }

    /** A view of ranges that are already sorted, disjoint and simplified (an {@link IncrementalFlatView}'s). */
    static FlatView ofSimplified(List<FlatRange> sorted) { return new FlatView(sorted); }

    /** generate_memory_topology(root). */
    public static FlatView render(MemoryRegion root) {
        var r = new Renderer(false);
        r.render(root, 0, 0, MemoryRegion.UNBOUNDED);
        return new FlatView(simplify(new ArrayList<>(r.out.values())));
    }

    /** flatview_simplify: merge neighbours that continue the same region at the contiguous offset. */
    static List<FlatRange> simplify(List<FlatRange> in) {
        var out = new ArrayList<FlatRange>(in.size());
        for (FlatRange fr : in) {
            if (!out.isEmpty()) {
                FlatRange last = out.getLast();
                if (mergeable(last, fr)) {
                    out.set(out.size() - 1, merge(last, fr));
                    continue;
                }
            }
            out.add(fr);
        }
        return out;
    }

    /** flatview_simplify's test (memory.c can_merge, less the attributes barmap does not model). */
    static boolean mergeable(FlatRange a, FlatRange b) {
        return a.region() == b.region() && a.end() == b.start() && a.offsetInRegion() + a.size() == b.offsetInRegion();
    }

    static FlatRange merge(FlatRange a, FlatRange b) {
        return new FlatRange(a.start(), a.size() + b.size(), a.region(), a.offsetInRegion());
    }

    /**
     * render_memory_region over [clipStart, clipEnd) into {@link #out}. With {@code windowed}, a container's
     * subregions are taken from its address index (only those intersecting the clip) instead of all of them; the
     * result is the same, since render_memory_region skips every subregion outside the clip.
     */
    static final class Renderer {
        final boolean windowed;
        final TreeMap<Long, FlatRange> out = new TreeMap<>();
        /** Union of everything rendered so far, as merged [start, end) intervals keyed by start. */
        final TreeMap<Long, Long> covered = new TreeMap<>();

        Renderer(boolean windowed) { this.windowed = windowed; }

        /** render_memory_region(view, mr, base, clip). clip = [clipStart, clipEnd). */
        void render(MemoryRegion mr, long base, long clipStart, long clipEnd) {
            if (!mr.enabled()) return;
            base = add(base, mr.addr());
            long s = Math.max(base, clipStart);
            long e = Math.min(add(base, mr.size()), clipEnd);
            if (s >= e) return;
            MemoryRegion target = mr.aliasTarget();
            if (target != null) {
                // if (mr->alias) { base -= mr->alias->addr; base -= mr->alias_offset; render(mr->alias); return; }
                render(target, base - target.addr() - mr.aliasOffset(), s, e);
                return;
            }
            var subs = windowed ? mr.subregionsOverlapping(sub(s, base), sub(e, base)) : mr.subregions();
            for (MemoryRegion sub : subs) render(sub, base, s, e);
            if (!mr.kind().terminates()) return;
            fillGaps(mr, base, s, e);
        }

        private void fillGaps(MemoryRegion mr, long base, long s, long e) {
            long pos = s;
            Map.Entry<Long, Long> before = covered.floorEntry(pos);
            if (before != null && before.getValue() > pos) pos = before.getValue();
            while (pos < e) {
                Map.Entry<Long, Long> next = covered.ceilingEntry(pos);
                long gapEnd = next == null ? e : Math.min(e, next.getKey());
                if (gapEnd > pos) out.put(pos, new FlatRange(pos, gapEnd - pos, mr, pos - base));
                if (next == null || next.getKey() >= e) break;
                pos = next.getValue();
            }
            // covered ∪= [s, e): absorb every interval overlapping or touching it
            long ns = s, ne = e;
            Map.Entry<Long, Long> lo = covered.floorEntry(s);
            if (lo != null && lo.getValue() >= s) {
                ns = lo.getKey();
                ne = Math.max(ne, lo.getValue());
                covered.remove(lo.getKey());
            }
            for (Map.Entry<Long, Long> x = covered.ceilingEntry(s); x != null && x.getKey() <= ne;
                 x = covered.ceilingEntry(s)) {
                ne = Math.max(ne, x.getValue());
                covered.remove(x.getKey());
            }
            covered.put(ns, ne);
        }
    }

    /** a + b for b ≥ 0, saturating at {@link MemoryRegion#UNBOUNDED} (QEMU uses Int128); a may be negative (aliases). */
    static long add(long a, long b) {
        long r = a + b;
        return b > 0 && r < a ? MemoryRegion.UNBOUNDED : r;
    }

    /** a - b, saturating at {@link MemoryRegion#UNBOUNDED} (a = UNBOUNDED stays unbounded). */
    static long sub(long a, long b) {
        if (a == MemoryRegion.UNBOUNDED) return a;
        long r = a - b;
        return (b < 0 && r < a) ? MemoryRegion.UNBOUNDED : r;
    }

    /** All ranges, sorted by address. */
    public List<FlatRange> ranges() { return List.of(ranges); }

    public int size() { return ranges.length; }

    /** The range serving {@code address}, if any: O(log n). */
    public Optional<FlatRange> lookup(long address) {
        int i = indexAtOrBefore(address);
        if (i < 0 || !ranges[i].contains(address)) return Optional.empty();
        return Optional.of(ranges[i]);
    }

    /** The ranges intersecting [start, end), sorted: O(log n + k). */
    public List<FlatRange> overlapping(long start, long end) {
        var res = new ArrayList<FlatRange>();
        int i = Math.max(0, indexAtOrBefore(start));
        for (; i < ranges.length && ranges[i].start() < end; i++) {
            if (ranges[i].end() > start) res.add(ranges[i]);
        }
        return res;
    }

    private int indexAtOrBefore(long address) {
        int i = Arrays.binarySearch(starts, address);
        return i >= 0 ? i : -i - 2;
    }

    /** The {@code info mtree -f} lines of this view. */
    public List<String> mtreeLines() {
        return Arrays.stream(ranges).map(FlatRange::mtreeLine).toList();
    }

    @Override
    public String toString() { return String.join("\n", mtreeLines()); }
}
