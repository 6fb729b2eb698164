package dev.barmap.model.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.testing.BeyondBarVmm;
import dev.barmap.model.vmm.DirectMapping;
import dev.barmap.model.vmm.Crosvm;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmRun;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every check of {@link Isolation} fires, each on its own, on a run built by hand; and a test-only VMM that maps
 * a page beyond its BAR is caught by {@link Plan#compute}. No modelled VMM can produce these runs (see the
 * comments in Isolation), so without these tests a check could be emptied and every other test stay green.
 * The violation texts are barmap's own wording.
 */
class IsolationTest {
    static final long PAGE = 0x1000;
    static final BarKey K = new BarKey("0000:01:00.0", 0);
    static final long HOST = 0xfe00_0000L, GUEST = 0x8000_0000L, SIZE = 0x10000;

    static VmmRun run(HostBar bar, DirectMapping... direct) {
        return new VmmRun("hand-built", Optional.empty(), Map.of(K, new GuestBar(K, bar.size(), bar.io(), false, false, 0)),
                Map.of(K, bar), new GuestLayout("hand-built", Map.of(K, GUEST)), List.of(direct), List.of(), Map.of(), Map.of(), List.of());
    }

    static final HostBar BAR = HostBar.mem(0, HOST, SIZE, true);

    /** The one violation of {@code run}, checked to say {@code what}. */
    static IsolationViolation only(VmmRun run, String what) {
        List<IsolationViolation> v = Isolation.check(run, PAGE);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.getFirst().what().contains(what), v.toString());
        return v.getFirst();
    }

    @Test
    void theWholeBarMappedOnceIsIsolated() {
        assertEquals(List.of(), Isolation.check(run(BAR, new DirectMapping(K, GUEST, SIZE, HOST)), PAGE));
    }

    @Test
    void aPageBeyondTheBarIsAViolation() {
        var v = only(run(BAR, new DirectMapping(K, GUEST, SIZE + PAGE, HOST)), "reaches host bytes outside its BAR");
        assertEquals(HOST, v.allowedStart());
        assertEquals(HOST + SIZE, v.allowedEnd());
        assertEquals(SIZE + PAGE, v.size());
    }

    @Test
    void aPageBelowTheBarIsAViolation() {
        only(run(BAR, new DirectMapping(K, GUEST, PAGE, HOST - PAGE)), "reaches host bytes outside its BAR");
    }

    /**
     * A sub-page BAR at the start of a page: vfio_pci_probe_mmaps (drivers/vfio/pci/vfio_pci_core.c, Linux 4.8+)
     * reserves the rest of the page ("vfio sub-page reserved") and sets MMAP, so one whole page is the BAR's own.
     * The same BAR not page-aligned gets no MMAP from the kernel; built with it anyway, the page reaches foreign bytes.
     */
    @Test
    void theSubPageReservationIsTheBarsOwnButNothingElseIs() {
        HostBar small = HostBar.mem(0, HOST, 0x100, true);
        assertEquals(List.of(), Isolation.check(run(small, new DirectMapping(K, GUEST, PAGE, HOST)), PAGE));
        HostBar unaligned = HostBar.mem(0, HOST + 0x800, 0x100, true);
        only(run(unaligned, new DirectMapping(K, GUEST, PAGE, HOST)), "reaches host bytes outside its BAR");
    }

    @Test
    void aSlotNotPageGranularIsAViolation() {
        only(run(BAR, new DirectMapping(K, GUEST + 0x800, PAGE, HOST)), "not page-granular");
        only(run(BAR, new DirectMapping(K, GUEST, 0x800, HOST)), "not page-granular");
    }

    @Test
    void aSlotOnABarWithoutMmapIsAViolation() {
        only(run(HostBar.mem(0, HOST, SIZE, false), new DirectMapping(K, GUEST, SIZE, HOST)), "does not allow to mmap");
        assertTrue(Isolation.check(run(HostBar.ioPort(0, 0x1000, 0x100), new DirectMapping(K, GUEST, PAGE, 0x1000)), PAGE)
                .stream().anyMatch(v -> v.what().contains("does not allow to mmap")));
    }

    @Test
    void aSlotOfNoPassthroughBarIsAViolation() {
        only(run(BAR, new DirectMapping(new BarKey("0000:02:00.0", 2), GUEST, PAGE, HOST)), "backed by no passthrough BAR");
    }

    @Test
    void overlappingSlotsAreAViolation() {
        only(run(BAR, new DirectMapping(K, GUEST, 2 * PAGE, HOST), new DirectMapping(K, GUEST + PAGE, PAGE, HOST + PAGE)), "overlaps the slot");
    }

    /** Through the planner: the broken VMM's column has the violation and the plan is not isolated; its base (crosvm: Firecracker refuses a device without MSI-X) is. */
    @Test
    void aVmmMappingAPageBeyondItsBarFailsThePlan() {
        var dev = new HostDevice("0000:01:00.0", List.of(HostBar.mem(0, HOST, 0x100000, true), HostBar.mem(2, HOST + 0x100000, 0x4000, true)), Optional.empty());
        Topology topo = new Topology(List.of(new Passthrough(dev)), List.of(), GuestPlatform.x86());
        Plan good = Plan.compute(topo, new LinuxAssign(), List.of(Crosvm.DEFAULT), PAGE);
        assertTrue(good.isolated(), good.toString());
        VmmRun base = Crosvm.DEFAULT.run(topo, new LinuxAssign(), PAGE);
        DirectMapping last = base.direct().stream().max(java.util.Comparator.comparingLong(DirectMapping::guestEnd)).orElseThrow();

        Plan bad = Plan.compute(topo, new LinuxAssign(), List.of(new BeyondBarVmm(Crosvm.DEFAULT)), PAGE);
        assertFalse(bad.isolated());
        VmmColumn col = bad.column(BeyondBarVmm.ID);
        assertEquals(1, col.violations().size(), col.violations().toString());
        IsolationViolation v = col.violations().getFirst();
        HostBar owner = dev.bar(Integer.parseInt(last.owner().toString().replaceAll(".* BAR", ""))).orElseThrow();
        assertEquals(last.owner().toString(), v.owner());
        assertEquals(owner.hostStart(), v.allowedStart());
        assertEquals(owner.hostStart() + owner.size(), v.allowedEnd());
        assertEquals(last.guestStart(), v.guestStart());
        assertEquals(last.size() + PAGE, v.size());
        assertTrue(v.hostStart() + v.size() > v.allowedEnd(), v.toString());
    }
}
