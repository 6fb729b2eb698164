package dev.barmap.model.memory;

import java.util.List;

/**
 * A container's subregions by address: a treap keyed by (addr, insertion stamp) whose nodes carry the largest
 * end in their subtree (an interval tree). {@link #overlapping} lists the subregions whose extent
 * [addr, addr + size) intersects a window in O(log n + m), m the number listed, so that re-rendering a
 * small window of a wide container does not visit every sibling. Not in QEMU (which walks mr->subregions);
 * it only speeds up {@link IncrementalFlatView}, the answers are render_memory_region's.
 */
final class SubregionIndex {
    private static final class Node {
        final MemoryRegion r;
        final long start, seq, end;
        final int prio;
        long maxEnd;
        Node left, right;

        Node(MemoryRegion r) {
            this.r = r;
            this.start = r.addr();
            this.seq = r.seq();
            this.end = satAdd(start, r.size());
            // deterministic heap priority from the stamp (a fixed mix, not random: runs are reproducible)
            long z = seq * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
            this.prio = (int) (z ^ (z >>> 29));
            this.maxEnd = end;
        }
    }

    private Node root;

    static long satAdd(long a, long b) {
        long r = a + b;
        return (r < a || r < 0) ? MemoryRegion.UNBOUNDED : r;
    }

    private static int cmp(long s1, long q1, long s2, long q2) {
        int c = Long.compare(s1, s2);
        return c != 0 ? c : Long.compare(q1, q2);
    }

    private static void pull(Node n) {
        long m = n.end;
        if (n.left != null && n.left.maxEnd > m) m = n.left.maxEnd;
        if (n.right != null && n.right.maxEnd > m) m = n.right.maxEnd;
        n.maxEnd = m;
    }

    private static Node rotRight(Node n) {
        Node l = n.left;
        n.left = l.right;
        l.right = n;
        pull(n);
        pull(l);
        return l;
    }

    private static Node rotLeft(Node n) {
        Node r = n.right;
        n.right = r.left;
        r.left = n;
        pull(n);
        pull(r);
        return r;
    }

    /** Adds {@code r} with its current addr, size and stamp (which must not change while it is indexed). */
    void add(MemoryRegion r) { root = insert(root, new Node(r)); }

    private static Node insert(Node t, Node x) {
        if (t == null) return x;
        if (cmp(x.start, x.seq, t.start, t.seq) < 0) {
            t.left = insert(t.left, x);
            if (t.left.prio > t.prio) return rotRight(t);
        } else {
            t.right = insert(t.right, x);
            if (t.right.prio > t.prio) return rotLeft(t);
        }
        pull(t);
        return t;
    }

    /** Removes {@code r}, indexed with {@code start} and {@code seq}. */
    void remove(MemoryRegion r, long start, long seq) { root = delete(root, r, start, seq); }

    private static Node delete(Node t, MemoryRegion r, long start, long seq) {
        if (t == null) throw new IllegalStateException(r.name() + " is not indexed");
        int c = cmp(start, seq, t.start, t.seq);
        if (c < 0) t.left = delete(t.left, r, start, seq);
        else if (c > 0) t.right = delete(t.right, r, start, seq);
        else {
            if (t.left == null) return t.right;
            if (t.right == null) return t.left;
            if (t.left.prio > t.right.prio) {
                t = rotRight(t);
                t.right = delete(t.right, r, start, seq);
            } else {
                t = rotLeft(t);
                t.left = delete(t.left, r, start, seq);
            }
        }
        pull(t);
        return t;
    }

    /** Appends every indexed region whose extent intersects [lo, hi) to {@code out} (address order). */
    void overlapping(long lo, long hi, List<MemoryRegion> out) { collect(root, lo, hi, out); }

    private static void collect(Node t, long lo, long hi, List<MemoryRegion> out) {
        while (t != null && t.maxEnd > lo) {
            collect(t.left, lo, hi, out);
            if (t.start >= hi) return; // this node and everything right of it start at or after hi
            if (t.end > lo && t.end > t.start) out.add(t.r);
            t = t.right;
        }
    }
}
