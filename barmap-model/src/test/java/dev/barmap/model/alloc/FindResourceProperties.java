package dev.barmap.model.alloc;

import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of __find_resource(): an allocated range is aligned, inside the window and [min, max],
 * overlaps no child and no E820 entry; and the O(log n) search gives exactly what the kernel's plain
 * walk over every child gives (a line-by-line transcription kept here as the reference).
 */
class FindResourceProperties {
    record Case(long winStart, long winEnd, List<long[]> children, long size, long min, long max, List<ArchRules.Range> e820) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Long> base = Arbitraries.of(0L, 0x40000L, 0x40000000L, 0xfff00000L, 0x100000000L);
        Arbitrary<Integer> winShift = Arbitraries.integers().between(12, 24);
        Arbitrary<List<Long>> cuts = Arbitraries.longs().between(0, 1L << 24).list().ofMaxSize(12);
        Arbitrary<Integer> sizeShift = Arbitraries.integers().between(0, 22);
        Arbitrary<Long> minOff = Arbitraries.longs().between(0, 1L << 24);
        Arbitrary<Long> maxOff = Arbitraries.longs().between(0, 1L << 24);
        Arbitrary<List<Long>> e820 = Arbitraries.longs().between(0, 1L << 24).list().ofMaxSize(4);
        return Combinators.combine(base, winShift, cuts, sizeShift, minOff, maxOff, e820).as((b, ws, cs, ss, mi, ma, es) -> {
            long len = 1L << ws;
            long ws0 = b, we = b + len - 1;
            // children: pairs of sorted distinct cut points inside the window
            var pts = new TreeSet<Long>();
            for (long c : cs) pts.add(ws0 + (c % len));
            var sorted = new ArrayList<>(pts);
            var kids = new ArrayList<long[]>();
            for (int i = 0; i + 1 < sorted.size(); i += 2) kids.add(new long[] {sorted.get(i), sorted.get(i + 1)});
            var ranges = new ArrayList<ArchRules.Range>();
            for (int i = 0; i + 1 < es.size(); i += 2) {
                long s = ws0 + Math.min(es.get(i), es.get(i + 1)) % len, e = s + (Math.max(es.get(i), es.get(i + 1)) % 0x10000);
                ranges.add(new ArchRules.Range(s, e));
            }
            long min = ws0 + (mi % len);
            long max = min + (ma % len);
            return new Case(ws0, we, kids, 1L << ss, min, max, ranges);
        });
    }

    private static Resource build(ResourceTree t, Case c) {
        Resource w = new Resource(c.winStart(), c.winEnd(), "PCI Bus 0000:01", IoResource.MEM);
        assertTrue(t.request(t.root(), w));
        for (long[] k : c.children()) assertTrue(t.request(w, new Resource(k[0], k[1], "child", IoResource.MEM)));
        return w;
    }

    @Property(tries = 3000, seed = "20261130")
    void allocationIsAlignedInsideFreeAndEqualsTheKernelsWalk(@ForAll("cases") Case c) {
        ResourceTree t = ResourceTree.iomem();
        Resource w = build(t, c);
        for (ArchRules arch : List.of(ArchRules.x86(c.e820()), ArchRules.generic(0))) {
            var alloc = new LinuxBarAllocator(arch);
            var constraint = new LinuxBarAllocator.Constraint(c.min(), c.max(), c.size());
            Optional<Long> got = alloc.findResource(w, c.size(), IoResource.MEM | IoResource.SIZEALIGN, constraint);
            Optional<Long> ref = reference(w, c.size(), IoResource.MEM | IoResource.SIZEALIGN, constraint, arch);
            assertEquals(ref, got, "O(log n) search differs from the kernel's walk");
            if (got.isEmpty()) continue;
            long s = got.get(), e = s + c.size() - 1;
            if (!arch.isaFloor() || s != ArchRules.BIOS_END) assertEquals(0, s & (c.size() - 1), "aligned");
            assertTrue(Long.compareUnsigned(s, w.start()) >= 0 && Long.compareUnsigned(e, w.end()) <= 0, "inside the window");
            assertTrue(Long.compareUnsigned(s, c.min()) >= 0 && Long.compareUnsigned(e, c.max()) <= 0, "inside [min, max]");
            assertNull(w.firstOverlappingChild(s, e), "overlaps no child");
            for (var r : arch.e820()) assertFalse(Long.compareUnsigned(s, r.end()) <= 0 && Long.compareUnsigned(e, r.start()) >= 0, "overlaps E820 " + r);
        }
    }

    /** One step on a window: allocate (size, align: any size, not only powers of two), or release child number {@code pick}. */
    record Step(boolean release, long size, long align, int pick, long minOff) {}

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.of(false, false, false, true), Arbitraries.longs().between(1, 0x5000),
                Arbitraries.integers().between(0, 14), Arbitraries.integers().between(0, 1000), Arbitraries.longs().between(0, 0x40000))
                .as((r, sz, al, p, mi) -> new Step(r, sz, 1L << al, p, mi));
    }

    /**
     * The gap index behind the O(log n) search ({@code Resource.nextGap}) is kept current as children come and go:
     * after every allocation (find, then request) and release, the search still equals the kernel's walk.
     */
    @Property(tries = 500, seed = "20261130")
    void searchStaysTheKernelsWalkWhileChildrenComeAndGo(@ForAll @net.jqwik.api.constraints.Size(max = 80) List<@net.jqwik.api.From("steps") Step> steps) {
        ResourceTree t = ResourceTree.iomem();
        Resource w = new Resource(0xc0000000L, 0xc003ffffL, "PCI Bus 0000:01", IoResource.MEM);
        assertTrue(t.request(t.root(), w));
        var e820 = List.of(new ArchRules.Range(0xc0010000L, 0xc0010fffL));
        for (ArchRules arch : List.of(ArchRules.x86(e820), ArchRules.generic(0))) {
            var alloc = new LinuxBarAllocator(arch);
            for (Step st : steps) {
                if (st.release()) {
                    var kids = List.copyOf(w.children());
                    if (!kids.isEmpty()) t.release(kids.get(st.pick() % kids.size()));
                    continue;
                }
                var c = new LinuxBarAllocator.Constraint(w.start() + st.minOff(), w.end(), st.align());
                Optional<Long> got = alloc.findResource(w, st.size(), IoResource.MEM, c);
                assertEquals(reference(w, st.size(), IoResource.MEM, c, arch), got, "search differs from the kernel's walk after " + w.childCount() + " children");
                got.ifPresent(s -> assertTrue(t.request(w, new Resource(s, s + st.size() - 1, "child", IoResource.MEM))));
            }
            for (Resource k : List.copyOf(w.children())) t.release(k);
        }
    }

    /** __find_resource() (kernel/resource.c, 6.1) transcribed without shortcuts: every child, in order. */
    static Optional<Long> reference(Resource root, long size, long flags, LinuxBarAllocator.Constraint c, ArchRules arch) {
        List<Resource> kids = List.copyOf(root.children());
        int i = 0;
        Resource self = kids.isEmpty() ? null : kids.get(0);
        long tmpStart = root.start();
        if (self != null && self.start() == root.start()) {
            tmpStart = self.end() + 1;
            self = ++i < kids.size() ? kids.get(i) : null;
        }
        for (;;) {
            long tmpEnd = self != null ? self.start() - 1 : root.end();
            if (Long.compareUnsigned(tmpEnd, tmpStart) >= 0) {
                long s = Long.compareUnsigned(tmpStart, c.min()) < 0 ? c.min() : tmpStart;
                long e = Long.compareUnsigned(tmpEnd, c.max()) > 0 ? c.max() : tmpEnd;
                long[] g = arch.removeReservations(s, e, flags);
                long availStart = LinuxBarAllocator.align(g[0], c.align());
                if (Long.compareUnsigned(availStart, g[0]) >= 0) {
                    long as = arch.alignResource(availStart, flags);
                    long ae = as + size - 1;
                    if (Long.compareUnsigned(as, ae) <= 0 && Long.compareUnsigned(availStart, as) <= 0 && Long.compareUnsigned(g[1], ae) >= 0) {
                        return Optional.of(as);
                    }
                }
            }
            if (self == null || self.end() == root.end()) break;
            tmpStart = self.end() + 1;
            self = ++i < kids.size() ? kids.get(i) : null;
        }
        return Optional.empty();
    }
}
