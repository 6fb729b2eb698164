package dev.barmap.model.alloc;

import static dev.barmap.model.alloc.AllocFixtures.function;
import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.vfio.ModelVfioDevice;
import dev.barmap.model.vfio.VfioPciModel;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Hot-add on a host with three 16-byte BARs, each at the start of its own page, behind one bridge. */
class HotAddTest {
    static final String IOMEM = """
            00000000-00000fff : Reserved
            00001000-3fffffff : System RAM
            40000000-afffffff : PCI Bus 0000:00
              40000000-400fffff : PCI Bus 0000:01
                40000000-4000000f : 0000:01:01.0
                40001000-4000100f : 0000:01:02.0
                40002000-4000200f : 0000:01:03.0
              40100000-40100fff : 0000:00:05.0
            100000000-8ffffffff : PCI Bus 0000:00
              100000000-1001fffff : PCI Bus 0000:01
            """;
    static final List<PciBuses.RootWindow> ROOTS = List.of(
            new PciBuses.RootWindow("0000:00", 0x40000000L, 0xafffffffL, IoResource.MEM | IoResource.WINDOW),
            new PciBuses.RootWindow("0000:00", 0x100000000L, 0x8ffffffffL, IoResource.MEM | IoResource.WINDOW));

    static Host host(int bridgeClass) {
        var fns = new TreeMap<Bdf, PciFunction>();
        for (PciFunction f : List.of(
                function("0000:00:04.0", bridgeClass, new long[] {14, 0x40000000L, 0x400fffffL, 0x200}, new long[] {15, 0x100000000L, 0x1001fffffL, 0x102201}),
                function("0000:00:05.0", 0x020000, new long[] {0, 0x40100000L, 0x40100fffL, 0x40200}),
                function("0000:01:01.0", 0x088000, new long[] {0, 0x40000000L, 0x4000000fL, 0x40200}),
                function("0000:01:02.0", 0x088000, new long[] {0, 0x40001000L, 0x4000100fL, 0x40200}),
                function("0000:01:03.0", 0x088000, new long[] {0, 0x40002000L, 0x4000200fL, 0x40200}))) {
            fns.put(f.bdf(), f);
        }
        return HostBuilder.build("test", new Platform("x86_64", 4096), KernelRelease.parse("6.1.0"), "iomem", IOMEM, fns, List.of());
    }

    static final List<HotAdd.NewBar> ONE_256 = List.of(new HotAdd.NewBar(0, 0x100, false, false));

    static long start(Assignment a) {
        return ((Assignment.Assigned) a).start();
    }

    @Test
    void withTwoOfThreeDevicesOpenTheBarGoesToTheThirdsPage() {
        VfioPciModel m = new VfioPciModel(host(0x060400));
        m.open(Bdf.parse("0000:01:01.0"));
        m.open(Bdf.parse("0000:01:02.0"));
        HotAdd.Result r = HotAdd.run(m, ROOTS, "01", null, ONE_256);
        assertEquals("0000:01:00.0", r.device(), "lowest free slot");
        assertEquals(List.of(new HotAdd.Reservation(0x40000010L, 0x40000fffL, "PCI Bus 0000:01", "0000:01:01.0"),
                new HotAdd.Reservation(0x40001010L, 0x40001fffL, "PCI Bus 0000:01", "0000:01:02.0")), r.reservations());
        var o = r.bars().get(0);
        assertEquals(0x40002100L, start(o.withReservations()), "not open, so 01:03.0's page is fair game");
        assertEquals(0x40000100L, start(o.withoutReservations()));
        assertTrue(o.moved());
        assertTrue(r.iomemAfter().contains("    40002100-400021ff : 0000:01:00.0\n"), r.iomemAfter());
    }

