package dev.barmap.model.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.List;
import java.util.Objects;

/**
 * A node of QEMU's memory-region tree (system/memory.c, softmmu/memory.c before 8.0). Regions have identity,
 * like QEMU's: the same name may appear twice and two regions are never merged in a flat view unless they are
 * the same object. A region is mutable the way QEMU's is (add/del subregion, set size, enable), because the VMM
 * policies are modelled as the sequence of memory API calls the VMM makes.
 *
 * <p>Addresses are offsets in [0, 2^63); {@link #UNBOUNDED} stands for QEMU's 2^64-sized root containers.
 */
public final class MemoryRegion {
    /** The size used for "system"/"pci"-like containers that span the whole address space (int128 2^64 in QEMU). */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    private final String name;
    private final RegionKind kind;
    private final HostBacking backing;
    private long size;
    private boolean enabled = true;
    // as a subregion:
    private MemoryRegion container;
    private long addr;
    private int priority;
    /** Insertion stamp as a subregion (orders equal priorities: later-added first). */
    private long seq;
    private static long nextSeq;
    /**
     * Ordered as QEMU keeps mr->subregions (memory_region_update_container_subregions: priority descending, later-added
     * first among equals), but in a balanced tree so adding and deleting cost O(log n) instead of QEMU's list walk.
     */
    private final TreeMap<MemoryRegion, MemoryRegion> subregions = new TreeMap<>(RENDER_ORDER);
    /** The same subregions by address (an interval tree), for windowed re-rendering; built on first add. */
    private SubregionIndex index;
    /** memory_region_init_alias: the region this one shows (mr->alias), at {@link #aliasOffset} (mr->alias_offset). */
    private final MemoryRegion alias;
    private final long aliasOffset;
    /** The aliases whose target is this region (to find where a change here shows up). */
    private List<MemoryRegion> aliasedBy;
    /** Incremental flat views rooted at this region. */
    private List<ChangeListener> listeners;
    /** Number of live listeners anywhere: while 0, mutations skip the change propagation entirely. */
    private static volatile int liveListeners;

    /**
     * Told which parts of a root's address space a mutation may have changed: {@link #invalidate} with windows
     * [lo, hi) in the root's flat-view coordinates (before and after the change), then {@link #commit} once the
     * change is done.
     */
    interface ChangeListener {
        void invalidate(long lo, long hi);

        void commit();
    }

    private static final Comparator<MemoryRegion> RENDER_ORDER =
            (a, b) -> a.priority != b.priority ? Integer.compare(b.priority, a.priority) : Long.compare(b.seq, a.seq); // not comparing(): start-up, as HostBuilder

    private MemoryRegion(String name, RegionKind kind, long size, HostBacking backing) {
        this(name, kind, size, backing, null, 0);
    }

    private MemoryRegion(String name, RegionKind kind, long size, HostBacking backing, MemoryRegion alias, long aliasOffset) {
        this.alias = alias;
        this.aliasOffset = aliasOffset;
        this.name = Objects.requireNonNull(name);
        this.kind = Objects.requireNonNull(kind);
        if (size < 0) throw new IllegalArgumentException("negative size " + size);
        this.size = size;
        if ((backing != null) != (kind == RegionKind.RAM_DEVICE)) {
            throw new IllegalArgumentException("a host backing is given exactly for RAM_DEVICE regions");
        }
        this.backing = backing;
    }

    /** memory_region_init: a container. */
    public static MemoryRegion container(String name, long size) {
        return new MemoryRegion(name, RegionKind.CONTAINER, size, null);
    }

    /** memory_region_init_io: trapped MMIO (also used with NULL ops, i.e. unassigned_mem_ops, as vfio's "base BAR"). */
    public static MemoryRegion io(String name, long size) {
        return new MemoryRegion(name, RegionKind.IO, size, null);
    }

    /** memory_region_init_ram. */
    public static MemoryRegion ram(String name, long size) {
        return new MemoryRegion(name, RegionKind.RAM, size, null);
    }

    /** memory_region_init_rom. */
    public static MemoryRegion rom(String name, long size) {
        return new MemoryRegion(name, RegionKind.ROM, size, null);
    }

    /** memory_region_init_ram_device_ptr: an mmap of device memory (hw/vfio/common.c vfio_region_mmap). */
    public static MemoryRegion ramDevice(String name, long size, HostBacking backing) {
        return new MemoryRegion(name, RegionKind.RAM_DEVICE, size, Objects.requireNonNull(backing));
    }

    /**
     * memory_region_init_alias (system/memory.c): a window of {@code size} bytes onto {@code target} starting at
     * {@code offset} in it. Rendering it renders the target (render_memory_region: base -= alias->addr + alias_offset),
     * so the flat ranges name the target's leaves. Kind {@link RegionKind#CONTAINER}: it never terminates itself.
     */
    public static MemoryRegion alias(String name, MemoryRegion target, long offset, long size) {
        Objects.requireNonNull(target);
        if (offset < 0) throw new IllegalArgumentException("negative alias offset");
        var a = new MemoryRegion(name, RegionKind.CONTAINER, size, null, target, offset);
        if (target.aliasedBy == null) target.aliasedBy = new ArrayList<>(1);
        target.aliasedBy.add(a);
        return a;
    }

