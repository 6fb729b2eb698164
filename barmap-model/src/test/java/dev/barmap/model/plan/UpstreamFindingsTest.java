package dev.barmap.model.plan;

import dev.barmap.model.audit.MsixRelocation;
import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.kernel.Architecture;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.vmm.BootFailure;
import dev.barmap.model.vmm.CloudHypervisor;
import dev.barmap.model.vmm.Crosvm;
import dev.barmap.model.vmm.Firecracker;
import dev.barmap.model.vmm.OpenVmm;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.qemu.QemuOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One test per finding of issue 13 ("Every VMM as upstream really does it"), each naming the upstream file,
 * function and commit the corrected rule follows. Expected values come from those sources, not from barmap.
 */
class UpstreamFindingsTest {
    static final long K4 = 0x1000, K64 = 0x10000;

    static Plan plan(Topology t, dev.barmap.model.guest.GuestFirmware fw, long page, VmmPolicy... vmms) {
        return Plan.compute(t, fw, List.of(vmms), page);
    }

    static BarVerdict bar(VmmColumn c, String dev, int bar) {
        return c.bars().stream().filter(b -> b.device().equals(dev) && b.bar() == bar).findFirst().orElseThrow();
    }

    /**
     * Finding 1. cloud-hypervisor pci/src/vfio.rs VfioCommon::allocate_bars (v52.0 1314ac883): a 32-bit BAR is
     * allocated "naturally aligned" (alignment = its size) by vm-allocator/src/address.rs first_available_range,
     * top down; crosvm allocate_root_barmem (f1e797a68) and Firecracker vfio_allocate_memory_ranges_for_bars
     * (8c8fc631a) align to max(page, size). The guest's placement (here a layout putting the BAR page-aligned) does
     * not apply to them.
     */
    @Test
    void finding1_vmmsAssignBarAddressesThemselves() {
        // BAR0: 16 bytes, mmappable (vfio-pci's sub-page rule); BAR2 holds the MSI-X table (Firecracker requires MSI-X)
        var dev = new HostDevice("0000:00:05.0", List.of(HostBar.mem(0, 0xfebfd000L, 0x10, true),
                new HostBar(2, 0xfe000000L, 0x4000, false, false, false, true, false, Optional.empty())), Optional.of(new Msix(2, 0, 2, 0x800, 1)));
        var t = Topology.of(GuestPlatform.x86(), new Passthrough(dev));
        var layout = new ExplicitLayout("test", Map.of(new BarKey("0000:00:05.0", 0), 0xfd000000L, new BarKey("0000:00:05.0", 2), 0xfd004000L));
        Plan p = plan(t, layout, K4, CloudHypervisor.V52, Crosvm.V2025_07, Firecracker.PR6055, Qemu.DEFAULT);

        VmmColumn ch = p.columns().get(0);
        assertEquals("cloud-hypervisor allocate_bars", ch.placement());
        // 640 MiB window from 0xc0000000 (arch/src/x86_64/layout.rs), top down, aligned to 16: the last 16 bytes;
        // v52 expands the 16-byte mmap to a page there, and KVM refuses a slot that is not page-aligned
        assertEquals(BootFailure.Cause.KVM_SLOT_REFUSED, ch.failure().cause());
        assertTrue(ch.failure().message().contains(String.format("guest_phys_addr=0x%x", 0xc0000000L + (640L << 20) - 0x10)), ch.failure().message());

        BarVerdict cv = bar(p.columns().get(1), "0000:00:05.0", 0);
        assertNotEquals(0xfd000000L, cv.guestAddress(), "crosvm ignores the guest layout");
        assertEquals(0, cv.guestAddress() % K4, "crosvm aligns to max(page, size)");
        assertEquals(BarVerdict.Summary.DIRECT, cv.summary());
        // Firecracker: its own page-aligned address, then the 16-byte slot → EINVAL
        assertEquals("firecracker vfio_allocate_memory_ranges_for_bars", p.columns().get(2).placement());
        assertEquals(BootFailure.Cause.KVM_SLOT_REFUSED, p.columns().get(2).failure().cause());
        // QEMU: the guest decides
        assertEquals(0xfd000000L, bar(p.columns().get(3), "0000:00:05.0", 0).guestAddress());
    }

