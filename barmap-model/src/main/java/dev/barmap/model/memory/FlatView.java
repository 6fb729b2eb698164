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
 * terminating region then fills only the gaps still empty inside its clip. Adjacent ranges of the same region
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

    /** generate_memory_topology(root). */
    public static FlatView render(MemoryRegion root) {
        var r = new Renderer();
        r.render(root, 0, 0, MemoryRegion.UNBOUNDED);
        return new FlatView(simplify(new ArrayList<>(r.out.values())));
    }

    /** flatview_simplify: merge neighbours that continue the same region at the contiguous offset. */
    private static List<FlatRange> simplify(List<FlatRange> in) {
        var out = new ArrayList<FlatRange>(in.size());
        for (FlatRange fr : in) {
            if (!out.isEmpty()) {
                FlatRange last = out.getLast();
                if (last.region() == fr.region() && last.end() == fr.start()
                        && last.offsetInRegion() + last.size() == fr.offsetInRegion()) {
                    out.set(out.size() - 1, new FlatRange(last.start(), last.size() + fr.size(), last.region(),
                            last.offsetInRegion()));
                    continue;
                }
            }
            out.add(fr);
        }
        return out;
    }

    private static final class Renderer {
        final TreeMap<Long, FlatRange> out = new TreeMap<>();
        /** Union of everything rendered so far, as merged [start, end) intervals keyed by start. */
        final TreeMap<Long, Long> covered = new TreeMap<>();

        /** render_memory_region(view, mr, base, clip). clip = [clipStart, clipEnd). */
        void render(MemoryRegion mr, long base, long clipStart, long clipEnd) {
            if (!mr.enabled()) return;
            base = satAdd(base, mr.addr());
            long s = Math.max(base, clipStart);
            long e = Math.min(satAdd(base, mr.size()), clipEnd);
            if (s >= e) return;
            for (MemoryRegion sub : mr.subregions()) render(sub, base, s, e);
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

    private static long satAdd(long a, long b) {
        long r = a + b;
        return (r < a || r < 0) ? MemoryRegion.UNBOUNDED : r;
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
