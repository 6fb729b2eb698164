package dev.barmap.model.alloc;

import java.util.ArrayList;
import java.util.List;

/**
 * A PCI bus as the BAR allocator sees it: its resources in {@code pci_bus_for_each_resource} order, and,
 * for a bus behind a transparent (subtractive-decode) bridge, its parent: _pci_assign_resource()
 * (drivers/pci/setup-res.c) retries on the parent bus when {@code bus->self->transparent}.
 *
 * @param name        {@code DDDD:BB}
 * @param windows     bus->resource[0..3] (a bridge's windows 13-16, in that order) then the bus->resources
 *                    list (host bridge windows, or a transparent bridge's inherited parent windows)
 * @param parent      the parent bus, or null for a root bus
 * @param transparent the bridge leading to this bus decodes subtractively (class 0x060401)
 */
public record PciBus(String name, List<BusWindow> windows, PciBus parent, boolean transparent) {
    public PciBus {
        windows = List.copyOf(windows);
    }

    public static PciBus root(String name, List<BusWindow> windows) {
        return new PciBus(name, windows, null, false);
    }

    /**
     * The resources pci_bus_for_each_resource() visits: the bus's own and, behind a transparent bridge,
     * the parent's (pci_read_bridge_bases(), drivers/pci/probe.c: pci_bus_add_resource(child, res,
     * PCI_SUBTRACTIVE_DECODE) for each parent resource).
     */
    public List<BusWindow> forEachResource() {
        if (!transparent || parent == null) return windows;
        var all = new ArrayList<>(windows);
        for (BusWindow w : parent.forEachResource()) if (!all.contains(w)) all.add(w);
        return all;
    }

    @Override
    public String toString() { return "bus " + name; }
}
