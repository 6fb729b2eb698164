package dev.barmap.model.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceTreeTest {
    final ResourceTree t = ResourceTree.iomem();

    Resource r(long s, long e, String n) { return new Resource(s, e, n, IoResource.MEM); }

    @Test
    void requestConflictsWithAnOverlappingDirectChildOnly() {
        Resource win = r(0x1000, 0xffff, "PCI Bus 0000:00");
        assertTrue(t.request(t.root(), win));
        Resource a = r(0x2000, 0x20ff, "a");
        assertTrue(t.request(win, a));
        // overlapping a (a direct child of win) -> conflict is a
        assertSame(a, t.requestConflict(win, r(0x2080, 0x217f, "b")).orElseThrow());
        // at the root, win is the conflict (the kernel only looks at direct children)
        assertSame(win, t.requestConflict(t.root(), r(0x2080, 0x217f, "c")).orElseThrow());
        // adjacent is fine
        assertTrue(t.request(win, r(0x2100, 0x21ff, "d")));
        assertEquals(2, win.childCount());
    }

    @Test
    void requestOutsideTheParentConflictsWithTheParent() {
        Resource win = r(0x1000, 0x1fff, "w");
        t.request(t.root(), win);
        assertSame(win, t.requestConflict(win, r(0x1f00, 0x20ff, "x")).orElseThrow());
        assertSame(win, t.requestConflict(win, r(0x0f00, 0x10ff, "y")).orElseThrow());
        // end below start: the kernel returns root
        assertSame(win, t.requestConflict(win, r(0x1800, 0x17ff, "z")).orElseThrow());
    }

    @Test
    void firstConflictInAddressOrderIsReported() {
        Resource a = r(0x100, 0x1ff, "a"), b = r(0x200, 0x2ff, "b");
        t.request(t.root(), a);
        t.request(t.root(), b);
        assertSame(a, t.requestConflict(t.root(), r(0x150, 0x250, "x")).orElseThrow());
    }

    @Test
    void insertAdoptsTheChildrenItCovers() {
        Resource a = r(0x100, 0x1ff, "a"), b = r(0x200, 0x2ff, "b"), c = r(0x400, 0x4ff, "c");
        t.request(t.root(), a);
        t.request(t.root(), b);
        t.request(t.root(), c);
        Resource w = r(0x100, 0x3ff, "w");
        assertTrue(t.insertConflict(t.root(), w).isEmpty());
        assertEquals(List.of(a, b), List.copyOf(w.children()));
        assertSame(w, a.parent());
        assertEquals(List.of(w, c), List.copyOf(t.root().children()));
    }

    @Test
    void insertDescendsIntoAContainingResourceAndRefusesPartialOverlap() {
        Resource w = r(0x1000, 0x1fff, "w");
        t.request(t.root(), w);
        Resource inner = r(0x1100, 0x11ff, "inner");
        assertTrue(t.insertConflict(t.root(), inner).isEmpty());
        assertSame(w, inner.parent());
        Resource a = r(0x1400, 0x14ff, "a");
        t.request(w, a);
        assertSame(a, t.insertConflict(t.root(), r(0x1480, 0x15ff, "partial")).orElseThrow());
    }

    @Test
    void releaseUnlinksTheSubtree() {
        Resource w = r(0x1000, 0x1fff, "w"), a = r(0x1000, 0x10ff, "a");
        t.request(t.root(), w);
        t.request(w, a);
        t.release(w);
        assertFalse(t.root().hasChildren());
        assertTrue(t.request(t.root(), r(0x1000, 0x1fff, "again")));
    }

    @Test
    void lookupFindsTheDeepest() {
        Resource w = r(0x1000, 0x1fff, "w"), a = r(0x1000, 0x10ff, "a");
        t.request(t.root(), w);
        t.request(w, a);
        assertSame(a, t.lookup(0x10ff));
        assertSame(w, t.lookup(0x1100));
        assertSame(t.root(), t.lookup(0x2000));
        assertSame(a, t.find(0x1000, 0x10ff, "a").orElseThrow());
        assertTrue(t.find(0x1000, 0x10ff, "b").isEmpty());
    }

    @Test
    void requestRegionDescendsIntoNonBusyAndStopsAtBusy() {
        Resource w = r(0x1000, 0x1fff, "PCI Bus"), bar = r(0x1000, 0x10ff, "0000:00:03.0");
        t.request(t.root(), w);
        t.request(w, bar);
        Resource busy = t.requestRegion(t.root(), 0x1000, 0x100, "vfio-pci", 0).orElseThrow();
        assertSame(bar, busy.parent());
        assertTrue(busy.busy());
        assertTrue(t.requestRegion(t.root(), 0x1000, 0x100, "again", 0).isEmpty(), "a busy claim blocks a second one");
    }

    @Test
    void addressesNearTheTopOfThe64BitSpaceCompareUnsigned() {
        Resource hi = r(0xffff_ffff_0000_0000L, 0xffff_ffff_ffff_ffffL, "top");
        Resource lo = r(0x1000, 0x1fff, "low");
        assertTrue(t.request(t.root(), hi));
        assertTrue(t.request(t.root(), lo));
        assertEquals(List.of(lo, hi), List.copyOf(t.root().children()));
        assertSame(hi, t.lookup(0xffff_ffff_8000_0000L));
        assertSame(hi, t.requestConflict(t.root(), r(0xffff_fffe_ffff_0000L, 0xffff_ffff_0000_0000L, "x")).orElseThrow());
    }

    @Test
    void copyIsDeepAndIndependent() {
        Resource w = r(0x1000, 0x1fff, "w");
        t.request(t.root(), w);
        t.request(w, r(0x1000, 0x10ff, "a"));
        ResourceTree c = t.copy();
        assertEquals(Iomem.render(t), Iomem.render(c));
        c.release(c.lookup(0x1000));
        assertEquals("00001000-00001fff : w\n  00001000-000010ff : a\n", Iomem.render(t));
    }
}
