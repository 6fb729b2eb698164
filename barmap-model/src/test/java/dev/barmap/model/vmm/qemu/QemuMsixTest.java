package dev.barmap.model.vmm.qemu;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.plan.BarVerdict;
import dev.barmap.model.plan.PageRun;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.TrapReason;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's MSI-X handling: MSIX_MAPPABLE, vfio_pci_fixup_msix_region, x-msix-relocation. */
class QemuMsixTest {
    static final long PAGE = 0x1000;

    /** The nvme of the x86_64-4k-msix-firmware-padded capture: 16K 64-bit BAR0, 65 vectors, table 0x2000, PBA 0x3000. */
    static HostDevice nvme(boolean msixMappable) {
        return new HostDevice("0000:00:03.0",
                List.of(new HostBar(0, 0xfebe0000L, 0x4000, false, true, false, true, msixMappable, Optional.empty())),
                Optional.of(new Msix(0, 0x2000, 0, 0x3000, 65)));
    }

    static BarVerdict plan(HostDevice d, Qemu q, Map<BarKey, Long> layout) {
        Plan p = Plan.compute(Topology.of(GuestPlatform.x86(), new Passthrough(d)), new ExplicitLayout("t", layout), List.of(q), PAGE);
        assertTrue(p.isolated());
        assertNull(p.columns().getFirst().failure(), () -> p.columns().getFirst().failure().message());
        return p.columns().getFirst().bars().getFirst();
    }

    static final BarKey BAR0 = new BarKey("0000:00:03.0", 0), BAR2 = new BarKey("0000:00:03.0", 2);

    @Test
    void msixMappableMapsTheWholeBarAndOnlyTheTablePageTraps() {
        var v = plan(nvme(true), Qemu.DEFAULT, Map.of(BAR0, 0xfe000000L));
        assertEquals(List.of(PageRun.State.DIRECT, PageRun.State.TRAPPED, PageRun.State.DIRECT), v.pages().stream().map(PageRun::state).toList());
        assertEquals(List.of(TrapReason.MSIX_TABLE), v.pages().get(1).reasons());
        assertEquals(0xfe002000L, v.pages().get(1).guestStart());
    }

    @Test
    void withoutMsixMappableTheFixupCarvesTheTablePagesOutOfTheMmap() {
        var m = new QemuMachine(PAGE);
        var d = ((QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(m, nvme(false), QemuOptions.DEFAULT)).device();
        assertEquals(List.of(new MmapArea(0, 0x2000), new MmapArea(0x3000, 0x1000)), d.mmaps(0));
        var v = plan(nvme(false), Qemu.DEFAULT, Map.of(BAR0, 0xfe000000L));
        assertEquals(3, v.pages().size());
        assertEquals(TrapReason.MSIX_TABLE, v.pages().get(1).reasons().getFirst());
    }

    @Test
    void relocationToAnEmptyBarLeavesBar0WhollyDirect() {
        var q = Qemu.DEFAULT.with(QemuOptions.DEFAULT.withMsixRelocation(2));
        var m = new QemuMachine(PAGE);
        var d = ((QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(m, nvme(true), q.options())).device();
        // msix_sz = pow2ceil(REAL_HOST_PAGE_ALIGN(65*16 + 16)) = 4K, table at 0 of the new BAR2, PBA right after
        assertEquals(0x1000, d.barSize(2));
        assertEquals(new Msix(2, 0, 2, 65 * 16, 65), d.msix().orElseThrow());
        var v = plan(nvme(true), q, Map.of(BAR0, 0xfe000000L, BAR2, 0xfe010000L));
        assertEquals(BarVerdict.Summary.DIRECT, v.summary());
    }

    @Test
    void relocationIntoAnIoBarIsRefusedAtStartup() {
        var dev = new HostDevice("0000:00:03.0", List.of(nvme(true).bars().getFirst(), HostBar.ioPort(2, 0xc000, 0x100)),
                nvme(true).msix());
        var r = QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), dev, QemuOptions.DEFAULT.withMsixRelocation(2));
        assertEquals("vfio 0000:00:03.0: Invalid MSI-X relocation BAR 2, I/O port BAR", ((QemuPciFunction.VfioPci.Realized.Failed) r).error());
    }

    @Test
    void relocationIntoTheUpperHalfOfA64BitBarIsRefused() {
        var r = QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), nvme(true), QemuOptions.DEFAULT.withMsixRelocation(1));
        assertEquals("vfio 0000:00:03.0: Invalid MSI-X relocation BAR 1, consumed by 64-bit BAR 0", ((QemuPciFunction.VfioPci.Realized.Failed) r).error());
    }

    /**
     * hw/vfio/pci.c vfio_msix_early_setup (7.2 to 11.1): a PBA offset at or past the BAR's end is set to 0x1000 for
     * Chelsio T5 VFs (vendor 0x1425, device 0x58xx), to 0xb400 for the Baidu Kunlun VF (0x1d22:0x3685), passes when
     * x-msix-relocation is set, and is the error "hardware reports invalid configuration, MSIX PBA outside of
     * specified BAR" otherwise. A T5 VF: an 8K BAR whose PBA reads as 0x8000 (the quirk's comment in the source).
     */
    @Test
    void pbaPastItsBarIsFixedForTheTwoQuirkedDevicesToleratedWithRelocationAndAnErrorOtherwise() {
        var bar = new HostBar(0, 0xfe000000L, 0x2000, false, false, false, true, false, Optional.empty());
        var t5 = new HostDevice("0000:00:03.0", List.of(bar), Optional.of(new Msix(0, 0, 0, 0x8000, 8)), true, 0x1425, 0x5803);
        var ok = (QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), t5, QemuOptions.DEFAULT);
        assertEquals(0x1000, ok.device().msix().orElseThrow().pbaOffset());

        var kunlun = new HostDevice("0000:00:03.0", List.of(new HostBar(0, 0xfe000000L, 0x10000, false, false, false, true, false, Optional.empty())),
                Optional.of(new Msix(0, 0, 0, 0x460000, 8)), true, 0x1d22, 0x3685);
        var ok2 = (QemuPciFunction.VfioPci.Realized.Ok) QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), kunlun, QemuOptions.DEFAULT);
        assertEquals(0xb400, ok2.device().msix().orElseThrow().pbaOffset());

        var other = new HostDevice("0000:00:03.0", List.of(bar), Optional.of(new Msix(0, 0, 0, 0x8000, 8)), true, 0x8086, 0x1234);
        var failed = (QemuPciFunction.VfioPci.Realized.Failed) QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), other, QemuOptions.DEFAULT);
        assertEquals("vfio 0000:00:03.0: hardware reports invalid configuration, MSIX PBA outside of specified BAR", failed.error());
        var unknown = new HostDevice("0000:00:03.0", List.of(bar), Optional.of(new Msix(0, 0, 0, 0x8000, 8)), true, -1, -1);
        var failed2 = (QemuPciFunction.VfioPci.Realized.Failed) QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), unknown, QemuOptions.DEFAULT);
        assertTrue(failed2.error().contains("the device IDs are unknown"), failed2.error());

        var relocated = QemuPciFunction.VfioPci.realize(new QemuMachine(PAGE), other, QemuOptions.DEFAULT.withMsixRelocation(2));
        var dev = ((QemuPciFunction.VfioPci.Realized.Ok) relocated).device();
        assertEquals(2, dev.msix().orElseThrow().pbaBar());
    }
}
