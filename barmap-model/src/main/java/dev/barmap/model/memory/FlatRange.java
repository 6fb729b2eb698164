package dev.barmap.model.memory;

/**
 * One range of a {@link FlatView} (system/memory.c {@code FlatRange}): guest addresses
 * [{@code start}, {@code start + size}) are served by {@code region} starting at {@code offsetInRegion}.
 */
public record FlatRange(long start, long size, MemoryRegion region, long offsetInRegion) {
    public FlatRange {
        if (size <= 0) throw new IllegalArgumentException("empty flat range");
    }

    /** Exclusive end. */
    public long end() { return start + size; }

    public RegionKind kind() { return region.kind(); }

    public boolean contains(long address) { return address >= start && address - start < size; }

    /**
     * As {@code info mtree -f} prints it: {@code %016x-%016x (prio %d, kind): name[ @offset]}
     * (system/memory.c mtree_print_flatview).
     */
    public String mtreeLine() {
        return String.format("%016x-%016x (prio %d, %s): %s%s", start, start + size - 1, region.priority(),
                region.kind().mtreeName(), region.name(),
                offsetInRegion != 0 ? String.format(" @%016x", offsetInRegion) : "");
    }
}
