package dev.barmap.model.plan;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.Window;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.vmm.CloudHypervisor;
import dev.barmap.model.vmm.Crosvm;
import dev.barmap.model.vmm.Firecracker;
import dev.barmap.model.vmm.OpenVmm;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** Cases taken from the VMMs' own issues; each names its source. */
class VmmIssueCasesTest {
    static final long K4 = 0x1000, K64 = 0x10000;
    static final List<VmmPolicy> ALL = List.of(Qemu.DEFAULT, CloudHypervisor.V51, new CloudHypervisor(true, false), CloudHypervisor.V52,
            Crosvm.V2024, Crosvm.V2025_07, Firecracker.DEFAULT, OpenVmm.DEFAULT);

    static Plan plan(Topology t, ExplicitLayout layout, long page) {
        Plan p = Plan.compute(t, layout, ALL, page);
        assertTrue(p.isolated(), () -> "isolation: " + p.columns().stream().flatMap(c -> c.violations().stream()).toList());
        return p;
    }

    static BarVerdict bar(Plan p, String vmmLabelPrefix, String dev, int bar) {
        return p.columns().stream().filter(c -> c.label().startsWith(vmmLabelPrefix)).findFirst().orElseThrow()
                .bars().stream().filter(b -> b.device().equals(dev) && b.bar() == bar).findFirst().orElseThrow();
    }

    static VmmColumn col(Plan p, String labelPrefix) {
        return p.columns().stream().filter(c -> c.label().startsWith(labelPrefix)).findFirst().orElseThrow();
    }

    /**
     * cloud-hypervisor/cloud-hypervisor PR #7939 ("pci: expand sub-page VFIO BAR mmap to page size"): Intel NVMe DC
     * SSD on aarch64 with 64 KiB pages, 16K 64-bit BAR0 at 0x630040010000, MSI-X Count=136, table BAR0+0x2000,
     * PBA BAR0+0x3000; host kernel 6.11 gives MMAP (page-aligned, dummy reserved) and MSIX_MAPPABLE.
     */
    @Test
    void cloudHypervisor7939_intelNvme16kBarOn64kPages() {
        var nvme = new HostDevice("0006:01:00.0",
                List.of(new HostBar(0, 0x630040010000L, 0x4000, false, true, false, true, true, Optional.empty())),
                Optional.of(new Msix(0, 0x2000, 0, 0x3000, 136)));
        var t = Topology.of(GuestPlatform.x86(), new Passthrough(nvme));
        var layout = new ExplicitLayout("test", Map.of(new BarKey("0006:01:00.0", 0), 0x8000000000L));
        Plan p = plan(t, layout, K64);

        // v52 (with #7939): BAR doubled to 128K by fixup_msix_region, MSI-X moved to 0x10000; the 16K region is
        // expanded to one 64K page: direct. The upper half is the relocated MSI-X, emulated. cloud-hypervisor places
        // the BAR itself (allocate_bars: 64-bit BARs aligned to max(page, size)), not at the layout's address.
        BarVerdict ch = bar(p, "cloud-hypervisor v52", "0006:01:00.0", 0);
        assertEquals(0x20000, ch.guestSize());
        assertEquals(0, ch.guestAddress() % 0x20000);
        assertEquals(BarVerdict.Summary.PARTIAL, ch.summary());
        assertEquals(PageRun.State.DIRECT, ch.pages().get(0).state());
        assertEquals(ch.guestAddress(), ch.pages().get(0).guestStart());
        assertEquals(ch.guestAddress() + 0x10000, ch.pages().get(0).guestEnd());
        assertEquals(0x630040010000L, ch.pages().get(0).hostStart());
        assertEquals(PageRun.State.TRAPPED, ch.pages().get(1).state());
        assertEquals(TrapReason.MSIX_TABLE, ch.pages().get(1).reasons().getFirst());

        // with #7904 but before #7939 (its parent commit): KVM_SET_USER_MEMORY_REGION with a 16K size → EINVAL at boot
        VmmColumn v51 = col(p, "cloud-hypervisor v51+#7904");
        assertNotNull(v51.failure());
        assertEquals(dev.barmap.model.vmm.BootFailure.Cause.KVM_SLOT_REFUSED, v51.failure().cause(), v51.failure().message());

        // QEMU: expanded to 64K, but the msix-table region (0x2000 + 136×16) splits the page: no whole page, trapped
        BarVerdict q = bar(p, "QEMU", "0006:01:00.0", 0);
        assertEquals(BarVerdict.Summary.TRAPPED, q.summary());
        assertEquals(TrapReason.MSIX_TABLE, q.mainReason());

        // Firecracker: the page-rounded table hole [0, 64K) does not fit in the 16K region; the text is
        // VfioError::MsixTableOutOfRange's displaydoc (src/vmm/src/vfio.rs:79 at #6055 2c6128563)
        assertTrue(col(p, "Firecracker").failure().verbatim());
        assertEquals("BAR0 MSI-X table at offset 0x0 size 0x10000 does not fit in region of size 0x4000",
                col(p, "Firecracker").failure().message());

        // OpenVMM: sub-page region, trapped by policy (#3936)
        assertEquals(BarVerdict.Summary.TRAPPED, bar(p, "OpenVMM", "0006:01:00.0", 0).summary());
    }

