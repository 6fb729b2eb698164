package dev.barmap.model.memory;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link IncrementalFlatView} against the full rebuild ({@link FlatView#render} and {@link KvmSlots#of}) after every
 * step of a random sequence of memory-API calls: add (with priorities, overlaps, nested containers, terminating
 * regions with subregions, aliases), delete, move (memory_region_set_address), resize, enable/disable. The full
 * render with aliases is itself checked address by address against a reference that resolves each address the way
 * render_memory_region orders regions (docs/devel/memory.rst: higher priority first, among equals the later-added).
 * Seeded (jqwik seed 20261130, printed with every run); the failing sample and its step log are printed on failure.
 */
class IncrementalFlatViewPropertiesTest {
    static final int SPACE = 512;

    /** One random program: the regions made so far and the add order of each (the reference's tie-break). */
    static final class World {
        final Random rnd;
        final MemoryRegion root = MemoryRegion.container("root", SPACE);
        /** Alias targets live outside the root (as QEMU's pc.ram or pci address space); they never hold aliases, so no cycle. */
        final List<MemoryRegion> targets = new ArrayList<>();
        final List<MemoryRegion> containers = new ArrayList<>();
        final List<MemoryRegion> targetContainers = new ArrayList<>();
        final List<MemoryRegion> mapped = new ArrayList<>();
        final Map<MemoryRegion, Long> stamp = new IdentityHashMap<>();
        long clock;
        int names;
        final StringBuilder log = new StringBuilder();

        World(long seed) {
            rnd = new Random(seed);
            containers.add(root);
            for (int t = 0; t < 2; t++) {
                MemoryRegion target = rnd.nextBoolean() ? MemoryRegion.container("t" + t, 64 + rnd.nextInt(200))
                        : MemoryRegion.ram("t" + t, 64 + rnd.nextInt(200));
                targets.add(target);
                targetContainers.add(target);
            }
        }

        MemoryRegion leafOrContainer(boolean allowAlias) {
            long size = 1 + rnd.nextInt(rnd.nextBoolean() ? 24 : 200);
            String n = "m" + names++;
            return switch (rnd.nextInt(allowAlias ? 6 : 5)) {
                case 0 -> MemoryRegion.container(n, size);
                case 1 -> MemoryRegion.ramDevice(n, size, new HostBacking(0x100000L * names, "o" + names));
                case 2 -> MemoryRegion.ram(n, size);
                case 3, 4 -> MemoryRegion.io(n, size);
                default -> {
                    MemoryRegion t = targets.get(rnd.nextInt(targets.size()));
                    yield MemoryRegion.alias(n, t, rnd.nextInt((int) Math.max(1, t.size() + 8)), size);
                }
            };
        }

        void add() {
            boolean intoTarget = rnd.nextInt(4) == 0;
            List<MemoryRegion> pool = intoTarget ? targetContainers : containers;
            MemoryRegion parent = pool.get(rnd.nextInt(pool.size()));
            MemoryRegion r = leafOrContainer(!intoTarget);
            long off = rnd.nextInt((int) Math.min(Math.max(1, parent.size()) + 16, SPACE));
            int prio = rnd.nextInt(4) - 1;
            log.append("add ").append(r.name()).append(r.aliasTarget() != null ? " alias of " + r.aliasTarget().name() + "@" + r.aliasOffset() : "")
                    .append(" size ").append(r.size()).append(" to ").append(parent.name()).append(" @").append(off).append(" prio ").append(prio).append('\n');
            parent.addSubregionOverlap(off, r, prio);
            stamp.put(r, ++clock);
            mapped.add(r);
            // terminating regions may carry subregions too (a vfio BAR's io region holds its mmap)
            if (r.aliasTarget() == null && (r.kind() == RegionKind.CONTAINER || r.kind() == RegionKind.IO && rnd.nextBoolean())) {
                (intoTarget ? targetContainers : containers).add(r);
            }
        }

        MemoryRegion anyMapped() { return mapped.get(rnd.nextInt(mapped.size())); }

        void step() {
            int op = mapped.isEmpty() ? 0 : rnd.nextInt(10);
            switch (op) {
                case 0, 1, 2, 3 -> add();
                case 4 -> {
                    MemoryRegion r = anyMapped();
                    log.append("del ").append(r.name()).append('\n');
                    r.container().delSubregion(r);
                    mapped.remove(r);
                    containers.remove(r);
                    targetContainers.remove(r);
                    // its subtree goes with it (still linked below it, unreachable from the root until re-added: not re-added here)
                    mapped.removeIf(m -> !reachable(m));
                    containers.removeIf(m -> m != root && !reachable(m));
                    targetContainers.removeIf(m -> !targets.contains(m) && !reachable(m));
                }
                case 5, 6 -> {
                    MemoryRegion r = anyMapped();
                    long off = rnd.nextInt(SPACE);
                    log.append("move ").append(r.name()).append(" to @").append(off).append('\n');
                    long before = r.addr();
                    r.setAddress(off);
                    if (off != before) stamp.put(r, ++clock); // memory_region_readd_subregion: re-added, so latest
                }
                case 7 -> {
                    MemoryRegion r = rnd.nextBoolean() || targets.isEmpty() ? anyMapped() : targets.get(rnd.nextInt(targets.size()));
                    long size = rnd.nextInt(rnd.nextBoolean() ? 24 : 260);
                    log.append("resize ").append(r.name()).append(" to ").append(size).append('\n');
                    r.setSize(size);
                }
                default -> {
                    MemoryRegion r = anyMapped();
                    log.append(r.enabled() ? "disable " : "enable ").append(r.name()).append('\n');
                    r.setEnabled(!r.enabled());
                }
            }
        }

        boolean reachable(MemoryRegion m) {
            for (MemoryRegion r = m; r != null; r = r.container()) if (r == root || targets.contains(r)) return true;
            return false;
        }

        /** Reference: who serves {@code addr} (a 1-byte range naming the leaf and its offset), by the documented order. */
        Optional<FlatRange> resolve(MemoryRegion mr, long base, long clipStart, long clipEnd, long addr) {
            if (!mr.enabled()) return Optional.empty();
            long start = base + mr.addr();
            long s = Math.max(start, clipStart), e = Math.min(start + mr.size(), clipEnd);
            if (addr < s || addr >= e) return Optional.empty();
            if (mr.aliasTarget() != null) {
                MemoryRegion t = mr.aliasTarget();
                return resolve(t, start - mr.aliasOffset() - t.addr(), s, e, addr);
            }
            var subs = new ArrayList<>(mr.subregions());
            subs.sort(Comparator.comparingInt(MemoryRegion::priority).reversed()
                    .thenComparing(Comparator.comparingLong((MemoryRegion r) -> stamp.getOrDefault(r, 0L)).reversed()));
            for (MemoryRegion sub : subs) {
                var r = resolve(sub, start, s, e, addr);
                if (r.isPresent()) return r;
            }
            if (!mr.kind().terminates()) return Optional.empty();
            return Optional.of(new FlatRange(addr, 1, mr, addr - start));
        }
    }

    static void assertSameView(World w, IncrementalFlatView inc, long page) {
        FlatView full = FlatView.render(w.root);
        assertEquals(full.ranges(), inc.ranges(), () -> "after\n" + w.log + "full:\n" + full + "\nincremental:\n" + inc);
        assertEquals(KvmSlots.of(full, page), inc.kvmSlots(), () -> "KVM slots after\n" + w.log);
        assertEquals(full.mtreeLines(), inc.mtreeLines());
    }

    @Property(tries = 300, seed = "20261130")
    void incrementalEqualsFullRebuildAfterEveryStep(@ForAll long seed, @ForAll("pages") long page) {
        var w = new World(seed);
        try (var inc = IncrementalFlatView.of(w.root, page)) {
            int steps = 1 + w.rnd.nextInt(60);
            for (int i = 0; i < steps; i++) {
                w.step();
                assertSameView(w, inc, page);
            }
        }
    }

    @Property(tries = 150, seed = "20261130")
    void fullRenderWithAliasesMatchesTheReferenceAtEveryAddress(@ForAll long seed) {
        var w = new World(seed);
        int steps = 1 + w.rnd.nextInt(40);
        for (int i = 0; i < steps; i++) w.step();
        FlatView fv = FlatView.render(w.root);
        for (long a = 0; a < SPACE + 40; a++) {
            var want = w.resolve(w.root, 0, 0, MemoryRegion.UNBOUNDED, a);
            var got = fv.lookup(a);
            long addr = a;
            assertEquals(want.isPresent(), got.isPresent(), () -> "address " + addr + " after\n" + w.log + fv);
            if (want.isPresent()) {
                assertSame(want.get().region(), got.get().region(), () -> "address " + addr + " after\n" + w.log + fv);
                assertEquals(want.get().offsetInRegion(), got.get().offsetInRegion() + (a - got.get().start()), "offset at " + a);
            }
        }
    }

    @Provide
    Arbitrary<Long> pages() { return Arbitraries.of(1L, 4L, 16L, 64L); }

    /** QEMU's pc_memory_init shape: RAM below 4G as an alias of the RAM block; a change in the block shows through it. */
    @Test
    void aChangeInsideAnAliasedRegionShowsThroughTheAlias() {
        MemoryRegion system = MemoryRegion.container("system", MemoryRegion.UNBOUNDED);
        MemoryRegion ram = MemoryRegion.container("pc.ram-container", 0x10000);
        ram.addSubregion(0, MemoryRegion.ram("pc.ram", 0x10000));
        system.addSubregion(0x1000, MemoryRegion.alias("ram-below-4g", ram, 0x2000, 0x4000));
        try (var inc = IncrementalFlatView.of(system, 0x1000)) {
            assertEquals(List.of("0000000000001000-0000000000004fff (prio 0, ram): pc.ram @0000000000002000"), inc.mtreeLines());
            MemoryRegion hole = MemoryRegion.io("hole", 0x1000);
            ram.addSubregionOverlap(0x3000, hole, 1);
            assertEquals(List.of(
                    "0000000000001000-0000000000001fff (prio 0, ram): pc.ram @0000000000002000",
                    "0000000000002000-0000000000002fff (prio 1, i/o): hole",
                    "0000000000003000-0000000000004fff (prio 0, ram): pc.ram @0000000000004000"), inc.mtreeLines());
            assertEquals(2, inc.kvmSlots().size());
            ram.delSubregion(hole);
            assertEquals(FlatView.render(system).ranges(), inc.ranges());
            assertEquals(1, inc.size());
        }
    }
}
