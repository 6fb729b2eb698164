package dev.barmap.model.vmm.qemu;

import dev.barmap.model.memory.KvmSlot;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import dev.barmap.model.testing.NestedRuns;
import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.qemu.scenario.ScenarioReplay;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flat-view model plus the QEMU vfio-pci policy reproduce what the real QEMU 7.2.22 printed for the
 * vfio BARs: {@code testdata/qemu} (the shared oracle's QEMU runs; see testdata/README.md).
 */
class QemuOracleTest {
    static final long PAGE = 4096;

    /** The outer host as the inner QEMU saw it (outer-before.txt: sysfs resource + /proc/iomem of the outer guest). */
    static HostDevice rtl8139() {
        return new HostDevice("0000:00:03.0", List.of(HostBar.ioPort(0, 0xc000, 0x100),
                HostBar.mem(1, 0xfebfc000L, 0x100, true)));
    }

    static HostDevice i6300esb() {
        return new HostDevice("0000:00:05.0", List.of(HostBar.mem(0, 0xfebfd000L, 0x10, true)));
    }

    static HostDevice ohci() {
        return new HostDevice("0000:00:06.0", List.of(HostBar.mem(0, 0xfebfe000L, 0x100, true)));
    }

    record Inner(QemuMachine m, QemuPciFunction.VfioPci esb, QemuPciFunction.VfioPci ohci, QemuPciFunction.VfioPci rtl,
                 QemuPciFunction.Emulated esb7, QemuPciFunction.Emulated esb8, QemuPciFunction.Emulated ahci) {}

    /** inner-cmd.txt: q35 (ahci at 1f.2 is built in), then the -device list in order. */
    static Inner inner() {
        var m = new QemuMachine(PAGE);
        var ahci = m.addEmulated("ahci", 0, 0, 0, 0, 0x20, 0x1000);
        var esb = ok(QemuPciFunction.VfioPci.realize(m, i6300esb(), QemuOptions.DEFAULT));
        var oh = ok(QemuPciFunction.VfioPci.realize(m, ohci(), QemuOptions.DEFAULT));
        var rtl = ok(QemuPciFunction.VfioPci.realize(m, rtl8139(), QemuOptions.DEFAULT));
        var e7 = m.addEmulated("i6300esb", 0x10);
        var e8 = m.addEmulated("i6300esb", 0x10);
        return new Inner(m, esb, oh, rtl, e7, e8, ahci);
    }

    static QemuPciFunction.VfioPci ok(QemuPciFunction.VfioPci.Realized r) {
        return ((QemuPciFunction.VfioPci.Realized.Ok) r).device();
    }

    @Test
    void seabiosOwnPages_flatViewAndMtreeMatchRealQemu() throws IOException {
        Inner in = inner();
        // s1-info-pci.txt: where SeaBIOS put every BAR
        in.esb.programBar(0, 0xfebfa000L);
        in.ohci.programBar(0, 0xfebfb000L);
        in.rtl.programBar(0, 0xc000);
        in.rtl.programBar(1, 0xfebfc000L);
        in.esb7.programBar(0, 0xfebfd000L);
        in.esb8.programBar(0, 0xfebfe000L);
        in.ahci.programBar(4, 0xc140);
        in.ahci.programBar(5, 0xfebff000L);

        String dir = "qemu7.2-seabios-own-pages/s1";
        List<String> flat = oracleFlat(dir, 0xfebfa000L, 0xfec00000L);
        List<String> mtree = oracleMtreePci(dir, 0xfebfa000L, 0xfec00000L);
        assertEquals(6, flat.size());   // 3 expanded vfio pages, 2 i6300esb, ahci
        assertEquals(12, mtree.size()); // 3 × (base BAR, BAR, mmaps[0]) + 3 emulated
        assertEquals(flat, window(in.m.flatView().mtreeLines(), 0xfebfa000L, 0xfec00000L));
        assertEquals(mtree, window(in.m.pciMemory().mtreeLines(), 0xfebfa000L, 0xfec00000L));

        // Under KVM (kvm_align_section) every expanded vfio BAR is one direct page; emulated BARs never are.
        List<KvmSlot> slots = in.m.kvmSlots();
        assertEquals(List.of(0xfebfa000L, 0xfebfb000L, 0xfebfc000L), slots.stream().map(KvmSlot::guestStart).toList());
        assertTrue(slots.stream().allMatch(s -> s.size() == PAGE));
        // and each reaches the host page of its own BAR (BAR + vfio sub-page reserved dummy)
        assertEquals(List.of(0xfebfd000L, 0xfebfe000L, 0xfebfc000L), slots.stream().map(KvmSlot::hostStart).toList());
    }

    @Test
    void linuxPacked_flatViewAndMtreeMatchRealQemu() throws IOException {
        Inner in = inner();
        // s3-info-pci.txt: inner Linux packed the small BARs into one page
        in.ahci.programBar(5, 0x8000000L);
        in.esb.programBar(0, 0x8001200L);
        in.ohci.programBar(0, 0x8001000L);
        in.rtl.programBar(0, 0x1000);
        in.rtl.programBar(1, 0x8001100L);
        in.esb7.programBar(0, 0x8001210L);
        in.esb8.programBar(0, 0x8001220L);

        String dir = "qemu7.2-linux-packed/s3";
        List<String> flat = oracleFlat(dir, 0x8000000L, 0x8002000L);
        List<String> mtree = oracleMtreePci(dir, 0x8000000L, 0x8002000L);
        assertEquals(7, flat.size());   // ahci, 06.0 head, 03.0, 05.0, 2 i6300esb, 06.0 tail fragment @0x230
        assertEquals(12, mtree.size());
        assertEquals(flat, window(in.m.flatView().mtreeLines(), 0x8000000L, 0x8002000L));
        assertEquals(mtree, window(in.m.pciMemory().mtreeLines(), 0x8000000L, 0x8002000L));

        // No vfio fragment holds a whole page: under KVM nothing in the packed page is direct, and nothing fails.
        assertEquals(List.of(), in.m.kvmSlots());
    }

    @Test
    void movingAnExpandedBarToAnUnalignedAddressKeepsThePageSizedBase() {
        // The quirk discussed on qemu-devel (Zhenzhong Duan, 2025-07, "Recover sub-page BAR size when base address
        // is not aligned"): base_mr only grows; region and mmap go back to the real size.
        var m = new QemuMachine(PAGE);
        var esb = ok(QemuPciFunction.VfioPci.realize(m, i6300esb(), QemuOptions.DEFAULT));
        esb.programBar(0, 0x10000000L);
        assertEquals(PAGE, esb.barMemory(0).size());
        assertEquals(0, esb.barMemory(0).priority());
        esb.programBar(0, 0x10000040L);
        assertEquals(PAGE, esb.barMemory(0).size());
        assertEquals(1, esb.barMemory(0).priority());
        assertEquals(List.of("0000000010000040-000000001000004f (prio 0, ramd): 0000:00:05.0 BAR 0 mmaps[0]",
                        "0000000010000050-000000001000103f (prio 1, i/o): 0000:00:05.0 base BAR 0 @0000000000000010"),
                m.flatView().mtreeLines());
    }

    // --- oracle parsing -------------------------------------------------------------------------------------

    static String read(String path) throws IOException {
        return Files.readString(TestCaptures.TESTDATA.resolve("qemu").resolve(path), StandardCharsets.UTF_8);
    }

    /** The "AS memory" flat view lines (FlatView whose root is "system") whose start is in [lo, hi). */
    static List<String> oracleFlat(String prefix, long lo, long hi) throws IOException {
        return NestedRuns.flatWindow(read(prefix + "-mtree-f.txt"), prefix + "-mtree-f.txt", lo, hi);
    }

    /** The "memory-region: pci" section's lines below the pci container whose start is in [lo, hi). */
    static List<String> oracleMtreePci(String prefix, long lo, long hi) throws IOException {
        return NestedRuns.pciWindow(read(prefix + "-mtree.txt"), prefix + "-mtree.txt", lo, hi);
    }

    static List<String> window(List<String> lines, long lo, long hi) {
        return ScenarioReplay.window(lines, lo, hi);
    }
}