    /**
     * cloud-hypervisor/cloud-hypervisor issue #7898 / PR #7904 ("pci: clamp sparse mmap holes to physical BAR"):
     * KIOXIA CD8P NVMe, 64K 64-bit BAR0 at 0xc6710000, MSI-X Count=129, table 0x5200, PBA 0xd600, host kernel 6.8
     * (4 KiB pages) with MSIX_MAPPABLE.
     */
    @Test
    void cloudHypervisor7904_kioxiaMsixAtUnalignedOffset() {
        var kioxia = new HostDevice("0000:21:00.0",
                List.of(new HostBar(0, 0xc6710000L, 0x10000, false, true, false, true, true, Optional.empty())),
                Optional.of(new Msix(0, 0x5200, 0, 0xd600, 129)));
        var t = Topology.of(GuestPlatform.x86(), new Passthrough(kioxia));
        var layout = new ExplicitLayout("test", Map.of(new BarKey("0000:21:00.0", 0), 0x100100000L));
        Plan p = plan(t, layout, K4);

        // before #7904: holes carved at the relocated offsets (past the 64K physical BAR) → mmap EINVAL
        VmmColumn v51 = col(p, "cloud-hypervisor v51");
        assertNotNull(v51.failure());
        assertEquals(dev.barmap.model.vmm.BootFailure.Cause.MMAP_FAILED, v51.failure().cause(), v51.failure().message());

        // v52: the whole 64K physical BAR is one mmap (16 direct pages); the relocated MSI-X in the upper half traps
        BarVerdict ch = bar(p, "cloud-hypervisor v52", "0000:21:00.0", 0);
        assertEquals(0x20000, ch.guestSize());
        assertEquals(BarVerdict.Summary.PARTIAL, ch.summary());
        long g = ch.guestAddress();   // allocate_bars: cloud-hypervisor's own address, aligned to the 128K size
        assertEquals(0, g % 0x20000);
        assertEquals(new PageRun(g, g + 0x10000, PageRun.State.DIRECT, List.of(), "", 0xc6710000L, null), ch.pages().getFirst());
        assertEquals(TrapReason.MSIX_TABLE, ch.pages().get(1).reasons().getFirst());
        assertTrue(ch.pages().stream().anyMatch(r -> r.reasons().contains(TrapReason.MSIX_PBA)));
        assertTrue(ch.pages().stream().anyMatch(r -> r.reasons().contains(TrapReason.BEYOND_HOST_BAR)));

        // QEMU: whole BAR mmapped (MSIX_MAPPABLE), msix-table on top → only the table's page traps; PBA is disabled
        BarVerdict q = bar(p, "QEMU", "0000:21:00.0", 0);
        assertEquals(BarVerdict.Summary.PARTIAL, q.summary());
        assertEquals(15, directPages(q, K4));
        assertEquals(List.of(0x100105000L), trappedPages(q, K4));

        // Firecracker and crosvm before eb98b0b02 carve the table page and the PBA page (at their own BAR addresses)
        BarVerdict fc = bar(p, "Firecracker", "0000:21:00.0", 0);
        assertEquals(List.of(fc.guestAddress() + 0x5000, fc.guestAddress() + 0xd000), trappedPages(fc, K4));
        BarVerdict cv = bar(p, "crosvm 2024", "0000:21:00.0", 0);
        assertEquals(List.of(cv.guestAddress() + 0x5000, cv.guestAddress() + 0xd000), trappedPages(cv, K4));
        // crosvm since eb98b0b02: the region is MSIX_MAPPABLE, so nothing is carved: all 16 pages direct
        BarVerdict cv25 = bar(p, "crosvm 2025-07", "0000:21:00.0", 0);
        assertEquals(BarVerdict.Summary.DIRECT, cv25.summary());
        assertEquals(16, directPages(cv25, K4));
    }

