package dev.barmap.model.guest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Shared placement machinery: bridges are sized bottom-up (children packed into a window that is then rounded to
 * the bridge granule), then every bus's items are placed in its window top-down from the root.
 */
final class Placer {
    enum Mode {
        /** Lowest fit per item, in order (Linux pci_assign_resource → find_resource). */
        FIRST_FIT,
        /** Items packed upward from {@code alignDown(end - sum, maxAlign)} (SeaBIOS pci_bios_init_root_regions). */
        TOP_PACKED,
        /** A bump pointer aligned per item, never reusing gaps (SLOF). */
        BUMP
    }

    /** One thing to place on a bus: a BAR, or a bridge's window (bridgeBus ≥ 0). */
    record Item(BarKey key, int bridgeBus, long size, long align, boolean io, boolean high, boolean pref, int seq) {}

    private final String firmware;
    private final Mode mode;
    private final ToLongFunction<GuestBar> sizeOf;
    private final ToLongFunction<GuestBar> alignOf;
    private final Predicate<GuestBar> high;
    private final Comparator<Item> order;
    private final ResourceAllocator allocator;
    private boolean splitPrefetchable;

    /** Place prefetchable BARs in their own region above the others (SeaBIOS). */
    Placer splitPrefetchable() {
        this.splitPrefetchable = true;
        return this;
    }

    Placer(String firmware, Mode mode, ToLongFunction<GuestBar> sizeOf, ToLongFunction<GuestBar> alignOf,
           Predicate<GuestBar> high, Comparator<Item> order, ResourceAllocator allocator) {
        this.firmware = firmware;
        this.mode = mode;
        this.sizeOf = sizeOf;
        this.alignOf = alignOf;
        this.high = high;
        this.order = order;
        this.allocator = allocator;
    }

    /** Alignment descending, then scan order (bus, device, BAR): pdev_sort_resources / SeaBIOS entry lists. */
    static final Comparator<Item> BY_ALIGN_DESC = Comparator.comparingLong(Item::align).reversed().thenComparingInt(Item::seq);
    static final Comparator<Item> SCAN_ORDER = Comparator.comparingInt(Item::seq);

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
                    .add(new Item(b.key(), -1, sizeOf.applyAsLong(b), alignOf.applyAsLong(b), b.io(), h, b.prefetchable() && !b.io(), seq++));
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
            var memPlaced = placeOn(mem, new Window(0, Long.MAX_VALUE / 4), unassigned);
            var ioPlaced = placeOn(io, new Window(0, Long.MAX_VALUE / 4), unassigned);
            relMem.put(bus, memPlaced);
            relIo.put(bus, ioPlaced);
            long memSize = roundUp(extent(memPlaced), GuestPlatform.BRIDGE_MEM_GRANULE);
            long ioSize = roundUp(extent(ioPlaced), GuestPlatform.BRIDGE_IO_GRANULE);
            int parent = platform.bridges().get(bus);
            if (memSize > 0) perBus.computeIfAbsent(parent, k -> new ArrayList<>())
                    .add(new Item(null, bus, memSize, GuestPlatform.BRIDGE_MEM_GRANULE, false, false, false, seq++));
            if (ioSize > 0) perBus.computeIfAbsent(parent, k -> new ArrayList<>())
                    .add(new Item(null, bus, ioSize, GuestPlatform.BRIDGE_IO_GRANULE, true, false, false, seq++));
        }
        // root bus
        List<Item> root = perBus.getOrDefault(0, List.of());
        Map<Item, Long> placed = new LinkedHashMap<>();
        placed.putAll(placeOn(root.stream().filter(i -> !i.io() && !i.high()).toList(), platform.mmio32(), unassigned));
        platform.mmio64().ifPresent(w -> placed.putAll(placeOn(root.stream().filter(Item::high).toList(), w, unassigned)));
        placed.putAll(placeOn(root.stream().filter(Item::io).toList(), platform.io(), unassigned));
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
            case FIRST_FIT -> {
                var taken = new TreeMap<Long, Long>();
                for (Item it : sorted) {
                    OptionalLong a = allocator.allocate(w, it.size(), it.align(), taken);
                    if (a.isPresent()) {
                        res.put(it, a.getAsLong());
                        taken.put(a.getAsLong(), a.getAsLong() + it.size());
                    } else fail(it, w, unassigned);
                }
            }
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
