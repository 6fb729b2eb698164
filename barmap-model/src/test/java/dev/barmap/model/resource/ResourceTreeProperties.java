package dev.barmap.model.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * {@link ResourceTree} (TreeMap siblings, O(log n)) against {@link NaiveResourceTree} (kernel/resource.c
 * transcribed with linked lists): the same random sequence of request / insert / release / request_region /
 * lookup gives the same conflicts and the same tree after every step.
 */
class ResourceTreeProperties {
    enum Kind { REQUEST, INSERT, RELEASE, REGION, LOOKUP }

    /** One operation; {@code pick} chooses a node of the current tree (pre-order index, modulo size + 1 for the root). */
    record Op(Kind kind, long a, long b, int pick, boolean busy) {} // a: start, b: length

    @Provide
    Arbitrary<Op> ops() {
        // a coarse address space (many conflicts, equal ranges, nesting), sometimes at the top of the
        // 64-bit space (unsigned compares); length 0 gives end = start - 1 (the kernel's conflict: the parent)
        Arbitrary<Long> start = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 24).map(x -> x * 32),
                Arbitraries.longs().between(1, 24).map(x -> -x * 32));
        Arbitrary<Long> len = Arbitraries.of(0L, 16L, 32L, 32L, 64L, 96L, 128L, 256L, 512L);
        return Combinators.combine(Arbitraries.of(Kind.class), start, len, Arbitraries.integers().between(0, 1000), Arbitraries.of(true, false))
                .as((k, a, b, p, busy) -> new Op(k, a, b, p, busy));
    }

    @Property(tries = 400, seed = "20261123")
    void sameAnswersAsTheKernelsLinkedLists(@ForAll @Size(max = 60) List<@net.jqwik.api.From("ops") Op> ops) {
        ResourceTree fast = ResourceTree.iomem();
        NaiveResourceTree slow = new NaiveResourceTree("PCI mem", 0, -1L);
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            String name = "r" + i;
            long s = op.a(), e = op.a() + op.b() - 1;
            long flags = IoResource.MEM | (op.busy() ? IoResource.BUSY : 0);
            List<Resource> fastAll = fast.all();
            List<NaiveResourceTree.Node> slowAll = slow.all();
            int k = op.pick() % (fastAll.size() + 1);
            Resource fp = k == fastAll.size() ? fast.root() : fastAll.get(k);
            NaiveResourceTree.Node sp = k == slowAll.size() ? slow.root() : slowAll.get(k);
            String step = "step " + i + " " + op;
            switch (op.kind()) {
                case REQUEST -> assertEquals(name(slow.requestConflict(sp, new NaiveResourceTree.Node(s, e, name, flags))),
                        name(fast.requestConflict(fp, new Resource(s, e, name, flags))), step);
                case INSERT -> assertEquals(name(slow.insertConflict(slow.root(), new NaiveResourceTree.Node(s, e, name, flags))),
                        name(fast.insertConflict(fast.root(), new Resource(s, e, name, flags))), step);
                case RELEASE -> {
                    if (k < fastAll.size()) {
                        fast.release(fp);
                        slow.release(sp);
                    }
                }
                case REGION -> {
                    long n = op.b() == 0 ? 16 : op.b();
                    var fr = fast.requestRegion(fast.root(), s, n, name, 0);
                    var sr = slow.requestRegion(slow.root(), s, n, name, 0);
                    assertEquals(sr == null ? "none" : sr + " under " + (sr.parent().parent() == null ? "PCI mem" : sr.parent().toString()),
                            fr.map(r -> range(r) + " under " + (r.parent().parent() == null ? "PCI mem" : range(r.parent()))).orElse("none"), step);
                }
                case LOOKUP -> {
                    NaiveResourceTree.Node sl = slow.lookup(s);
                    Resource fl = fast.lookup(s);
                    assertEquals(sl.name, fl.name(), step);
                }
            }
            assertEquals(render(slow), Iomem.render(fast), "tree differs after " + step);
        }
    }

    private static String range(Resource r) { return String.format("%x-%x : %s", r.start(), r.end(), r.name()); }

    private static String name(NaiveResourceTree.Node n) { return n == null ? "added" : n.name; }

    private static String name(Optional<Resource> r) { return r.map(Resource::name).orElse("added"); }

    /** The naive tree in r_show() format, written independently of Iomem.render. */
    static String render(NaiveResourceTree t) {
        var sb = new StringBuilder();
        for (var n : t.all()) {
            sb.append("  ".repeat(Math.min(NaiveResourceTree.depth(n), 5)));
            sb.append(String.format("%08x-%08x : %s%n", n.start, n.end, n.name));
        }
        return sb.toString().replace(System.lineSeparator(), "\n");
    }

    /** Regression guard for the property above: a known nesting case the kernel answers with the covering child. */
    @Property(tries = 1, seed = "20261130")
    void insertAdoptsTheChildrenItCovers() {
        ResourceTree t = ResourceTree.iomem();
        t.request(t.root(), new Resource(0x1000, 0x1fff, "a", IoResource.MEM));
        t.request(t.root(), new Resource(0x2000, 0x2fff, "b", IoResource.MEM));
        assertEquals(Optional.empty(), t.insertConflict(t.root(), new Resource(0x0, 0x3fff, "window", IoResource.MEM)));
        assertEquals(List.of("window", "a", "b"), new ArrayList<>(t.all().stream().map(Resource::name).toList()));
        assertEquals("window", t.lookup(0x1800).parent().name());
    }
}
