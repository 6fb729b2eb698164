package dev.barmap.model.alloc;

import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The PCI buses of a host, rebuilt from its resource tree and functions: every {@code PCI Bus DDDD:BB}
 * node in /proc/iomem is a memory window of bus BB (pci_bus names them so: drivers/pci/probe.c
 * pci_alloc_child_bus / the host bridge's "PCI Bus %04x:%02x"). A window equal to a bridge's sysfs window
 * (resources 13-16) takes that bridge's flags (prefetchable, 64-bit) and its position in bus->resource[];
 * a window with no bridge is a host bridge window of a root bus, with flags from the boot log's
 * "root bus resource" lines when given, else IORESOURCE_MEM|IORESOURCE_WINDOW (what ACPI _CRS gives on
 * x86 for a non-prefetchable window).
 */
public final class PciBuses {
    /** A host bridge window as the boot log prints it ("pci_bus 0000:00: root bus resource [mem ... window]"; [io ...] too, for the numbering). */
    public record RootWindow(String bus, long start, long end, long flags) {}

    private record Info(String name, List<BusWindow> windows, PciFunction bridge, String parentName) {}

    private final Map<String, PciBus> buses;
    private final List<String> notes;

    private PciBuses(Map<String, PciBus> buses, List<String> notes) {
        this.buses = buses;
        this.notes = notes;
    }

    public Collection<PciBus> all() { return buses.values(); }

    /** Assumptions made while rebuilding (root windows without known flags, windows without a bridge). */
    public List<String> notes() { return List.copyOf(notes); }

    /** The bus named {@code DDDD:BB} or {@code BB} (hex). */
    public Optional<PciBus> bus(String name) {
        return Optional.ofNullable(buses.get(normalize(name)));
    }

    /** {@code 2}, {@code 02}, {@code 0000:02} → {@code 0000:02}; IllegalArgumentException otherwise. */
    public static String normalize(String name) {
        String t = name.trim();
        String[] parts = t.split(":");
        try {
            if (parts.length == 1) return String.format("0000:%02x", checked(Integer.parseInt(parts[0], 16), 0xff));
            if (parts.length == 2) return String.format("%04x:%02x", checked(Integer.parseInt(parts[0], 16), 0xffff), checked(Integer.parseInt(parts[1], 16), 0xff));
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("not a PCI bus (want DDDD:BB or BB): '" + name + "'");
    }

    private static int checked(int v, int max) {
        if (v < 0 || v > max) throw new NumberFormatException();
        return v;
    }

    public static PciBuses discover(ResourceTree tree, Collection<PciFunction> functions, List<RootWindow> rootWindows) {
        // bus name -> its window nodes in address order
        Map<String, List<Resource>> nodes = new TreeMap<>();
        tree.forEach(r -> {
            String n = r.name();
            if (n.startsWith("PCI Bus ") && IoResource.isMem(r.flags())) {
                try {
                    nodes.computeIfAbsent(normalize(n.substring(8)), k -> new ArrayList<>()).add(r);
                } catch (IllegalArgumentException e) {
                    // "PCI Bus #02" (old kernels) or something else: not a bus window barmap can place
                }
            }
        });
        // bridge windows by range
        record BridgeWindow(PciFunction bridge, Bar window) {}
        Map<String, BridgeWindow> byRange = new HashMap<>();
        for (PciFunction f : functions) {
            for (Bar w : f.bridgeWindows()) {
                if (w.isMem() && !w.empty() && (w.flags() & IoResource.UNSET) == 0) byRange.put(w.start() + "-" + w.end(), new BridgeWindow(f, w));
            }
        }
        var notes = new ArrayList<String>();
        Map<String, Info> infos = new LinkedHashMap<>();
        for (var e : nodes.entrySet()) {
            String bus = e.getKey();
            PciFunction bridge = null;
            var bridged = new ArrayList<BridgeWindow>();
            var rest = new ArrayList<Resource>();
            for (Resource r : e.getValue()) {
                BridgeWindow bw = byRange.get(r.start() + "-" + r.end());
                if (bw != null) {
                    bridged.add(bw);
                    bridge = bw.bridge();
                } else rest.add(r);
            }
            var windows = new ArrayList<BusWindow>();
            String parentName = null;
            if (bridge != null) {
                // bus->resource[0..3] = bridge->resource[PCI_BRIDGE_RESOURCES + i] (pci_read_bridge_bases)
                bridged.sort(Comparator.comparingInt(bw -> bw.window().index()));
                for (BridgeWindow bw : bridged) {
                    Resource node = find(e.getValue(), bw.window());
                    windows.add(new BusWindow(node, bw.window().flags(), bw.bridge().bdf() + " window" + (bw.window().index() - 13 + (bw.bridge().resources().size() == 11 ? 6 : 0))));
                }
                for (Resource r : rest) {
                    windows.add(new BusWindow(r, IoResource.MEM, "PCI Bus " + bus + " (no matching bridge window in sysfs)"));
                    notes.add("bus " + bus + ": window " + r.range() + " matches no sysfs window of bridge " + bridge.bdf() + ": taken as non-prefetchable");
                }
                Bdf b = bridge.bdf();
                parentName = String.format("%04x:%02x", b.domain(), b.bus());
            } else {
                var given = rootWindows.stream().filter(w -> normalize(w.bus()).equals(bus)).toList();
                // The kernel's number of a root bus resource: pci_bus_for_each_resource (include/linux/pci.h) / pci_bus_resource_n
                // (drivers/pci/bus.c, 6.1) count
                // bus->resource[0..PCI_BRIDGE_RESOURCE_NUM-1] (4, empty on a root bus) first, then bus->resources in the
                // order pci_register_host_bridge (drivers/pci/probe.c) added the host bridge windows, I/O windows
                // included; pci_bus_dump_res (drivers/pci/setup-bus.c) prints that number: "pci_bus 0000:00: resource 7 [mem ...]".
                int i = 0;
                var ordered = new ArrayList<BusWindow>();
                for (RootWindow w : given) {
                    if (IoResource.type(w.flags()) == IoResource.MEM) {
                        for (Resource r : e.getValue()) {
                            if (r.start() == w.start() && r.end() == w.end()) ordered.add(new BusWindow(r, w.flags(), "root bus resource " + (4 + i)));
                        }
                    }
                    i++;
                }
                int unknown = 0;
                for (Resource r : e.getValue()) {
                    if (ordered.stream().noneMatch(w -> w.node() == r)) {
                        ordered.add(new BusWindow(r, IoResource.MEM | IoResource.WINDOW, "root bus window"));
                        unknown++;
                    }
                }
                if (unknown > 0) {
                    notes.add("bus " + bus + ": flags of " + unknown + " host bridge window(s) not in the boot log: taken as [mem ... window] (not prefetchable)");
                }
                windows.addAll(ordered);
                Resource anc = ancestorBus(e.getValue().get(0));
                if (anc != null) parentName = normalize(anc.name().substring(8));
            }
            infos.put(bus, new Info(bus, windows, bridge, parentName));
        }
        Map<String, PciBus> built = new TreeMap<>();
        for (String name : infos.keySet()) build(name, infos, built, new java.util.HashSet<>());
        return new PciBuses(built, notes);
    }

    private static PciBus build(String name, Map<String, Info> infos, Map<String, PciBus> built, java.util.Set<String> seen) {
        PciBus b = built.get(name);
        if (b != null) return b;
        Info info = infos.get(name);
        if (info == null || !seen.add(name)) return null;
        PciBus parent = info.parentName() == null ? null : build(info.parentName(), infos, built, seen);
        // pci_setup_device() (drivers/pci/probe.c): dev->transparent = ((dev->class & 0xff) == 1) for a PCI-to-PCI bridge
        boolean transparent = info.bridge() != null && info.bridge().classCode() == 0x060401;
        b = new PciBus(name, info.windows(), parent, transparent);
        built.put(name, b);
        return b;
    }

    private static Resource find(List<Resource> nodes, Bar w) {
        for (Resource r : nodes) if (r.start() == w.start() && r.end() == w.end()) return r;
        throw new IllegalStateException("no node for " + w);
    }

    private static Resource ancestorBus(Resource r) {
        for (Resource p = r.parent(); p != null; p = p.parent()) if (p.name().startsWith("PCI Bus ")) return p;
        return null;
    }
}