    /** Finding 2. OpenVMM vm/devices/pci/vfio_assigned_device/src/lib.rs VfioAssignedPciDevice::new (#3319 985e668a4, read at 1488a37b7), lib.rs:406. */
    @Test
    void finding2_openVmmRefusesIoBars() {
        var rtl = new HostDevice("0000:00:03.0", List.of(HostBar.ioPort(0, 0xc000, 0x100), HostBar.mem(1, 0xfebfc000L, 0x1000, true)));
        Plan p = plan(Topology.of(GuestPlatform.x86(), new Passthrough(rtl)), new SeaBios(), K4, OpenVmm.DEFAULT);
        VmmColumn c = p.columns().getFirst();
        assertEquals(BootFailure.Cause.IO_BAR_REFUSED, c.failure().cause());
        assertTrue(c.failure().verbatim());
        assertTrue(c.failure().message().endsWith("PIO BARs are not supported"));
        assertTrue(c.bars().stream().allMatch(b -> b.summary() == BarVerdict.Summary.FAILED), "no BAR is direct: the device is refused");
    }

    /**
     * Finding 3. crosvm devices/src/pci/vfio_pci.rs add_bar_mmap and devices/src/vfio.rs get_region_msix_mmappable
     * (eb98b0b02 "Fix sparse BAR handling", 2025-07-30): with MSIX_MAPPABLE or a sparse cap the table BAR is mapped whole.
     */
    @Test
    void finding3_crosvmMapsTheWholeMsixBarSinceEb98b0b02() {
        var mappable = new HostDevice("0000:01:00.0",
                List.of(new HostBar(0, 0xfe000000L, 0x4000, false, false, false, true, true, Optional.empty())), Optional.of(new Msix(0, 0x2000, 0, 0x3000, 16)));
        var sparse = new HostDevice("0000:02:00.0",
                List.of(new HostBar(0, 0xfd000000L, 0x4000, false, false, false, true, false, Optional.of(List.of(new MmapArea(0, 0x4000))))),
                Optional.of(new Msix(0, 0x2000, 0, 0x3000, 16)));
        var t = new Topology(List.of(new Passthrough(mappable), new Passthrough(sparse)), List.of(), GuestPlatform.x86());
        Plan p = plan(t, new SeaBios(), K4, Crosvm.V2024, Crosvm.V2025_07);
        for (String d : List.of("0000:01:00.0", "0000:02:00.0")) {
            assertEquals(List.of(TrapReason.MSIX_TABLE), bar(p.columns().get(0), d, 0).pages().get(1).reasons(), "crosvm-2024 carves the table page");
            assertEquals(BarVerdict.Summary.DIRECT, bar(p.columns().get(1), d, 0).summary(), "crosvm-2025-07 maps it whole");
        }
        assertTrue(p.columns().get(1).warnings().stream().anyMatch(w -> w.contains("bypass") || w.contains("does not see")), "finding 10: the table bypass is warned about");
    }