    /** The aliased region (mr->alias), or null for an ordinary region. */
    public MemoryRegion aliasTarget() { return alias; }

    /** mr->alias_offset (0 for an ordinary region). */
    public long aliasOffset() { return aliasOffset; }

    long seq() { return seq; }

    public String name() { return name; }
    public RegionKind kind() { return kind; }
    public long size() { return size; }
    public boolean enabled() { return enabled; }
    /** Host backing, only for {@link RegionKind#RAM_DEVICE}; else null. */
    public HostBacking backing() { return backing; }
    /** Offset in the container (mr->addr). */
    public long addr() { return addr; }
    /** Priority among the container's subregions (mr->priority). */
    public int priority() { return priority; }
    public MemoryRegion container() { return container; }

    /** The subregions in render order (QEMU's list order: priority descending, later-added first). */
    public Collection<MemoryRegion> subregions() { return Collections.unmodifiableCollection(subregions.keySet()); }

    /** memory_region_is_mapped(): has a container. */
    public boolean isMapped() { return container != null; }

    /** memory_region_set_size. */
    public void setSize(long size) {
        if (size < 0) throw new IllegalArgumentException("negative size " + size);
        changing(() -> {
            if (container != null && container.index != null) container.index.remove(this, addr, seq);
            this.size = size;
            if (container != null && container.index != null) container.index.add(this);
        });
    }

    /** memory_region_set_enabled: a disabled region (and its subtree) is not rendered. */
    public void setEnabled(boolean enabled) { changing(() -> this.enabled = enabled); }

