package dev.barmap.model.alloc;

import dev.barmap.model.resource.IoResource;

/**
 * A memory BAR waiting for an address: {@code dev->resource[index]} of the device {@code owner} on
 * {@code bus}, with its size and IORESOURCE_* flags as __pci_read_base() sets them (IORESOURCE_MEM |
 * IORESOURCE_SIZEALIGN, plus IORESOURCE_PREFETCH / IORESOURCE_MEM_64 from the BAR's type bits).
 *
 * @param owner the device's name in the tree ({@code DDDD:BB:DD.F}); the new resource gets this name
 */
public record BarRequest(String owner, int index, long size, long flags, PciBus bus) {
    public BarRequest {
        if (!IoResource.isMem(flags)) throw new IllegalArgumentException("only memory BARs are modelled (iomem): flags 0x" + Long.toHexString(flags));
        if (size == 0) throw new IllegalArgumentException("BAR size 0");
        if ((flags & IoResource.SIZEALIGN) != 0 && Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size 0x" + Long.toHexString(size) + " is not a power of two (PCI BARs are)");
        }
    }

    /** A 32- or 64-bit, prefetchable or not, memory BAR of {@code size} bytes. */
    public static BarRequest mem(String owner, int index, long size, boolean mem64, boolean prefetch, PciBus bus) {
        long f = IoResource.MEM | IoResource.SIZEALIGN;
        if (mem64) f |= IoResource.MEM_64;
        if (prefetch) f |= IoResource.PREFETCH;
        return new BarRequest(owner, index, size, f, bus);
    }

    /**
     * pci_resource_alignment() → resource_alignment() (kernel/resource.c, 6.1): the size for
     * IORESOURCE_SIZEALIGN, the start for IORESOURCE_STARTALIGN, else 0 ("bogus alignment").
     */
    public long alignment() {
        long a = flags & (IoResource.SIZEALIGN | IoResource.STARTALIGN);
        if (a == IoResource.SIZEALIGN) return size;
        return 0; // STARTALIGN only arises for bridge windows and pci=resource_alignment=, not modelled
    }

    public String name() { return "BAR " + index; }
}
