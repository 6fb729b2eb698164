package dev.barmap.model.resource;

import java.util.Map;
import java.util.TreeMap;

/**
 * The free gaps between one resource's children, by length class (floor(log2(length)), unsigned), so that a
 * first-fit search can jump past the gaps too short for a request instead of walking every child
 * (issue 14: LinuxBarAllocator's find_resource walk made plan --guest linux quadratic at 10k functions). Built on
 * the first search of a resource and kept current by {@link ResourceTree}'s link and unlink.
 */
final class Gaps {
    private final Resource owner;
    /** Per length class: gap start → gap end (inclusive), unsigned order. */
    @SuppressWarnings("unchecked")
    private final TreeMap<Long, Long>[] byClass = new TreeMap[65];

    Gaps(Resource owner) {
        this.owner = owner;
        for (int i = 0; i < byClass.length; i++) byClass[i] = new TreeMap<>(Long::compareUnsigned);
        Resource prev = null;
        if (owner.children != null) for (Resource c : owner.children.values()) {
            add(prev, c);
            prev = c;
        }
        add(prev, null);
    }

    /** The first gap starting at or after {@code from} (unsigned) at least {@code size} bytes long, or null. */
    Map.Entry<Long, Long> next(long from, long size) {
        int lowest = size == 0 ? 0 : cls(size);   // gaps of a lower class are shorter than size
        Map.Entry<Long, Long> best = null;
        for (int k = lowest + 1; k < byClass.length; k++) {
            var e = byClass[k].ceilingEntry(from);
            if (e != null && (best == null || Long.compareUnsigned(e.getKey(), best.getKey()) < 0)) best = e;
        }
        // the class of size itself holds gaps both shorter and longer than size
        for (var e : byClass[lowest].tailMap(from, true).entrySet()) {
            if (best != null && Long.compareUnsigned(e.getKey(), best.getKey()) >= 0) break;
            if (Long.compareUnsigned(length(e.getKey(), e.getValue()), size) >= 0 || length(e.getKey(), e.getValue()) == 0) {
                best = e;
                break;
            }
        }
        return best;
    }

    /** The child {@code c} is now between {@code prev} and {@code next} (either may be null). */
    void linked(Resource prev, Resource c, Resource next) {
        remove(prev, next);
        add(prev, c);
        add(c, next);
    }

    void unlinked(Resource prev, Resource c, Resource next) {
        remove(prev, c);
        remove(c, next);
        add(prev, next);
    }

    private void add(Resource prev, Resource next) {
        long[] g = gap(prev, next);
        if (g != null) byClass[cls(length(g[0], g[1]))].put(g[0], g[1]);
    }

    private void remove(Resource prev, Resource next) {
        long[] g = gap(prev, next);
        if (g != null) byClass[cls(length(g[0], g[1]))].remove(g[0]);
    }

    /** [start, end] between two neighbouring children (null: the owner's start or end), or null when empty. */
    private long[] gap(Resource prev, Resource next) {
        if (prev != null && prev.end() == owner.end()) return null;
        if (next != null && next.start() == owner.start()) return null;
        long s = prev == null ? owner.start() : prev.end() + 1;
        long e = next == null ? owner.end() : next.start() - 1;
        return Long.compareUnsigned(s, e) <= 0 ? new long[] {s, e} : null;
    }

    /** end - start + 1, unsigned; 0 stands for the whole 2^64 space. */
    private static long length(long s, long e) { return e - s + 1; }

    /** floor(log2(length)), unsigned; class 64 for the whole space (length 0). */
    private static int cls(long length) { return length == 0 ? 64 : 63 - Long.numberOfLeadingZeros(length); }
}
