package dev.barmap.model.guest;

import dev.barmap.model.alloc.Assignment;
import dev.barmap.model.alloc.BarRequest;
import dev.barmap.model.alloc.BusWindow;
import dev.barmap.model.alloc.LinuxBarAllocator;
import dev.barmap.model.alloc.PciBus;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Shared placement machinery: bridges are sized bottom-up (children packed into a window that is then rounded to
 * the bridge granule), then every bus's items are placed in its window top-down from the root.
 */
final class Placer {
    enum Mode {
        /**
         * Linux's own assignment: every BAR through {@link LinuxBarAllocator} (pci_assign_resource → find_resource),
         * the allocator host hot-add uses, on a bus whose windows are the guest's root windows.
         */
        LINUX,
        /** Items packed upward from {@code alignDown(end - sum, maxAlign)} (SeaBIOS pci_bios_init_root_regions). */
        TOP_PACKED,
        /** A bump pointer aligned per item, never reusing gaps (SLOF). */
        BUMP
    }

    /** One thing to place on a bus: a BAR, or a bridge's window (bridgeBus ≥ 0). */
    record Item(BarKey key, int bridgeBus, long size, long align, boolean io, boolean high, boolean pref, boolean mem64, int seq) {
        // written out, as BarKey's: a record's generated equals/hashCode are bootstrapped through method handles
        // at their first call, which a JDK 25 AOT cache does not keep (start-up, BENCHMARKS.md P1)
        @Override
        public boolean equals(Object o) {
            return o instanceof Item i && java.util.Objects.equals(key, i.key) && bridgeBus == i.bridgeBus && size == i.size && align == i.align
                    && io == i.io && high == i.high && pref == i.pref && mem64 == i.mem64 && seq == i.seq;
        }

        @Override
        public int hashCode() { return java.util.Objects.hashCode(key) * 31 + seq; }
    }

    /**
     * Bridge sizing packs a bus's items into a window at relative address 0 that is later moved to the bridge
     * window's base. Generic hooks (no x86 ISA floor at 0..1 MiB): the kernel assigns the children after the
     * bridge window, whose base is 1 MiB aligned and above 1 MiB, where the x86 hooks change nothing.
     */
    private static final LinuxBarAllocator SIZING = new LinuxBarAllocator(dev.barmap.model.alloc.ArchRules.generic(0));
    /** The relative windows bridges are sized in: a non-prefetchable bridge memory window is 32-bit (Memory Base/Limit bits 31:20), I/O 16-bit. */
    private static final Window REL_MEM = new Window(0, 0x1_0000_0000L), REL_IO = new Window(0, 0x1_0000L);

    private final String firmware;
    private final Mode mode;
    private final ToLongFunction<GuestBar> sizeOf;
    private final ToLongFunction<GuestBar> alignOf;
    private final Predicate<GuestBar> high;
    private final Comparator<Item> order;
    private final LinuxBarAllocator linux;
    private boolean splitPrefetchable;

    /** Place prefetchable BARs in their own region above the others (SeaBIOS). */
    Placer splitPrefetchable() {
        this.splitPrefetchable = true;
        return this;
    }

    Placer(String firmware, Mode mode, ToLongFunction<GuestBar> sizeOf, ToLongFunction<GuestBar> alignOf,
           Predicate<GuestBar> high, Comparator<Item> order, LinuxBarAllocator linux) {
        this.firmware = firmware;
        this.mode = mode;
        this.sizeOf = sizeOf;
        this.alignOf = alignOf;
        this.high = high;
        this.order = order;
        if (mode == Mode.LINUX && linux == null) throw new IllegalArgumentException("Linux assignment needs the allocator");
        this.linux = linux;
    }

    /** Alignment descending, then scan order (bus, device, BAR): pdev_sort_resources / SeaBIOS entry lists. */
    // plain lambdas, not Comparator.comparing (serializable lambdas are spun at run time: start-up, as HostBuilder)
    static final Comparator<Item> BY_ALIGN_DESC = (a, b) -> a.align != b.align ? Long.compare(b.align, a.align) : Integer.compare(a.seq, b.seq);
    static final Comparator<Item> SCAN_ORDER = (a, b) -> Integer.compare(a.seq, b.seq);

    GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        Map<BarKey, Long> out = new HashMap<>();
        Map<BarKey, String> unassigned = new HashMap<>();
        Map<Integer, Window> bridgeWindows = new HashMap<>();
        // items per bus, in scan order
        Map<Integer, List<Item>> perBus = new TreeMap<>();
        int seq = 0;
        for (GuestBar b : bars) {
            boolean h = b.bus() == 0 && high.test(b) && platform.mmio64().isPresent();
            perBus.computeIfAbsent(b.bus(), k -> new ArrayList<>())
                    .add(new Item(b.key(), -1, sizeOf.applyAsLong(b), alignOf.applyAsLong(b), b.io(), h, b.prefetchable() && !b.io(),
                            b.mem64() && !b.io(), seq++));
        }
        // bridges bottom-up: deepest buses first (a bus's number is larger than its parent's in any DFS numbering,
        // but do not rely on it: order by depth)
        List<Integer> buses = new ArrayList<>(platform.bridges().keySet());
        buses.sort(Comparator.comparingInt((Integer b) -> depth(b, platform)).reversed());
        Map<Integer, Map<Item, Long>> relMem = new HashMap<>(), relIo = new HashMap<>();
        for (int bus : buses) {
            List<Item> items = perBus.getOrDefault(bus, List.of());
            var mem = items.stream().filter(i -> !i.io()).toList();
            var io = items.stream().filter(Item::io).toList();
            var memPlaced = mode == Mode.LINUX ? placeLinux(mem, List.of(REL_MEM), SIZING, unassigned)
                    : placeOn(mem, new Window(0, Long.MAX_VALUE / 4), unassigned);
            var ioPlaced = mode == Mode.LINUX ? placeLinux(io, List.of(REL_IO), SIZING, unassigned)
                    : placeOn(io, new Window(0, Long.MAX_VALUE / 4), unassigned);
            relMem.put(bus, memPlaced);
            relIo.put(bus, ioPlaced);
            long memSize = roundUp(extent(memPlaced), GuestPlatform.BRIDGE_MEM_GRANULE);
            long ioSize = roundUp(extent(ioPlaced), GuestPlatform.BRIDGE_IO_GRANULE);
            int parent = platform.bridges().get(bus);
            if (memSize > 0) perBus.computeIfAbsent(parent, k -> new ArrayList<>())
                    .add(new Item(null, bus, memSize, GuestPlatform.BRIDGE_MEM_GRANULE, false, false, false, false, seq++));
            if (ioSize > 0) perBus.computeIfAbsent(parent, k -> new ArrayList<>())
                    .add(new Item(null, bus, ioSize, GuestPlatform.BRIDGE_IO_GRANULE, true, false, false, false, seq++));
        }
        // root bus
        List<Item> root = perBus.getOrDefault(0, List.of());
        Map<Item, Long> placed = new LinkedHashMap<>();
        if (mode == Mode.LINUX) {
            // one root bus with both windows: the allocator picks the window (a 64-bit BAR above 4 GiB first)
            var windows = new ArrayList<Window>(List.of(platform.mmio32()));
            platform.mmio64().ifPresent(windows::add);
            placed.putAll(placeLinux(root.stream().filter(i -> !i.io()).toList(), windows, linux, unassigned));
            placed.putAll(placeLinux(root.stream().filter(Item::io).toList(), List.of(platform.io()), linux, unassigned));
        } else {
            placed.putAll(placeOn(root.stream().filter(i -> !i.io() && !i.high()).toList(), platform.mmio32(), unassigned));
            platform.mmio64().ifPresent(w -> placed.putAll(placeOn(root.stream().filter(Item::high).toList(), w, unassigned)));
            placed.putAll(placeOn(root.stream().filter(Item::io).toList(), platform.io(), unassigned));
        }
        // propagate down
        var queue = new ArrayList<>(placed.entrySet());
        while (!queue.isEmpty()) {
            var e = queue.removeLast();
            Item it = e.getKey();
            long base = e.getValue();
            if (it.key() != null) {
                out.put(it.key(), base);
                continue;
            }
            if (!it.io()) bridgeWindows.put(it.bridgeBus(), new Window(base, base + it.size()));
            var children = it.io() ? relIo.get(it.bridgeBus()) : relMem.get(it.bridgeBus());
            for (var c : children.entrySet()) queue.add(Map.entry(c.getKey(), base + c.getValue()));
        }
        for (GuestBar b : bars) {
            if (!out.containsKey(b.key()) && !unassigned.containsKey(b.key())) {
                unassigned.put(b.key(), "behind a bridge whose window could not be placed");
            }
        }
        return new GuestLayout(firmware, out, unassigned, bridgeWindows);
    }

    private Map<Item, Long> placeOn(List<Item> items, Window w, Map<BarKey, String> unassigned) {
        if (mode == Mode.TOP_PACKED && splitPrefetchable && items.stream().anyMatch(Item::pref) && items.stream().noneMatch(Item::io)) {
            // SeaBIOS pci_bios_init_root_regions: the prefetchable region is packed at the top of the window and the
            // non-prefetchable region right below it
            var pref = placeOn(items.stream().filter(Item::pref).toList(), w, unassigned, true);
            long prefBase = pref.values().stream().mapToLong(Long::longValue).min().orElse(w.end());
            var res = new LinkedHashMap<Item, Long>(pref);
            var rest = items.stream().filter(i -> !i.pref()).toList();
            if (!rest.isEmpty()) res.putAll(placeOn(rest, new Window(w.start(), Math.max(w.start() + 1, prefBase)), unassigned, true));
            return res;
        }
        return placeOn(items, w, unassigned, true);
    }

    private Map<Item, Long> placeOn(List<Item> items, Window w, Map<BarKey, String> unassigned, boolean unused) {
        var sorted = new ArrayList<>(items);
        sorted.sort(order);
        Map<Item, Long> res = new LinkedHashMap<>();
        switch (mode) {
            case LINUX -> res.putAll(placeLinux(items, List.of(w), linux, unassigned));
            case TOP_PACKED -> {
                if (!sorted.isEmpty() && sorted.getFirst().io()) {
                    // SeaBIOS hands out I/O ports upward from the I/O base (0xc000 on q35)
                    long cur = w.start();
                    for (Item it : sorted) {
                        long a = roundUp(cur, it.align());
                        if (a + it.size() > w.end()) { fail(it, w, unassigned); continue; }
                        res.put(it, a);
                        cur = a + it.size();
                    }
                    break;
                }
                long sum = 0, maxAlign = 1;
                for (Item it : sorted) {
                    sum = roundUp(sum, it.align()) + it.size();
                    maxAlign = Math.max(maxAlign, it.align());
                }
                long base = (w.end() - sum) & -maxAlign;
                if (sorted.isEmpty()) break;
                if (base < w.start() || w.end() - sum < 0) {
                    for (Item it : sorted) fail(it, w, unassigned);
                    break;
                }
                long cur = base;
                for (Item it : sorted) {
                    cur = roundUp(cur, it.align());
                    res.put(it, cur);
                    cur += it.size();
                }
            }
            case BUMP -> {
                long cur = w.start();
                for (Item it : sorted) {
                    long a = roundUp(cur, it.align());
                    if (a + it.size() > w.end()) {
                        fail(it, w, unassigned);
                        continue;
                    }
                    res.put(it, a);
                    cur = a + it.size();
                }
            }
        }
        return res;
    }

    /**
     * Linux's assignment of one bus's items (all memory or all I/O) into {@code windows}: pdev_sort_resources order
     * (drivers/pci/setup-bus.c, {@link #BY_ALIGN_DESC}, the same stable descending sort as
     * {@link LinuxBarAllocator#sortByAlignment}), then for a memory BAR {@link LinuxBarAllocator#assign}
     * (pci_assign_resource: window choice by type, above 4 GiB first for 64-bit BARs, find_resource). I/O BARs and
     * bridge windows (IORESOURCE_STARTALIGN), which {@link BarRequest} does not model, take the step
     * pci_bus_alloc_from_region() takes for each window in turn: {@link LinuxBarAllocator#allocateResource}.
     */
    private Map<Item, Long> placeLinux(List<Item> items, List<Window> windows, LinuxBarAllocator alloc, Map<BarKey, String> unassigned) {
        Map<Item, Long> res = new LinkedHashMap<>();
        if (items.isEmpty()) return res;
        var sorted = new ArrayList<>(items);
        sorted.sort(order);
        boolean io = sorted.getFirst().io();
        long winFlags = (io ? IoResource.IO : IoResource.MEM) | IoResource.WINDOW;
        var tree = new ResourceTree(io ? "guest ioport" : "guest iomem", 0, -1L);
        var busWindows = new ArrayList<BusWindow>();
        for (Window w : windows) {
            var node = new Resource(w.start(), w.end() - 1, "guest root window", winFlags);
            if (!tree.request(tree.root(), node)) throw new IllegalArgumentException("overlapping guest windows " + windows);
            busWindows.add(new BusWindow(node, winFlags, "guest root window"));
        }
        PciBus bus = PciBus.root("guest 0000:00", busWindows);
        for (Item it : sorted) {
            Optional<Long> at = Optional.empty();
            if (!it.io() && it.key() != null) {
                long f = IoResource.MEM | IoResource.SIZEALIGN | (it.mem64() ? IoResource.MEM_64 : 0) | (it.pref() ? IoResource.PREFETCH : 0);
                // with pci=resource_alignment the size is already the enlarged one (pci_request_resource_alignment, resize)
                var a = alloc.assign(tree, new BarRequest(it.key().device(), it.key().index(), it.size(), f, bus));
                if (a instanceof Assignment.Assigned got) at = Optional.of(got.start());
            } else {
                long f = it.io() ? IoResource.IO : IoResource.MEM;
                for (BusWindow bw : busWindows) {
                    // a bridge's non-prefetchable memory window is 32-bit: region pci_32_bit (drivers/pci/bus.c)
                    long max = it.io() ? bw.node().end() : Math.min(bw.node().end(), 0xffffffffL);
                    if (Long.compareUnsigned(max, bw.node().start()) < 0) continue;
                    var got = alloc.allocateResource(tree, bw.node(), it.size(), f, name(it),
                            new LinuxBarAllocator.Constraint(bw.node().start(), max, it.align()));
                    if (got.isPresent()) {
                        at = Optional.of(got.get().start());
                        break;
                    }
                }
            }
            if (at.isPresent()) res.put(it, at.get());
            else fail(it, windows.getFirst(), unassigned);
        }
        return res;
    }

    private static String name(Item it) {
        return it.key() != null ? it.key().device() : "PCI Bus 0000:" + String.format("%02x", it.bridgeBus());
    }

    private static void fail(Item it, Window w, Map<BarKey, String> unassigned) {
        String why = String.format("no space for 0x%x bytes in window [0x%x, 0x%x)", it.size(), w.start(), w.end());
        if (it.key() != null) unassigned.put(it.key(), why);
    }

    private static long extent(Map<Item, Long> placed) {
        long e = 0;
        for (var x : placed.entrySet()) e = Math.max(e, x.getValue() + x.getKey().size());
        return e;
    }

    private static int depth(int bus, GuestPlatform p) {
        int d = 0;
        for (Integer b = bus; b != null && b != 0 && d < 256; b = p.bridges().get(b)) d++;
        return d;
    }

    static long roundUp(long v, long a) { return (v + a - 1) & -a; }
}
