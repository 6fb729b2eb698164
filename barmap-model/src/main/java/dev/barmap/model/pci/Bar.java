package dev.barmap.model.pci;

import dev.barmap.model.resource.IoResource;

/**
 * One line of a function's sysfs {@code resource} file: {@code pdev->resource[index]} as
 * {@code start end flags} (drivers/pci/pci-sysfs.c resource_show). Index 0-5 are the BARs, 6 the
 * expansion ROM, 7-12 the SR-IOV VF BARs, 13-16 a bridge's windows.
 */
public record Bar(int index, long start, long end, long flags) {
    public static final int ROM = 6;

    /** {@code pci_resource_len()} (include/linux/pci.h): 0 when end is 0, else end - start + 1. */
    public long len() {
        return end == 0 ? 0 : end - start + 1;
    }

    /** {@code resource_size()} (include/linux/ioport.h): end - start + 1, as vfio_pci_probe_mmaps uses it. */
    public long resourceSize() {
        return end - start + 1;
    }

    public boolean isMem() { return IoResource.isMem(flags); }

    public boolean isIo() { return IoResource.isIo(flags); }

    public boolean is64() { return (flags & IoResource.MEM_64) != 0; }

    public boolean prefetch() { return (flags & IoResource.PREFETCH) != 0; }

    /** Nothing there: the line is all zeros (unimplemented BAR, upper half of a 64-bit BAR). */
    public boolean empty() { return start == 0 && end == 0 && flags == 0; }

    public String name() {
        return index < ROM ? "BAR" + index : index == ROM ? "ROM" : index <= 12 ? "VF BAR" + (index - 7) : "window" + (index - 13);
    }
}
