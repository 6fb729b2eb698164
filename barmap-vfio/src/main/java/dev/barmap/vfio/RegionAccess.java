package dev.barmap.vfio;

import dev.barmap.model.vfio.RegionInfo;

/**
 * Register access to one region of a device, in the widths PCI has. Each call is exactly one access
 * of the given width at a naturally aligned offset: never split, never merged. A misaligned offset or
 * an access past the region's size is refused ({@link IndexOutOfBoundsException} /
 * {@link IllegalArgumentException}); nothing is clipped. Values are zero-extended little-endian.
 */
public sealed interface RegionAccess permits MappedRegion, TrappedRegion {

    RegionInfo info();

    /** The region's size in bytes (for a BAR: pci_resource_len, not page-rounded). */
    default long size() { return info().size(); }

    /** True when loads and stores go straight to the device (mmap), false when each one traps into the kernel. */
    boolean direct();

    long read(long offset, int width);

    void write(long offset, int width, long value);

    default int read8(long offset) { return (int) read(offset, 1); }
    default int read16(long offset) { return (int) read(offset, 2); }
    default int read32(long offset) { return (int) read(offset, 4); }
    default long read64(long offset) { return read(offset, 8); }
    default void write8(long offset, int v) { write(offset, 1, v); }
    default void write16(long offset, int v) { write(offset, 2, v); }
    default void write32(long offset, int v) { write(offset, 4, v & 0xffffffffL); }
    default void write64(long offset, long v) { write(offset, 8, v); }

    /** Checks width, alignment and bounds; shared by both implementations. */
    static void check(long offset, int width, long size) {
        Widths.check(width);
        if (offset < 0 || offset > size - width) {
            throw new IndexOutOfBoundsException(String.format("%d-byte access at 0x%x is outside the 0x%x-byte region", width, offset, size));
        }
        if ((offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format("%d-byte access at 0x%x is not naturally aligned", width, offset));
        }
    }
}
