package dev.barmap.model.resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node of the kernel's resource tree ({@code struct resource}, kernel/resource.c): an inclusive
 * address range {@code [start, end]} (unsigned 64-bit), a name, flags, a parent and address-sorted,
 * non-overlapping children. Children are kept in a {@link TreeMap} keyed by start so that request,
 * insert, release and lookup are O(log n) in the number of siblings, where the kernel walks a list.
 * Mutated only through {@link ResourceTree}.
 */
public final class Resource {
    private final long start;
    private final long end;
    private final String name;
    private final long flags;
    Resource parent;
    TreeMap<Long, Resource> children;
    /** The gaps between the children by length, once a first-fit search asked (see {@link #nextGap}). */
    Gaps gaps;

    public Resource(long start, long end, String name, long flags) {
        this.start = start;
        this.end = end;
        this.name = name;
        this.flags = flags;
    }

    public long start() { return start; }

    public long end() { return end; }

    /** {@code resource_size()}: end - start + 1. */
    public long size() { return end - start + 1; }

    public String name() { return name; }

    public long flags() { return flags; }

    public boolean busy() { return (flags & IoResource.BUSY) != 0; }

    public Resource parent() { return parent; }

    /** Children in address order. */
    public Collection<Resource> children() {
        return children == null ? List.of() : Collections.unmodifiableCollection(children.values());
    }

    public boolean hasChildren() { return children != null && !children.isEmpty(); }

    public int childCount() { return children == null ? 0 : children.size(); }

    /** Whether [start, end] lies inside this resource. */
    public boolean contains(long s, long e) {
        return Long.compareUnsigned(s, start) >= 0 && Long.compareUnsigned(e, end) <= 0;
    }

    public boolean contains(long addr) { return contains(addr, addr); }

    public boolean overlaps(long s, long e) {
        return Long.compareUnsigned(s, end) <= 0 && Long.compareUnsigned(e, start) >= 0;
    }

    /** The first child (in address order) overlapping [s, e], or null. O(log n). */
    public Resource firstOverlappingChild(long s, long e) {
        if (children == null || children.isEmpty()) return null;
        Map.Entry<Long, Resource> fl = children.floorEntry(s);
        if (fl != null && Long.compareUnsigned(fl.getValue().end, s) >= 0) return fl.getValue();
        Map.Entry<Long, Resource> hi = children.higherEntry(s);
        if (hi != null && Long.compareUnsigned(hi.getValue().start, e) <= 0) return hi.getValue();
        return null;
    }

    /** The child containing {@code addr}, or null. O(log n). */
    public Resource childAt(long addr) {
        if (children == null) return null;
        Map.Entry<Long, Resource> fl = children.floorEntry(addr);
        return fl != null && Long.compareUnsigned(fl.getValue().end, addr) >= 0 ? fl.getValue() : null;
    }

    /** Children overlapping [s, e] in address order. O(log n + k). */
    public List<Resource> childrenOverlapping(long s, long e) {
        var out = new ArrayList<Resource>();
        if (children == null) return out;
        Resource first = firstOverlappingChild(s, e);
        if (first == null) return out;
        for (Resource r : children.tailMap(first.start, true).values()) {
            if (Long.compareUnsigned(r.start, e) > 0) break;
            out.add(r);
        }
        return out;
    }

    /**
     * Children in address order starting with the last one whose start is at or below {@code addr} (or
     * the first child, if none is): the children a first-fit search from {@code addr} has to look at.
     * A live view; O(log n) to reach the start.
     */
    public Collection<Resource> childrenFrom(long addr) {
        if (children == null || children.isEmpty()) return List.of();
        Long from = children.floorKey(addr);
        return Collections.unmodifiableCollection(from == null ? children.values() : children.tailMap(from, true).values());
    }

    /**
     * The first gap between the children (or before the first or after the last) that starts at or above
     * {@code from} (unsigned) and is at least {@code size} bytes long, as {start, end inclusive}; null if none.
     * O(log n): a first-fit search uses it to skip the gaps too short for it.
     */
    public long[] nextGap(long from, long size) {
        if (gaps == null) gaps = new Gaps(this);
        var e = gaps.next(from, size);
        return e == null ? null : new long[] {e.getKey(), e.getValue()};
    }

    /** Depth below the root (root's children are at depth 0). */
    public int depth() {
        int d = -1;
        for (Resource p = parent; p != null; p = p.parent) d++;
        return d;
    }

    /** The root of the tree this resource is in. */
    public Resource root() {
        Resource r = this;
        while (r.parent != null) r = r.parent;
        return r;
    }

    public String range() {
        return String.format("%x-%x", start, end);
    }

    @Override
    public String toString() {
        return String.format("%08x-%08x : %s", start, end, name);
    }
}
