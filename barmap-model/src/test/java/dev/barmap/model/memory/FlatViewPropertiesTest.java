package dev.barmap.model.memory;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The O(n log n) renderer against a reference that resolves every address by walking the tree the way
 * render_memory_region orders it (subregions in list order first, the terminating region itself last).
 */
class FlatViewPropertiesTest {
    static final int SPACE = 512;

    /** Insertion sequence of every region added by {@link #randomTree}, independent of the list order under test. */
    static final Map<MemoryRegion, Integer> SEQ = new IdentityHashMap<>();

    /**
     * Reference: who serves {@code addr}, and at which offset in that region. Siblings are tried by the documented
     * rule (docs/devel/memory.rst): higher priority first, and among equal priorities the one added last.
     */
    static Optional<FlatRange> resolve(MemoryRegion mr, long base, long clipStart, long clipEnd, long addr) {
        if (!mr.enabled()) return Optional.empty();
        long start = base + mr.addr();
        long s = Math.max(start, clipStart), e = Math.min(start + mr.size(), clipEnd);
        if (addr < s || addr >= e) return Optional.empty();
        var subs = new ArrayList<>(mr.subregions());
        subs.sort(Comparator.comparingInt(MemoryRegion::priority).reversed()
                .thenComparing(Comparator.comparingInt((MemoryRegion r) -> SEQ.getOrDefault(r, 0)).reversed()));
        for (MemoryRegion sub : subs) {
            var r = resolve(sub, start, s, e, addr);
            if (r.isPresent()) return r;
        }
        if (!mr.kind().terminates()) return Optional.empty();
        return Optional.of(new FlatRange(addr, 1, mr, addr - start));
    }

    /** A random tree built with random add order, priorities, overlaps, sizes, disabled regions. */
    static MemoryRegion randomTree(long seed) {
        var rnd = new Random(seed);
        SEQ.clear();
        MemoryRegion root = MemoryRegion.container("root", SPACE);
        var containers = new ArrayList<MemoryRegion>(List.of(root));
        int n = 1 + rnd.nextInt(14);
        for (int i = 0; i < n; i++) {
            MemoryRegion parent = containers.get(rnd.nextInt(containers.size()));
            long psize = Math.max(1, parent.size());
            long off = rnd.nextInt((int) Math.min(psize + 16, SPACE));
            long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 200);
            MemoryRegion r = switch (rnd.nextInt(5)) {
                case 0 -> MemoryRegion.container("c" + i, size);
                case 1 -> MemoryRegion.ramDevice("d" + i, size, new HostBacking(0x100000L * i, "o" + i));
                case 2 -> MemoryRegion.ram("r" + i, size);
                default -> MemoryRegion.io("io" + i, size);
            };
            if (rnd.nextInt(8) == 0) r.setEnabled(false);
            parent.addSubregionOverlap(off, r, rnd.nextInt(4) - 1);
            SEQ.put(r, i);
            if (r.kind() == RegionKind.CONTAINER || r.kind() == RegionKind.IO && rnd.nextBoolean()) containers.add(r);
        }
        return root;
    }

    @Property(tries = 300, seed = "20261130")
    void everyAddressMatchesTheReference(@ForAll long seed) {
        MemoryRegion root = randomTree(seed);
        FlatView fv = FlatView.render(root);
        for (long a = 0; a < SPACE + 40; a++) {
            var want = resolve(root, 0, 0, MemoryRegion.UNBOUNDED, a);
            var got = fv.lookup(a);
            assertEquals(want.isPresent(), got.isPresent(), "address " + a + "\n" + fv);
            if (want.isPresent()) {
                assertSame(want.get().region(), got.get().region(), "address " + a + "\n" + fv);
                assertEquals(want.get().offsetInRegion(), got.get().offsetInRegion() + (a - got.get().start()), "offset at " + a);
            }
        }
    }

    @Property(tries = 300, seed = "20261130")
    void rangesAreSortedDisjointAndSimplified(@ForAll long seed) {
        FlatView fv = FlatView.render(randomTree(seed));
        var rs = fv.ranges();
        for (int i = 1; i < rs.size(); i++) {
            FlatRange p = rs.get(i - 1), c = rs.get(i);
            assertTrue(p.end() <= c.start(), "overlap " + p + " " + c);
            boolean mergeable = p.end() == c.start() && p.region() == c.region() && p.offsetInRegion() + p.size() == c.offsetInRegion();
            assertFalse(mergeable, "not simplified: " + p + " " + c);
        }
        for (FlatRange r : rs) {
            assertTrue(r.kind().terminates());
            assertEquals(r.start(), fv.overlapping(r.start(), r.start() + 1).getFirst().start());
        }
    }

    @Property(tries = 300, seed = "20261130")
    void kvmSlotsAreTheLargestPageAlignedPartOfEachRamSection(@ForAll long seed, @ForAll("pages") long page) {
        FlatView fv = FlatView.render(randomTree(seed));
        for (FlatRange r : fv.ranges()) {
            var slot = KvmSlots.alignSection(r, page);
            if (!r.kind().isRam()) {
                assertTrue(slot.isEmpty());
                continue;
            }
            long lo = (r.start() + page - 1) / page * page, hi = r.end() / page * page;
            if (hi <= lo) assertTrue(slot.isEmpty(), r + " → " + slot);
            else {
                assertEquals(lo, slot.orElseThrow().guestStart());
                assertEquals(hi - lo, slot.get().size());
                assertEquals(r.offsetInRegion() + (lo - r.start()), slot.get().offsetInRegion());
            }
        }
    }

    @Provide
    Arbitrary<Long> pages() { return Arbitraries.of(1L, 2L, 4L, 16L, 64L); }

    @Property(tries = 20, seed = "20261130")
    void wideFlatContainerRendersInOrder(@ForAll @IntRange(min = 1, max = 3000) int n) {
        // n leaves laid out back to back, plus a low-priority background filling the gaps
        MemoryRegion root = MemoryRegion.container("root", MemoryRegion.UNBOUNDED);
        MemoryRegion bg = MemoryRegion.io("bg", 16L * n);
        root.addSubregionOverlap(0, bg, -1);
        for (int i = 0; i < n; i++) root.addSubregion(16L * i, MemoryRegion.ramDevice("l" + i, 8, new HostBacking(0, i)));
        FlatView fv = FlatView.render(root);
        assertEquals(2 * n, fv.size());
        assertEquals("l" + (n - 1), fv.lookup(16L * (n - 1) + 3).orElseThrow().region().name());
        assertEquals("bg", fv.lookup(16L * (n - 1) + 9).orElseThrow().region().name());
    }
}