    /**
     * Finding 4. hw/vfio/pci.c vfio_pci_relocate_msix (QEMU 7.2): "auto" has no automatic choice for any device, so
     * QEMU exits; the fix is a concrete barN, checked in the QEMU model.
     */
    @Test
    void finding4_msixRelocationFixIsAConcreteBarTheModelVerifies() {
        assertThrows(IllegalArgumentException.class, () -> QemuOptions.DEFAULT.with("x-msix-relocation", "auto"));
        // a 4 KiB BAR1 whose page holds the 32-byte table and other registers (virtio style), MSIX_MAPPABLE
        var bar1 = new HostBar(1, 0x43103000L, 0x1000, false, false, false, true, true, Optional.empty());
        var bar4 = new HostBar(4, 0x100100000L, 0x4000, false, true, true, true, false, Optional.empty());
        var d = new HostDevice("0000:00:0f.0", List.of(HostBar.ioPort(0, 0x2060, 0x20), bar1, bar4), Optional.of(new Msix(1, 0, 1, 0x800, 2)));
        var c = MsixRelocation.pick(d, "x86_64", K4).orElseThrow();
        // bar0 is an I/O BAR and bar5 is consumed by 64-bit BAR4 (QEMU refuses both); BAR2 is the first free one
        assertEquals(2, c.bar());
        assertNull(c.column().failure());
        assertEquals(BarVerdict.Summary.DIRECT, bar(c.column(), "0000:00:0f.0", 1).summary());
        // without MSIX_MAPPABLE, vfio_msix_early_setup runs vfio_pci_fixup_msix_region (carving the table's page out
        // of the mmap) before vfio_pci_relocate_msix, so relocation leaves that page trapped: no fix is offered
        var carved = new HostDevice("0000:00:0f.0", List.of(HostBar.ioPort(0, 0x2060, 0x20), HostBar.mem(1, 0x43103000L, 0x1000, true), bar4),
                Optional.of(new Msix(1, 0, 1, 0x800, 2)));
        assertTrue(MsixRelocation.pick(carved, "x86_64", K4).isEmpty());
    }

    /**
     * Finding 5. Firecracker src/vmm/src/vfio.rs vfio_prepare_device (#6055 branch 2c6128563, vfio.rs:1472-1490):
     * a device without MSI-X fails with NoMsixIrq; the column names the unreleased PR branch.
     */
    @Test
    void finding5_firecrackerIsThePrBranchAndRequiresMsix() {
        assertTrue(Firecracker.PR6055.label().contains("unreleased"));
        assertEquals("firecracker-pr6055", Firecracker.PR6055.id());
        var noMsix = new HostDevice("0000:00:06.0", List.of(HostBar.mem(0, 0xfebfe000L, 0x1000, true)), Optional.empty(), true);
        VmmColumn c = plan(Topology.of(GuestPlatform.x86(), new Passthrough(noMsix)), new SeaBios(), K4, Firecracker.PR6055).columns().getFirst();
        assertEquals(BootFailure.Cause.NO_MSIX, c.failure().cause());
        assertTrue(c.failure().message().endsWith("Device does not provide MSIx irq"));
        // unknown MSI-X (lspci as non-root): no failure claimed, a warning instead
        var unknown = new HostDevice("0000:00:06.0", List.of(HostBar.mem(0, 0xfebfe000L, 0x1000, true)), Optional.empty(), false);
        VmmColumn u = plan(Topology.of(GuestPlatform.x86(), new Passthrough(unknown)), new SeaBios(), K4, Firecracker.PR6055).columns().getFirst();
        assertNull(u.failure());
        assertFalse(u.warnings().isEmpty());
    }

    /**
     * Finding 6. hw/ppc/spapr.c spapr_instance_init adds the read-only machine property vfio-no-msix-emulation
     * (spapr_get_msix_emulation); hw/vfio/pci.c vfio_msix_setup then disables the msix-table region.
     */
    @Test
    void finding6_pseriesLeavesTheTablePageMapped() {
        var d = new HostDevice("0001:00:00.0", List.of(new HostBar(0, 0x200000000000L, 0x10000, false, true, true, true, true, Optional.empty())),
                Optional.of(new Msix(0, 0x2000, 0, 0x3000, 16)));
        Plan ppc = Planner.plan(List.of(d), "ppc64le", K64, Planner.firmware(null, "ppc64le", f -> fail()), List.of(Qemu.DEFAULT));
        assertEquals(BarVerdict.Summary.DIRECT, bar(ppc.columns().getFirst(), "0001:00:00.0", 0).summary());
        Plan x86 = Planner.plan(List.of(d), "x86_64", K64, new SeaBios(), List.of(Qemu.DEFAULT));
        assertEquals(TrapReason.MSIX_TABLE, bar(x86.columns().getFirst(), "0001:00:00.0", 0).mainReason(), "q35 emulates the table");
    }

