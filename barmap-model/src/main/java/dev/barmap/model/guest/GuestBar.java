package dev.barmap.model.guest;

/**
 * A BAR as the guest discovers it by config-space BAR sizing (write all ones, read back, {@code ~mask + 1}):
 * the size the VMM emulates (for vfio devices the region size, or larger after MSI-X relocation), and the
 * type bits. {@code bus} is the guest bus number the device sits on (0 = root bus).
 */
public record GuestBar(BarKey key, long size, boolean io, boolean mem64, boolean prefetchable, int bus) {
    public GuestBar {
        if (size <= 0 || Long.bitCount(size) != 1) throw new IllegalArgumentException(key + ": BAR size must be a power of two, got " + size);
    }

    public static GuestBar mem32(String device, int index, long size) {
        return new GuestBar(new BarKey(device, index), size, false, false, false, 0);
    }

    public static GuestBar io(String device, int index, long size) {
        return new GuestBar(new BarKey(device, index), size, true, false, false, 0);
    }

    public GuestBar onBus(int b) { return new GuestBar(key, size, io, mem64, prefetchable, b); }

    /** PCI spec: config-space sizing of a memory BAR reads back {@code ~(size - 1)} in the address bits. */
    public long sizingReadback() { return ~(size - 1) & (io ? ~0x3L : ~0xfL); }

    /** The size recovered from a sizing read-back, as firmware computes it. */
    public static long sizeFromReadback(long readback, boolean io) {
        long mask = readback & (io ? ~0x3L : ~0xfL);
        return ~mask + 1;
    }
}