    /** The oracle's inner-Linux placement (qemu7.2-linux-packed): a 16-byte BAR packed into a page with others. */
    static Topology packedTopology() {
        var esb = new HostDevice("0000:00:05.0", List.of(HostBar.mem(0, 0xfebfd000L, 0x10, true)));
        var ohci = new HostDevice("0000:00:06.0", List.of(HostBar.mem(0, 0xfebfe000L, 0x100, true)));
        var rtl = new HostDevice("0000:00:03.0", List.of(HostBar.ioPort(0, 0xc000, 0x100), HostBar.mem(1, 0xfebfc000L, 0x100, true)));
        var emulated = List.of(GuestBar.mem32("i6300esb@07.0", 0, 0x10), GuestBar.mem32("i6300esb@08.0", 0, 0x10),
                GuestBar.io("ahci@1f.2", 4, 0x20), GuestBar.mem32("ahci@1f.2", 5, 0x1000));
        return new Topology(List.of(new Passthrough(esb), new Passthrough(ohci), new Passthrough(rtl)), emulated,
                GuestPlatform.x86().withMmio32(new Window(0x8000000L, 0xfec00000L)));
    }

    @Test
    void linuxPlacementReproducesTheOraclesPackedLayout() {
        var t = packedTopology();
        var bars = Qemu.DEFAULT.run(t, new LinuxAssign(), K4).layout().addresses();
        // s3-info-pci.txt
        assertEquals(0x8001200L, bars.get(new BarKey("0000:00:05.0", 0)));
        assertEquals(0x8001000L, bars.get(new BarKey("0000:00:06.0", 0)));
        assertEquals(0x8001100L, bars.get(new BarKey("0000:00:03.0", 1)));
        assertEquals(0x8001210L, bars.get(new BarKey("i6300esb@07.0", 0)));
        assertEquals(0x8001220L, bars.get(new BarKey("i6300esb@08.0", 0)));
        assertEquals(0x8000000L, bars.get(new BarKey("ahci@1f.2", 5)));
    }

    @Test
    void seabiosPlacementReproducesTheOraclesOwnPagesLayout() {
        var bars = Qemu.DEFAULT.run(packedTopology(), new dev.barmap.model.guest.SeaBios(), K4).layout().addresses();
        // s1-info-pci.txt
        assertEquals(0xfebfa000L, bars.get(new BarKey("0000:00:05.0", 0)));
        assertEquals(0xfebfb000L, bars.get(new BarKey("0000:00:06.0", 0)));
        assertEquals(0xc000L, bars.get(new BarKey("0000:00:03.0", 0)));
        assertEquals(0xfebfc000L, bars.get(new BarKey("0000:00:03.0", 1)));
        assertEquals(0xfebfd000L, bars.get(new BarKey("i6300esb@07.0", 0)));
        assertEquals(0xfebfe000L, bars.get(new BarKey("i6300esb@08.0", 0)));
        assertEquals(0xfebff000L, bars.get(new BarKey("ahci@1f.2", 5)));
    }

