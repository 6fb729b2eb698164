package dev.barmap.model.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The operations of kernel/resource.c (Linux 6.1) on a tree of {@link Resource}s, with the kernel's
 * conflict semantics but O(log n) per operation in the number of siblings.
 */
public final class ResourceTree {
    private final Resource root;

    /** A tree whose root is {@code [start, end]}, e.g. {@code iomem_resource} = "PCI mem" 0..~0. */
    public ResourceTree(String rootName, long start, long end) {
        this.root = new Resource(start, end, rootName, IoResource.MEM);
    }

    /** The kernel's {@code iomem_resource}: "PCI mem", 0 to ~0 (kernel/resource.c). */
    public static ResourceTree iomem() {
        return new ResourceTree("PCI mem", 0, -1L);
    }

    public Resource root() { return root; }

    /**
     * {@code __request_resource()} (kernel/resource.c): {@code neu} becomes a child of {@code parent}
     * unless it is empty, lies outside the parent (conflict: the parent) or overlaps one of the
     * parent's direct children (conflict: the first such child in address order).
     *
     * @return the conflicting resource, or empty when {@code neu} was added
     */
    public Optional<Resource> requestConflict(Resource parent, Resource neu) {
        if (neu.parent != null) throw new IllegalStateException("already in a tree: " + neu);
        long s = neu.start(), e = neu.end();
        if (Long.compareUnsigned(e, s) < 0) return Optional.of(parent);
        if (Long.compareUnsigned(s, parent.start()) < 0 || Long.compareUnsigned(e, parent.end()) > 0) {
            return Optional.of(parent);
        }
        Resource c = parent.firstOverlappingChild(s, e);
        if (c != null) return Optional.of(c);
        link(parent, neu);
        return Optional.empty();
    }

    /** {@code request_resource()}: true on success, false where the kernel returns -EBUSY. */
    public boolean request(Resource parent, Resource neu) {
        return requestConflict(parent, neu).isEmpty();
    }

    /**
     * {@code insert_resource_conflict()} / {@code __insert_resource()} (kernel/resource.c): descends into
     * a resource that contains {@code neu}, then makes {@code neu} the parent of the siblings that fit
     * entirely inside it. A partial overlap is a conflict.
     *
     * @return the conflicting resource, or empty when inserted
     */
    public Optional<Resource> insertConflict(Resource parent, Resource neu) {
        Resource first;
        for (;; parent = first) {
            first = requestConflict(parent, neu).orElse(null);
            if (first == null) return Optional.empty();
            if (first == parent) return Optional.of(first);
            if (Long.compareUnsigned(first.start(), neu.start()) > 0
                    || Long.compareUnsigned(first.end(), neu.end()) < 0) break;
            if (first.start() == neu.start() && first.end() == neu.end()) break;
        }
        List<Resource> covered = parent.childrenOverlapping(neu.start(), neu.end());
        for (Resource r : covered) {
            if (!neu.contains(r.start(), r.end())) return Optional.of(r);
        }
        for (Resource r : covered) unlink(r);
        link(parent, neu);
        for (Resource r : covered) link(neu, r);
        return Optional.empty();
    }

    /** {@code release_resource()}: unlinks {@code r} (with its subtree) from its parent. */
    public void release(Resource r) {
        if (r.parent == null) throw new IllegalStateException("not in a tree: " + r);
        unlink(r);
    }

    /**
     * {@code __request_region()} (kernel/resource.c): asks for a busy region [start, start+n-1] from
     * {@code from} downwards, descending into every conflicting resource that is not busy (a BAR, a
     * bridge window) until it fits among a resource's children. This is how
     * {@code pci_request_selected_regions()} puts a driver's busy claim under a BAR.
     *
     * @return the new busy resource, or empty where the kernel fails (-EBUSY)
     */
    public Optional<Resource> requestRegion(Resource from, long start, long n, String name, long flags) {
        Resource parent = from;
        long end = start + n - 1;
        for (;;) {
            // res->flags = resource_type(parent) | resource_ext_type(parent) | flags | IORESOURCE_BUSY
            long f = (parent.flags() & (IoResource.TYPE_BITS | IoResource.EXT_TYPE_BITS)) | flags | IoResource.BUSY;
            Resource res = new Resource(start, end, name, f);
            Optional<Resource> conflict = requestConflict(parent, res);
            if (conflict.isEmpty()) return Optional.of(res);
            Resource c = conflict.get();
            if (c != parent && !c.busy()) {
                parent = c;
                continue;
            }
            return Optional.empty();
        }
    }

    /** The deepest resource containing {@code addr} (the root if no child does). O(depth · log n). */
    public Resource lookup(long addr) {
        Resource r = root;
        for (Resource c; (c = r.childAt(addr)) != null; ) r = c;
        return r;
    }

    /**
     * The resource with exactly this range and name, searched down the path that contains it, or empty.
     */
    public Optional<Resource> find(long start, long end, String name) {
        Resource r = root;
        while (true) {
            Resource c = r.childAt(start);
            if (c == null) return Optional.empty();
            if (c.start() == start && c.end() == end && c.name().equals(name)) return Optional.of(c);
            r = c;
        }
    }

    /** Visits every resource below the root in /proc/iomem order (pre-order, address-sorted). */
    public void forEach(Consumer<Resource> visitor) {
        walk(root, visitor);
    }

    private static void walk(Resource r, Consumer<Resource> visitor) {
        for (Resource c : r.children()) {
            visitor.accept(c);
            walk(c, visitor);
        }
    }

    /** All resources below the root in /proc/iomem order. */
    public List<Resource> all() {
        var out = new ArrayList<Resource>();
        forEach(out::add);
        return out;
    }

    /** A deep copy of this tree (same ranges, names and flags; new nodes). O(n). */
    public ResourceTree copy() {
        ResourceTree t = new ResourceTree(root.name(), root.start(), root.end());
        copyChildren(root, t.root);
        return t;
    }

    private static void copyChildren(Resource from, Resource to) {
        for (Resource c : from.children()) {
            Resource n = new Resource(c.start(), c.end(), c.name(), c.flags());
            link(to, n);
            copyChildren(c, n);
        }
    }

    private static void link(Resource parent, Resource r) {
        if (parent.children == null) parent.children = new TreeMap<>(Long::compareUnsigned);
        parent.children.put(r.start(), r);
        r.parent = parent;
        if (parent.gaps != null) parent.gaps.linked(value(parent.children.lowerEntry(r.start())), r, value(parent.children.higherEntry(r.start())));
    }

    private static void unlink(Resource r) {
        Resource parent = r.parent;
        if (parent.gaps != null) parent.gaps.unlinked(value(parent.children.lowerEntry(r.start())), r, value(parent.children.higherEntry(r.start())));
        r.parent.children.remove(r.start());
        r.parent = null;
    }

    private static Resource value(java.util.Map.Entry<Long, Resource> e) { return e == null ? null : e.getValue(); }
}