    /**
     * Finding 7. hw/vfio/pci-quirks.c vfio_probe_rtl8168_bar2_quirk (QEMU 7.2): Realtek 10ec:8168 BAR2 gets quirk
     * windows at +0x70 and +0x74 at priority 1, so its 4 KiB BAR loses the page's slot.
     */
    @Test
    void finding7_rtl8168QuirkTrapsBar2() {
        var bars = List.of(HostBar.ioPort(0, 0xd000, 0x100), new HostBar(2, 0xfe804000L, 0x1000, false, true, false, true, false, Optional.empty()),
                new HostBar(4, 0xfe800000L, 0x4000, false, true, false, true, false, Optional.empty()));
        var rtl = new HostDevice("0000:03:00.0", bars, Optional.of(new Msix(4, 0, 4, 0x800, 4)), true, 0x10ec, 0x8168);
        var other = new HostDevice("0000:03:00.0", bars, Optional.of(new Msix(4, 0, 4, 0x800, 4)), true, 0x10ec, 0x8125);
        var q = plan(Topology.of(GuestPlatform.x86(), new Passthrough(rtl)), new SeaBios(), K4, Qemu.DEFAULT).columns().getFirst();
        assertEquals(BarVerdict.Summary.TRAPPED, bar(q, "0000:03:00.0", 2).summary());
        assertEquals(TrapReason.VMM_QUIRK, bar(q, "0000:03:00.0", 2).mainReason());
        var o = plan(Topology.of(GuestPlatform.x86(), new Passthrough(other)), new SeaBios(), K4, Qemu.DEFAULT).columns().getFirst();
        assertEquals(BarVerdict.Summary.DIRECT, bar(o, "0000:03:00.0", 2).summary(), "only 10ec:8168 has the quirk");
    }

    /**
     * Finding 8. hw/arm/virt.c base_memmap (QEMU 7.2): VIRT_PCIE_MMIO { 0x10000000, 0x2eff0000 }; aarch64 and other
     * non-x86, non-ppc hosts are planned on virt, by default with Linux's placement (EDK2's is not modelled).
     */
    @Test
    void finding8_aarch64IsPlannedOnVirt() {
        assertEquals(Architecture.GuestMachine.VIRT, Architecture.of("arm64").machine());
        assertEquals(Architecture.GuestMachine.VIRT, Architecture.of("riscv64").machine());
        assertEquals(Architecture.GuestMachine.Q35, Architecture.of("amd64").machine());
        assertEquals(Architecture.GuestMachine.PSERIES, Architecture.of("ppc64el").machine());
        assertEquals(65536, Platform.defaultPageSize("ppc64el"));
        assertInstanceOf(dev.barmap.model.guest.LinuxAssign.class, Planner.firmware(null, "aarch64", f -> fail()));
        var d = new HostDevice("0000:01:00.0", List.of(HostBar.mem(0, 0x10000000L, 0x10000, false)));
        Plan p = Planner.plan(List.of(d), "aarch64", K64, Planner.firmware(null, "aarch64", f -> fail()), List.of(Qemu.DEFAULT));
        long a = bar(p.columns().getFirst(), "0000:01:00.0", 0).guestAddress();
        assertTrue(a >= 0x10000000L && a < 0x3eff0000L, Long.toHexString(a) + " inside virt's 32-bit PCIe window");
    }

