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

    private static final Comparator<MemoryRegion> RENDER_ORDER =
            Comparator.comparingInt((MemoryRegion r) -> r.priority).reversed().thenComparing(Comparator.comparingLong((MemoryRegion r) -> r.seq).reversed());

    private MemoryRegion(String name, RegionKind kind, long size, HostBacking backing) {
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
        this.size = size;
    }

    /** memory_region_set_enabled: a disabled region (and its subtree) is not rendered. */
    public void setEnabled(boolean enabled) { this.enabled = enabled; }

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
        sub.container = this;
        sub.addr = offset;
        sub.priority = priority;
        synchronized (MemoryRegion.class) {
            sub.seq = ++nextSeq;
        }
        subregions.put(sub, sub);
    }

    /** memory_region_del_subregion. */
    public void delSubregion(MemoryRegion sub) {
        if (sub.container != this || subregions.remove(sub) == null) {
            throw new IllegalStateException(sub.name + " is not a subregion of " + name);
        }
        sub.container = null;
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
     * address, then higher priority first. Disabled regions are printed with " [disabled]".
     */
    public List<String> mtreeLines() {
        var out = new ArrayList<String>();
        mtree(out, this, 0, 1);
        return out;
    }

    private static void mtree(List<String> out, MemoryRegion mr, long base, int level) {
        long start = base + mr.addr;
        long end = mr.size == 0 ? start : start + mr.size - 1;
        if (mr.size == UNBOUNDED) end = -1L; // prints ffffffffffffffff like QEMU's 2^64 regions
        out.add("  ".repeat(level) + String.format("%016x-%016x (prio %d, %s): %s%s",
                start, end, mr.priority, mr.kind.mtreeName(), mr.name, mr.enabled ? "" : " [disabled]"));
        var sorted = new ArrayList<MemoryRegion>();
        for (MemoryRegion sub : mr.subregions.keySet()) {
            int i = 0;
            while (i < sorted.size() && !(sub.addr < sorted.get(i).addr
                    || (sub.addr == sorted.get(i).addr && sub.priority > sorted.get(i).priority))) i++;
            sorted.add(i, sub);
        }
        for (MemoryRegion sub : sorted) mtree(out, sub, start, level + 1);
    }

    @Override
    public String toString() {
        return "MemoryRegion[" + name + ", " + kind + ", size=0x" + Long.toHexString(size) + "]";
    }
}
