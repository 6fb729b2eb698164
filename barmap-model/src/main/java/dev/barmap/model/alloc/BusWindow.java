package dev.barmap.model.alloc;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;

/**
 * One of a PCI bus's resources ({@code pci_bus_for_each_resource}): a bridge window or a host bridge
 * window, as its node in the resource tree plus the IORESOURCE_* flags the kernel keeps for it
 * ({@code IORESOURCE_PREFETCH}, {@code IORESOURCE_MEM_64} decide which BARs it takes). /proc/iomem does
 * not show flags, so they come from the bridge's sysfs {@code resource} line or the boot log.
 *
 * @param node  the window's node in the tree (its children are what allocation has to avoid)
 * @param flags IORESOURCE_* flags of the window
 * @param label where the window comes from, for reports (e.g. "0000:01:00.0 window1", "root bus resource 7")
 */
public record BusWindow(Resource node, long flags, String label) {
    public boolean prefetch() { return (flags & IoResource.PREFETCH) != 0; }

    public boolean mem64() { return (flags & IoResource.MEM_64) != 0; }

    /** %pR-style description, e.g. {@code [mem 0x40000000-0x400fffff 64bit pref]}. */
    public String describe() {
        return LinuxBarAllocator.pR(node.start(), node.end(), flags, false);
    }

    @Override
    public String toString() { return label + " " + describe(); }
}
