package dev.barmap.model.resource;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive reference: kernel/resource.c (Linux 6.1) transcribed with singly linked sibling
 * lists and linear walks, as the kernel does it: {@code __request_resource()}, {@code __insert_resource()},
 * {@code __release_resource(old, true)}, {@code __request_region()}. Used to check {@link ResourceTree}
 * (same answers, O(log n) instead of O(n)) and as the linear-scan baseline in barmap-bench.
 */
public final class NaiveResourceTree {
    /** {@code struct resource}: start, end, name, flags, parent, sibling, child. */
    public static final class Node {
        public final long start, end;
        public final String name;
        public final long flags;
        Node parent, sibling, child;

        public Node(long start, long end, String name, long flags) {
            this.start = start;
            this.end = end;
            this.name = name;
            this.flags = flags;
        }

        public Node parent() { return parent; }

        @Override
        public String toString() { return String.format("%x-%x : %s", start, end, name); }
    }

    private final Node root;

    public NaiveResourceTree(String name, long start, long end) {
        root = new Node(start, end, name, IoResource.MEM);
    }

    public Node root() { return root; }

    private static boolean lt(long a, long b) { return Long.compareUnsigned(a, b) < 0; }

    private static boolean gt(long a, long b) { return Long.compareUnsigned(a, b) > 0; }

    /** {@code __request_resource()}: null when added, else the conflict (root itself when outside it). */
    public Node requestConflict(Node root, Node neu) {
        long start = neu.start, end = neu.end;
        if (lt(end, start)) return root;
        if (lt(start, root.start)) return root;
        if (gt(end, root.end)) return root;
        Node prev = null;
        for (;;) {
            Node tmp = prev == null ? root.child : prev.sibling;
            if (tmp == null || gt(tmp.start, end)) {
                neu.sibling = tmp;
                if (prev == null) root.child = neu;
                else prev.sibling = neu;
                neu.parent = root;
                return null;
            }
            prev = tmp;
            if (lt(tmp.end, start)) continue;
            return tmp;
        }
    }

    /** {@code __insert_resource()}. */
    public Node insertConflict(Node parent, Node neu) {
        Node first;
        for (;; parent = first) {
            first = requestConflict(parent, neu);
            if (first == null) return null;
            if (first == parent) return first;
            if (gt(first.start, neu.start) || lt(first.end, neu.end)) break;
            if (first.start == neu.start && first.end == neu.end) break;
        }
        Node next;
        for (next = first; ; next = next.sibling) {
            if (lt(next.start, neu.start) || gt(next.end, neu.end)) return next; // partial overlap
            if (next.sibling == null) break;
            if (gt(next.sibling.start, neu.end)) break;
        }
        neu.parent = parent;
        neu.sibling = next.sibling;
        neu.child = first;
        next.sibling = null;
        for (next = first; next != null; next = next.sibling) next.parent = neu;
        if (parent.child == first) {
            parent.child = neu;
        } else {
            next = parent.child;
            while (next.sibling != first) next = next.sibling;
            next.sibling = neu;
        }
        return null;
    }

    /** {@code __release_resource(old, true)}: unlinks old with its subtree. */
    public void release(Node old) {
        Node p = old.parent;
        if (p.child == old) {
            p.child = old.sibling;
        } else {
            Node n = p.child;
            while (n.sibling != old) n = n.sibling;
            n.sibling = old.sibling;
        }
        old.parent = null;
        old.sibling = null;
    }

    /** {@code __request_region()}: descends into non-busy conflicts; null where the kernel fails. */
    public Node requestRegion(Node from, long start, long n, String name, long flags) {
        Node parent = from;
        for (;;) {
            long f = (parent.flags & (IoResource.TYPE_BITS | IoResource.EXT_TYPE_BITS)) | flags | IoResource.BUSY;
            Node res = new Node(start, start + n - 1, name, f);
            Node conflict = requestConflict(parent, res);
            if (conflict == null) return res;
            if (conflict != parent && (conflict.flags & IoResource.BUSY) == 0) {
                parent = conflict;
                continue;
            }
            return null;
        }
    }

    /** The deepest node containing addr, by linear walks. */
    public Node lookup(long addr) {
        Node r = root;
        outer:
        for (;;) {
            for (Node c = r.child; c != null; c = c.sibling) {
                if (!lt(addr, c.start) && !gt(addr, c.end)) {
                    r = c;
                    continue outer;
                }
            }
            return r;
        }
    }

    /** Pre-order, address-sorted: what /proc/iomem lists. */
    public List<Node> all() {
        var out = new ArrayList<Node>();
        walk(root, out);
        return out;
    }

    private static void walk(Node r, List<Node> out) {
        for (Node c = r.child; c != null; c = c.sibling) {
            out.add(c);
            walk(c, out);
        }
    }

    public static int depth(Node n) {
        int d = -1;
        for (Node p = n.parent; p != null; p = p.parent) d++;
        return d;
    }
}