    /**
     * A 16-byte BAR the guest packs next to other BARs (the real QEMU 7.2 run qemu7.2-linux-packed): QEMU traps it
     * and starts; OpenVMM traps it (#3936). cloud-hypervisor, crosvm and Firecracker assign the BARs themselves,
     * so the guest's packing does not apply to them: Firecracker and crosvm give each BAR its own page (max(page,
     * size)); Firecracker refuses devices without MSI-X, crosvm rounds the slot up to the page
     * (direct); cloud-hypervisor aligns the 16-byte BAR only to 16 bytes and fails.
     */
    @Test
    void sixteenByteBarPackedNextToAnotherBar() {
        var t = packedTopology();
        Plan p = Plan.compute(t, new LinuxAssign(), ALL, K4);
        assertTrue(p.isolated());

        VmmColumn qemu = col(p, "QEMU");
        assertNull(qemu.failure());
        BarVerdict q = bar(p, "QEMU", "0000:00:05.0", 0);
        assertEquals(BarVerdict.Summary.TRAPPED, q.summary());
        assertEquals(List.of(TrapReason.SHARED_WITH_GUEST_BAR, TrapReason.SLOT_MISALIGNED), q.pages().getFirst().reasons());
        // even the page-aligned, expanded 06.0 BAR0 loses its page to the BARs sharing it
        assertEquals(TrapReason.SHARED_WITH_GUEST_BAR, bar(p, "QEMU", "0000:00:06.0", 0).mainReason());

        VmmColumn fc = col(p, "Firecracker");
        assertNotNull(fc.failure());
        // vfio_prepare_device (#6055 2c6128563): these devices have no MSI-X, so Firecracker refuses them (NoMsixIrq)
        assertEquals(dev.barmap.model.vmm.BootFailure.Cause.NO_MSIX, fc.failure().cause());

        // OpenVMM: 03.0 has an I/O BAR, so VfioAssignedPciDevice::new refuses it ("PIO BARs are not supported")
        VmmColumn ovmm = col(p, "OpenVMM");
        assertEquals(dev.barmap.model.vmm.BootFailure.Cause.IO_BAR_REFUSED, ovmm.failure().cause());

        // crosvm: every BAR page-aligned in a page of its own, the 16-byte slot rounded up to the page: direct
        BarVerdict cv = bar(p, "crosvm 2025-07", "0000:00:05.0", 0);
        assertEquals(0, cv.guestAddress() % K4);
        assertEquals(BarVerdict.Summary.DIRECT, cv.summary());
        assertEquals(BarVerdict.Summary.DIRECT, bar(p, "crosvm 2025-07", "0000:00:06.0", 0).summary());

        // cloud-hypervisor v52: its own allocator puts a 16-byte BAR off a page boundary; the page-expanded slot → EINVAL
        assertEquals(dev.barmap.model.vmm.BootFailure.Cause.KVM_SLOT_REFUSED, col(p, "cloud-hypervisor v52").failure().cause());
    }

    static long directPages(BarVerdict v, long page) {
        return v.pages().stream().filter(r -> r.state() == PageRun.State.DIRECT).mapToLong(r -> r.pages(page)).sum();
    }

    static List<Long> trappedPages(BarVerdict v, long page) {
        return v.pages().stream().filter(r -> r.state() == PageRun.State.TRAPPED)
                .flatMap(r -> java.util.stream.LongStream.iterate(r.guestStart(), a -> a < r.guestEnd(), a -> a + page).boxed()).toList();
    }
}