    /**
     * memory_region_set_address (system/memory.c, QEMU 7.0+ memory_region_readd_subregion): a mapped region is
     * deleted and added again at {@code offset} with its priority, so it becomes the latest-added among equal
     * priorities; an unmapped one just takes the new offset.
     */
    public void setAddress(long offset) {
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset == addr) return;
        changing(() -> {
            MemoryRegion c = container;
            if (c == null) {
                addr = offset;
                return;
            }
            c.unlink(this);
            c.link(offset, this, priority);
        });
    }

    /** memory_region_add_subregion: priority 0. */
    public void addSubregion(long offset, MemoryRegion sub) {
        addSubregionOverlap(offset, sub, 0);
    }

    /**
     * memory_region_add_subregion_overlap → memory_region_update_container_subregions: the new subregion is
     * inserted before the first sibling whose priority is lower or equal, so among equal priorities the one
     * added last is rendered first and wins.
     */
    public void addSubregionOverlap(long offset, MemoryRegion sub, int priority) {
        Objects.requireNonNull(sub);
        if (sub.container != null) throw new IllegalStateException(sub.name + " is already mapped in " + sub.container.name);
        if (sub == this) throw new IllegalArgumentException("region cannot contain itself");
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        sub.changing(() -> link(offset, sub, priority));
    }

    private void link(long offset, MemoryRegion sub, int priority) {
        sub.container = this;
        sub.addr = offset;
        sub.priority = priority;
        synchronized (MemoryRegion.class) {
            sub.seq = ++nextSeq;
        }
        subregions.put(sub, sub);
        if (index != null) index.add(sub);
        else if (subregions.size() > INDEX_FROM) {
            index = new SubregionIndex();
            for (MemoryRegion r : subregions.keySet()) index.add(r);
        }
    }

    private void unlink(MemoryRegion sub) {
        subregions.remove(sub);
        if (index != null) index.remove(sub, sub.addr, sub.seq);
        sub.container = null;
    }

    /** Containers with more subregions than this get a {@link SubregionIndex}; fewer are simply scanned. */
    private static final int INDEX_FROM = 8;

    /** memory_region_del_subregion. */
    public void delSubregion(MemoryRegion sub) {
        if (sub.container != this || !subregions.containsKey(sub)) {
            throw new IllegalStateException(sub.name + " is not a subregion of " + name);
        }
        sub.changing(() -> unlink(sub));
    }

    /**
     * The enabled-or-not subregions whose extent [addr, addr + size) intersects [lo, hi) (this region's own
     * coordinates), in render order: O(log n + m) with the index, else a scan of the (few) subregions.
     */
    List<MemoryRegion> subregionsOverlapping(long lo, long hi) {
        var out = new ArrayList<MemoryRegion>();
        if (index == null) {
            for (MemoryRegion r : subregions.keySet()) {
                long e = SubregionIndex.satAdd(r.addr, r.size);
                if (r.addr < hi && e > lo && e > r.addr) out.add(r);
            }
            return out;
        }
        index.overlapping(lo, hi, out);
        if (out.size() > 1) out.sort(RENDER_ORDER);
        return out;
    }

    // ---- change propagation to incremental flat views ----

    /** Runs {@code mutation} of this region, telling every view that can see this region which windows to redo. */
    private void changing(Runnable mutation) {
        if (liveListeners == 0) {
            mutation.run();
            return;
        }
        var touched = new ArrayList<ChangeListener>(2);
        propagate(this, 0, size, touched, 0);
        mutation.run();
        propagate(this, 0, size, touched, 0);
        for (ChangeListener l : touched) l.commit();
    }

    /**
     * [lo, hi) in {@code x}'s own coordinates (0 = x's start) changed: tell the views rooted at x, and pass the
     * window up to x's container and to every alias of x (render_memory_region shows x there at
     * alias start - alias_offset).
     */
    private static void propagate(MemoryRegion x, long lo, long hi, List<ChangeListener> touched, int depth) {
        if (depth > 64) throw new IllegalStateException("region nesting deeper than 64 (an alias cycle?) at " + x.name);
        lo = Math.max(lo, 0);
        hi = Math.min(hi, x.size);
        if (lo >= hi) return;
        if (x.listeners != null) {
            long a = SubregionIndex.satAdd(x.addr, lo), b = SubregionIndex.satAdd(x.addr, hi);
            for (ChangeListener l : x.listeners) {
                l.invalidate(a, b);
                boolean seen = false;
                for (ChangeListener t : touched) seen |= t == l;
                if (!seen) touched.add(l);
            }
        }
        if (x.aliasedBy != null) {
            for (MemoryRegion al : x.aliasedBy) propagate(al, lo - al.aliasOffset, hi - al.aliasOffset, touched, depth + 1);
        }
        if (x.container != null) {
            propagate(x.container, SubregionIndex.satAdd(lo, x.addr), SubregionIndex.satAdd(hi, x.addr), touched, depth + 1);
        }
    }

    void addListener(ChangeListener l) {
        if (listeners == null) listeners = new ArrayList<>(1);
        listeners.add(l);
        synchronized (MemoryRegion.class) {
            liveListeners++;
        }
    }

    void removeListener(ChangeListener l) {
        if (listeners != null && listeners.remove(l)) {
            synchronized (MemoryRegion.class) {
                liveListeners--;
            }
        }
    }

    /** Absolute address of this region's start, following containers up to the root. */
    public long absoluteAddress() {
        long a = 0;
        for (MemoryRegion r = this; r.container != null; r = r.container) a += r.addr;
        return a;
    }

    /**
     * The lines {@code info mtree} prints for this region's subtree (monitor/hmp-cmds, system/memory.c
     * mtree_print_mr): {@code %016x-%016x (prio %d, kind): name}, two spaces per level; siblings sorted by
     * address, then higher priority first. Disabled regions are left out, as {@code info mtree} without
     * {@code -D} does (memory.c mtree_print_mr: {@code if (mr->enabled || display_disabled)}, QEMU 5.1+,
     * "hmp: Only print disabled regions with -D"); their subregions are still printed, one level deeper.
     */
    public List<String> mtreeLines() {
        return mtreeLines(false);
    }

    /** As {@link #mtreeLines()}; {@code displayDisabled} is {@code info mtree -D}: disabled regions with " [disabled]". */
    public List<String> mtreeLines(boolean displayDisabled) {
        var out = new ArrayList<String>();
        mtree(out, this, 0, 1, displayDisabled);
        return out;
    }

    private static void mtree(List<String> out, MemoryRegion mr, long base, int level, boolean displayDisabled) {
        long start = base + mr.addr;
        long end = mr.size == 0 ? start : start + mr.size - 1;
        if (mr.size == UNBOUNDED) end = -1L; // prints ffffffffffffffff like QEMU's 2^64 regions
        boolean print = mr.enabled || displayDisabled;
        if (mr.alias != null) {
            // mtree_print_mr (system/memory.c): "... (prio %d, %s): alias %s @%s %016x-%016x%s", the type of the target
            if (print) {
                out.add("  ".repeat(level) + String.format("%016x-%016x (prio %d, %s): alias %s @%s %016x-%016x%s",
                        start, end, mr.priority, mr.alias.kind.mtreeName(), mr.name, mr.alias.name, mr.aliasOffset,
                        mr.aliasOffset + (mr.size == 0 ? 0 : mr.size - 1), mr.enabled ? "" : " [disabled]"));
            }
            return;
        }
        if (print) {
            out.add("  ".repeat(level) + String.format("%016x-%016x (prio %d, %s): %s%s",
                    start, end, mr.priority, mr.kind.mtreeName(), mr.name, mr.enabled ? "" : " [disabled]"));
        }
        var sorted = new ArrayList<MemoryRegion>();
        for (MemoryRegion sub : mr.subregions.keySet()) {
            int i = 0;
            while (i < sorted.size() && !(sub.addr < sorted.get(i).addr
                    || (sub.addr == sorted.get(i).addr && sub.priority > sorted.get(i).priority))) i++;
            sorted.add(i, sub);
        }
        for (MemoryRegion sub : sorted) mtree(out, sub, start, level + 1, displayDisabled);
    }

    @Override
    public String toString() {
        return "MemoryRegion[" + name + ", " + kind + ", size=0x" + Long.toHexString(size) + "]";
    }
}
