package dev.barmap.model.alloc;

import static dev.barmap.model.alloc.AllocFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Iomem;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinuxBarAllocatorTest {
    final LinuxBarAllocator x86 = new LinuxBarAllocator(ArchRules.x86(List.of()));

    /** The hot-add runs' bus 02: window 40000000-400fffff holding a 16-byte BAR at its start. */
    static final class Bus02 {
        final ResourceTree t = ResourceTree.iomem();
        final Resource win = add(t, t.root(), 0x40000000L, 0x400fffffL, "PCI Bus 0000:02");
        final Resource esb = add(t, win, 0x40000000L, 0x4000000fL, "0000:02:01.0");
        final PciBus bus = PciBus.root("0000:02", List.of(window(win, MEM)));
    }

    @Test
    void barIsPlacedAtTheLowestSizeAlignedFreeAddress() {
        var b = new Bus02();
        var a256 = x86.assign(b.t, bar("0000:02:02.0", 0, 0x100, false, false, b.bus));
        var a4k = x86.assign(b.t, bar("0000:02:03.0", 0, 0x1000, false, false, b.bus));
        var a16 = x86.assign(b.t, bar("0000:02:04.0", 0, 0x10, false, false, b.bus));
        assertEquals(0x40000100L, ((Assignment.Assigned) a256).start(), "256 bytes: first 0x100-aligned address after the 16-byte BAR");
        assertEquals(0x40001000L, ((Assignment.Assigned) a4k).start(), "4K: next page");
        assertEquals(0x40000010L, ((Assignment.Assigned) a16).start(), "16 bytes: right after the 16-byte BAR");
        assertEquals(List.of("0000:02:01.0", "0000:02:04.0", "0000:02:02.0", "0000:02:03.0"),
                children(b.win).stream().map(Resource::name).toList(), "the BARs are children of the window, in address order");
        assertEquals("0000:02:02.0: BAR 0 [mem 0x40000100-0x400001ff]: assigned", a256.message());
    }

    @Test
    void theSubPageReservationPushesTheBarToTheNextPage() {
        var b = new Bus02();
        add(b.t, b.win, 0x40000010L, 0x40000fffL, "vfio sub-page reserved");
        var a = (Assignment.Assigned) x86.assign(b.t, bar("0000:02:02.0", 0, 0x100, false, false, b.bus));
        assertEquals(0x40001000L, a.start());
        assertEquals(0x400010ffL, a.end());
    }

    @Test
    void aFullWindowIsNoSpaceNotACrashAndTheTreeIsUnchanged() {
        var b = new Bus02();
        add(b.t, b.win, 0x40000010L, 0x400fffffL, "filler");
        String before = Iomem.render(b.t);
        Assignment a = x86.assign(b.t, bar("0000:02:02.0", 0, 0x100, false, false, b.bus));
        var ns = assertInstanceOf(Assignment.NoSpace.class, a);
        assertEquals("0000:02:02.0: BAR 0 [mem size 0x00000100]: can't assign; no space\n"
                + "0000:02:02.0: BAR 0 [mem size 0x00000100]: failed to assign", ns.message());
        assertFalse(ns.trace().isEmpty());
        assertEquals(before, Iomem.render(b.t));
    }

    @Test
    void aBarLargerThanTheFreeAlignedSpaceDoesNotFit() {
        var b = new Bus02();
        // 1M window, 16 bytes taken at its start: a 1M BAR (1M-aligned) cannot fit anywhere
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(b.t, bar("0000:02:02.0", 0, 0x100000, false, false, b.bus)));
        // 512K fits at 0x40080000, the only 512K-aligned free spot
        var a = (Assignment.Assigned) x86.assign(b.t, bar("0000:02:03.0", 0, 0x80000, false, false, b.bus));
        assertEquals(0x40080000L, a.start());
    }

    /** A bridge bus with a 32-bit non-prefetchable window and a 64-bit prefetchable one above 4G. */
    static final class BridgeBus {
        final ResourceTree t = ResourceTree.iomem();
        final Resource mem = add(t, t.root(), 0x40000000L, 0x401fffffL, "PCI Bus 0000:01");
        final Resource pref = add(t, t.root(), 0x100000000L, 0x1001fffffL, "PCI Bus 0000:01");
        final PciBus bus = new PciBus("0000:01", List.of(window(mem, MEM), window(pref, PREF64 | 1)), null, false);
    }

    @Test
    void sixtyFourBitPrefetchableBarGoesToThe64BitPrefetchableWindow() {
        var b = new BridgeBus();
        var a = (Assignment.Assigned) x86.assign(b.t, bar("0000:01:00.0", 0, 0x4000, true, true, b.bus));
        assertSame(b.pref, a.window().node());
        assertEquals(0x100000000L, a.start());
    }

    @Test
    void thirtyTwoBitPrefetchableBarIsNotPutInA64BitPrefetchableWindow() {
        var b = new BridgeBus();
        // "we can't put a 32-bit prefetchable resource in it because pbus_size_mem() assumes a 64-bit window will contain no 32-bit resources"
        var a = (Assignment.Assigned) x86.assign(b.t, bar("0000:01:00.0", 0, 0x4000, false, true, b.bus));
        assertSame(b.mem, a.window().node());
        assertEquals(0x40000000L, a.start());
    }

    @Test
    void nonPrefetchableBarNeverGoesToAPrefetchableWindowEvenWhenTheOtherIsFull() {
        var b = new BridgeBus();
        add(b.t, b.mem, 0x40000000L, 0x401fffffL, "filler");
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(b.t, bar("0000:01:00.0", 0, 0x1000, false, false, b.bus)));
        // a 64-bit non-prefetchable BAR neither
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(b.t, bar("0000:01:00.0", 1, 0x1000, true, false, b.bus)));
    }

    @Test
    void sixtyFourBitPrefetchableBarFallsBackToA32BitPrefetchableWindowThenToTheMemWindow() {
        ResourceTree t = ResourceTree.iomem();
        Resource mem = add(t, t.root(), 0x40000000L, 0x400fffffL, "PCI Bus 0000:01");
        Resource pref32 = add(t, t.root(), 0x80000000L, 0x800fffffL, "PCI Bus 0000:01");
        PciBus bus = new PciBus("0000:01", List.of(window(mem, MEM), window(pref32, PREF32)), null, false);
        var a = (Assignment.Assigned) x86.assign(t, bar("0000:01:00.0", 0, 0x80000, true, true, bus));
        assertSame(pref32, a.window().node(), "mask PREFETCH: \"If the prefetchable window is only 32 bits wide\"");
        var b = (Assignment.Assigned) x86.assign(t, bar("0000:01:00.0", 2, 0x100000, true, true, bus));
        assertSame(mem, b.window().node(), "pref window full: any memory window (mask 0)");
    }

    @Test
    void sixtyFourBitBarOnTheRootBusGoesAbove4GFirst() {
        ResourceTree t = ResourceTree.iomem();
        Resource low = add(t, t.root(), 0x40000000L, 0xafffffffL, "PCI Bus 0000:00");
        Resource high = add(t, t.root(), 0x100000000L, 0x8ffffffffL, "PCI Bus 0000:00");
        PciBus bus = PciBus.root("0000:00", List.of(window(low, WIN), window(high, WIN)));
        var a64 = (Assignment.Assigned) x86.assign(t, bar("0000:00:05.0", 0, 0x1000, true, false, bus));
        assertSame(high, a64.window().node(), "pci_bus_alloc_resource: pci_high region first for IORESOURCE_MEM_64");
        var a32 = (Assignment.Assigned) x86.assign(t, bar("0000:00:05.0", 2, 0x1000, false, false, bus));
        assertSame(low, a32.window().node(), "32-bit BAR: pci_32_bit region only");
        add(t, low, 0x40001000L, 0xafffffffL, "filler");
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(t, bar("0000:00:06.0", 0, 0x1000, false, false, bus)),
                "a 32-bit BAR never goes above 4G");
    }

    @Test
    void x86KeepsMemoryBarsOutOfTheLowMegabyteGenericDoesNot() {
        ResourceTree t = ResourceTree.iomem();
        Resource vga = add(t, t.root(), 0xa0000L, 0xbffffL, "PCI Bus 0000:00");
        PciBus bus = PciBus.root("0000:00", List.of(window(vga, WIN)));
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(t, bar("0000:00:05.0", 0, 0x1000, false, false, bus)),
                "pcibios_align_resource: start < BIOS_END -> BIOS_END, outside the window");
        var g = (Assignment.Assigned) new LinuxBarAllocator(ArchRules.generic(0)).assign(t, bar("0000:00:05.0", 0, 0x1000, false, false, bus));
        assertEquals(0xa0000L, g.start());
    }

    @Test
    void e820EntriesAreTrimmedFromGapsKeepingTheLargerSide() {
        ResourceTree t = ResourceTree.iomem();
        Resource w = add(t, t.root(), 0x40000000L, 0x4fffffffL, "PCI Bus 0000:00");
        PciBus bus = PciBus.root("0000:00", List.of(window(w, WIN)));
        var e820 = new LinuxBarAllocator(ArchRules.x86(List.of(new ArchRules.Range(0x40000000L, 0x400fffffL))));
        assertEquals(0x40100000L, ((Assignment.Assigned) e820.assign(t, bar("a", 0, 0x1000, false, false, bus))).start());
        // an entry in the middle: the larger side (above) is kept, the 1M below it is lost
        ResourceTree t2 = ResourceTree.iomem();
        Resource w2 = add(t2, t2.root(), 0x40000000L, 0x4fffffffL, "PCI Bus 0000:00");
        PciBus bus2 = PciBus.root("0000:00", List.of(window(w2, WIN)));
        var mid = new LinuxBarAllocator(ArchRules.x86(List.of(new ArchRules.Range(0x40100000L, 0x401fffffL))));
        assertEquals(0x40200000L, ((Assignment.Assigned) mid.assign(t2, bar("a", 0, 0x1000, false, false, bus2))).start());
    }

    @Test
    void aBarBehindATransparentBridgeWithNoWindowsUsesTheParentBus() {
        ResourceTree t = ResourceTree.iomem();
        Resource w = add(t, t.root(), 0x40000000L, 0x400fffffL, "PCI Bus 0000:00");
        PciBus root = PciBus.root("0000:00", List.of(window(w, WIN)));
        PciBus transparent = new PciBus("0000:05", List.of(), root, true);
        PciBus opaque = new PciBus("0000:06", List.of(), root, false);
        assertEquals(0x40000000L, ((Assignment.Assigned) x86.assign(t, bar("0000:05:00.0", 0, 0x1000, false, false, transparent))).start());
        assertInstanceOf(Assignment.NoSpace.class, x86.assign(t, bar("0000:06:00.0", 0, 0x1000, false, false, opaque)));
    }

    @Test
    void assignAllPlacesLargestAlignmentFirstAndKeepsOrderOnTies() {
        var b = new Bus02();
        var bars = List.of(bar("0000:02:02.0", 0, 0x100, false, false, b.bus), bar("0000:02:02.0", 1, 0x1000, false, false, b.bus),
                bar("0000:02:02.0", 2, 0x100, false, false, b.bus), bar("0000:02:03.0", 0, 0x10000, false, false, b.bus));
        assertEquals(List.of(3, 1, 0, 2), LinuxBarAllocator.sortByAlignment(bars).stream().map(bars::indexOf).toList());
        var out = x86.assignAll(b.t, bars);
        assertTrue(out.stream().allMatch(Assignment::assigned));
        assertEquals(List.of(0x40010000L, 0x40001000L, 0x40000100L, 0x40000200L),
                out.stream().map(a -> ((Assignment.Assigned) a).start()).toList());
    }

    @Test
    void convenienceSingleWindowAssign() {
        var b = new Bus02();
        Assignment a = x86.assign(b.t, b.win, MEM, "0000:02:02.0", 0x100, IoResource.MEM | IoResource.SIZEALIGN);
        assertEquals(0x40000100L, ((Assignment.Assigned) a).start());
    }

    @Test
    void nonPowerOfTwoOrIoBarsAreRejected() {
        var b = new Bus02();
        assertThrows(IllegalArgumentException.class, () -> bar("x", 0, 0x300, false, false, b.bus));
        assertThrows(IllegalArgumentException.class, () -> new BarRequest("x", 0, 0x100, IoResource.IO | IoResource.SIZEALIGN, b.bus));
        assertInstanceOf(Assignment.BogusAlignment.class, x86.assign(b.t, new BarRequest("x", 0, 0x300, IoResource.MEM, b.bus)));
    }
}