    /** Finding 9. hw/vfio/pci.c vfio_pci_dev_properties (QEMU 7.2): x-no-mmap, x-msix-relocation; spapr's vfio-no-msix-emulation. */
    @Test
    void finding9_qemuOptionsAreSettable() {
        var vmms = Planner.withQemuOptions(List.of(Qemu.DEFAULT, Crosvm.V2025_07), List.of("x-no-mmap=on", "host=00:0f.0,x-msix-relocation=bar2"));
        Qemu q = (Qemu) vmms.getFirst();
        assertTrue(q.options().noMmap());
        assertEquals(Optional.of(2), q.optionsFor("0000:00:0f.0").msixRelocation());
        assertTrue(q.optionsFor("0000:00:0f.0").noMmap());
        assertSame(Crosvm.V2025_07, vmms.get(1));
        assertTrue(((Qemu) Planner.withQemuOptions(List.of(Qemu.DEFAULT), List.of("vfio-no-msix-emulation=on")).getFirst()).options().noMsixEmulation());
        assertThrows(IllegalArgumentException.class, () -> Planner.withQemuOptions(List.of(Qemu.DEFAULT), List.of("x-bogus=1")));
        var d = new HostDevice("0000:00:0f.0", List.of(HostBar.mem(0, 0xfe000000L, 0x4000, false)));
        var col = plan(Topology.of(GuestPlatform.x86(), new Passthrough(d)), new SeaBios(), K4, q).columns().getFirst();
        assertEquals(BarVerdict.Summary.TRAPPED, bar(col, "0000:00:0f.0", 0).summary(), "x-no-mmap: nothing is mmapped");
    }

    /**
     * Finding 10. cloud-hypervisor pci/src/vfio.rs generate_sparse_areas (v52.0 1314ac883) rounds the table's offset
     * down and its size up separately; QEMU hw/vfio/pci.c vfio_intx_interrupt unmaps BARs while INTx is in QEMU.
     */
    @Test
    void finding10_warnings() {
        // a 4 KiB table at +0x800 of a 32-bit 16 KiB BAR with MSIX_MAPPABLE: hole [0, 0x1000), [0x1000, 0x1800) mapped
        var d = new HostDevice("0000:01:00.0", List.of(new HostBar(0, 0xfe000000L, 0x4000, false, false, false, true, true, Optional.empty())),
                Optional.of(new Msix(0, 0x800, 0, 0x3800, 256)));
        var ch = plan(Topology.of(GuestPlatform.x86(), new Passthrough(d)), new SeaBios(), K4, CloudHypervisor.V52).columns().getFirst();
        assertNull(ch.failure());
        assertTrue(ch.warnings().stream().anyMatch(w -> w.contains("[0x1000, 0x1800)")), ch.warnings().toString());
        var noMsix = new HostDevice("0000:00:06.0", List.of(HostBar.mem(0, 0xfebfe000L, 0x1000, true)), Optional.empty(), true);
        var q = plan(Topology.of(GuestPlatform.x86(), new Passthrough(noMsix)), new SeaBios(), K4, Qemu.DEFAULT).columns().getFirst();
        assertTrue(q.warnings().stream().anyMatch(w -> w.contains("x-intx-mmap-timeout-ms")), q.warnings().toString());
    }

    /** Finding 11. Texts not copied from upstream are marked as barmap's; JSON ids are unique per version. */
    @Test
    void finding11_descriptionsAreMarkedAndIdsUnique() {
        var f = new BootFailure(BootFailure.Cause.KVM_SLOT_REFUSED, "slot refused", false, new dev.barmap.model.vmm.Source("x", "y", "z", "w"));
        assertEquals("slot refused (barmap's description)", f.shown());
        assertNotEquals(CloudHypervisor.V51.id(), CloudHypervisor.V52.id());
        assertEquals(VmmPolicy.registry().size(), VmmPolicy.registry().stream().map(VmmPolicy::id).distinct().count());
    }
}