    @Test
    void withAllThreeOpenTheBarGoesPastTheirPagesAndAClosedOnesPageIsReusable() {
        VfioPciModel m = new VfioPciModel(host(0x060400));
        m.open(Bdf.parse("0000:01:01.0"));
        ModelVfioDevice b = m.open(Bdf.parse("0000:01:02.0"));
        m.open(Bdf.parse("0000:01:03.0"));
        assertEquals(0x40003000L, start(HotAdd.run(m, ROOTS, "0000:01", "0000:01:04.0", ONE_256).bars().get(0).withReservations()));
        b.close();
        HotAdd.Result r = HotAdd.run(m, ROOTS, "0000:01", "0000:01:05.0", ONE_256);
        assertEquals(0x40001100L, start(r.bars().get(0).withReservations()), "01:02.0 closed: its reservation is gone");
        assertEquals(2, r.reservations().size());
    }

    @Test
    void aPrefetchable64BitBarGoesToTheBridgesPrefetchableWindowUntouchedByTheReservations() {
        VfioPciModel m = new VfioPciModel(host(0x060400));
        m.open(Bdf.parse("0000:01:01.0"));
        HotAdd.Result r = HotAdd.run(m, ROOTS, "01", "0000:01:07.0",
                List.of(new HotAdd.NewBar(0, 0x100, false, false), new HotAdd.NewBar(2, 0x100000, true, true)));
        var pref = (Assignment.Assigned) r.bars().get(1).withReservations();
        assertEquals(0x100000000L, pref.start());
        assertEquals(0x102201L, pref.window().flags());
        assertFalse(r.bars().get(1).moved());
        assertEquals(0x40001100L, start(r.bars().get(0).withReservations()), "past the reservation, after 01:02.0's BAR");
    }

    @Test
    void busesAreRebuiltFromIomemAndTheBridgesWindows() {
        Host h = host(0x060400);
        PciBuses buses = PciBuses.discover(h.tree(), h.functions().values(), ROOTS);
        PciBus b1 = buses.bus("1").orElseThrow();
        assertEquals(List.of(0x200L, 0x102201L), b1.windows().stream().map(BusWindow::flags).toList());
        assertEquals(List.of("0000:00:04.0 window1", "0000:00:04.0 window2"), b1.windows().stream().map(BusWindow::label).toList());
        assertEquals("0000:00", b1.parent().name());
        assertFalse(b1.transparent());
        PciBus b0 = buses.bus("0000:00").orElseThrow();
        assertNull(b0.parent());
        assertEquals(List.of(0x40000000L, 0x100000000L), b0.windows().stream().map(w -> w.node().start()).toList());
        assertTrue(buses.notes().isEmpty(), buses.notes().toString());
        assertTrue(buses.bus("02").isEmpty());
        // without the boot log's root windows: same windows, a note says their flags are assumed
        PciBuses guessed = PciBuses.discover(h.tree(), h.functions().values(), List.of());
        assertEquals(2, guessed.bus("00").orElseThrow().windows().size());
        assertEquals(1, guessed.notes().size());
    }

    @Test
    void aSubtractiveDecodeBridgeMakesItsBusTransparent() {
        Host h = host(0x060401);
        PciBus b1 = PciBuses.discover(h.tree(), h.functions().values(), ROOTS).bus("01").orElseThrow();
        assertTrue(b1.transparent());
        assertEquals(4, b1.forEachResource().size(), "own two windows, then the parent's two");
    }

    @Test
    void unknownBusOrTakenAddressIsRefused() {
        VfioPciModel m = new VfioPciModel(host(0x060400));
        var e = assertThrows(IllegalArgumentException.class, () -> HotAdd.run(m, ROOTS, "05", null, ONE_256));
        assertTrue(e.getMessage().contains("no memory window"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HotAdd.run(m, ROOTS, "01", "0000:01:01.0", ONE_256));
        assertThrows(IllegalArgumentException.class, () -> HotAdd.run(m, ROOTS, "01", "0000:02:00.0", ONE_256));
    }
}
