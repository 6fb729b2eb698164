package dev.barmap.vfio;

import dev.barmap.model.vfio.RegionInfo;
import java.lang.foreign.MemorySegment;

/**
 * A region mmapped from the device fd: loads and stores reach the device without a trap. The segment is
 * exactly the region's size even when the kernel mapped a whole page (sub-page BARs); it is valid until
 * the arena given to {@link FfmVfioDevice#map} closes.
 */
public final class MappedRegion implements RegionAccess {
    private final RegionInfo info;
    private final MemorySegment segment;

    MappedRegion(RegionInfo info, MemorySegment segment) {
        this.info = info;
        this.segment = segment;
    }

    /**
     * The same register access over ordinary memory instead of a device: for a driver's tests against a
     * fake register file, and for the benchmark's plain-memory baseline (GuestMain {@code bench-plain}),
     * which runs exactly the read path of a mapped BAR. The region reports itself as BAR0, READ|WRITE|MMAP,
     * {@code registers.byteSize()} bytes; accesses are checked as for a device.
     *
     * @param registers the memory standing in for the registers; valid as long as its arena is
     * @return a region whose reads and writes go to {@code registers}
     */
    public static MappedRegion overMemory(MemorySegment registers) {
        int flags = RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE | RegionInfo.FLAG_MMAP;
        return new MappedRegion(new RegionInfo(0, registers.byteSize(), 0, flags, java.util.List.of()), registers);
    }

    /**
     * The first {@code size} bytes of a page-rounded mapping. vfio-pci maps a BAR from its first byte
     * (vfio_pci_core_mmap(): {@code pgoff} is the page offset into the BAR and sub-page BARs are only
     * mmappable when they start on a page boundary, vfio_pci_probe_mmaps(), 6.1), so the BAR begins at
     * the mapping's start.
     */
    static MemorySegment bound(MemorySegment mapping, long size) {
        if (size <= 0 || size > mapping.byteSize()) {
            throw new IllegalArgumentException("region size " + size + " does not fit the " + mapping.byteSize() + "-byte mapping");
        }
        return mapping.asSlice(0, size);
    }

    @Override
    public RegionInfo info() { return info; }

    /** The mapped registers: {@code byteSize() == size()}; accesses past it throw. */
    public MemorySegment segment() { return segment; }

    @Override
    public boolean direct() { return true; }

    @Override
    public long read(long offset, int width) {
        RegionAccess.check(offset, width, segment.byteSize());
        return switch (width) {
            case 1 -> Widths.getVolatile8(segment, offset) & 0xffL;
            case 2 -> Widths.getVolatile16(segment, offset) & 0xffffL;
            case 4 -> Widths.getVolatile32(segment, offset) & 0xffffffffL;
            default -> Widths.getVolatile64(segment, offset);
        };
    }

    /**
     * The hot path: one aligned volatile 32-bit load, checked by the segment alone. The segment is exactly
     * the region and the access layout is 4-byte aligned, so it refuses what {@link RegionAccess#check}
     * refuses, with the same exception types (an offset outside: {@link IndexOutOfBoundsException}; a
     * misaligned one: {@link IllegalArgumentException}), only worded by java.lang.foreign. Doing both checks
     * cost 40% more per read on plain memory (MappedReadBench, BENCHMARKS.md P4).
     */
    @Override
    public int read32(long offset) {
        return Widths.getVolatile32(segment, offset);
    }

    @Override
    public void write(long offset, int width, long value) {
        RegionAccess.check(offset, width, segment.byteSize());
        switch (width) {
            case 1 -> Widths.setVolatile8(segment, offset, (byte) value);
            case 2 -> Widths.setVolatile16(segment, offset, (short) value);
            case 4 -> Widths.setVolatile32(segment, offset, (int) value);
            default -> Widths.setVolatile64(segment, offset, value);
        }
    }
}
