package dev.barmap.model.lspci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import java.util.List;
import org.junit.jupiter.api.Test;

class LspciTest {
    static Host host(String... texts) {
        var inputs = new java.util.ArrayList<Lspci.Input>();
        for (int i = 0; i < texts.length; i++) inputs.add(new Lspci.Input("in" + i, texts[i]));
        return Lspci.host("test", new Platform("x86_64", 4096), KernelRelease.parse("6.1"), inputs, List.of());
    }

    static PciFunction fn(Host h, String bdf) {
        return h.functions().get(Bdf.parse(bdf));
    }

    static final String NN = """
            00:1f.0 ISA bridge [0601]: Intel Corporation 82801IB (ICH9) LPC Interface Controller [8086:2918] (rev 02)
            \tSubsystem: Red Hat, Inc. QEMU Virtual Machine [1af4:1100]
            \tControl: I/O+ Mem+ BusMaster- SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-
            \tStatus: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=medium >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-

            01:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572] (rev 01)
            \tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
            \tIOMMU group: 17
            \tRegion 0: Memory at 3bffe000000 (64-bit, prefetchable) [size=16M]
            \tRegion 3: Memory at 3bfff808000 (64-bit, prefetchable) [size=32K]
            \tRegion 4: I/O ports at e000 [size=32]
            \tExpansion ROM at c5080000 [disabled] [size=512K]
            \tCapabilities: [70] MSI-X: Enable+ Count=129 Masked-
            \t\tVector table: BAR=3 offset=00000000
            \t\tPBA: BAR=3 offset=00001000
            \tCapabilities: [100 v2] Advanced Error Reporting
            \tKernel driver in use: vfio-pci

            00:14.0 USB controller [0c03]: Intel Corporation Device [8086:a36d] (rev 10) (prog-if 30 [XHCI])
            \tRegion 0: Memory at a1210000 (64-bit, non-prefetchable) [size=64K]
            \tCapabilities: [70] Power Management version 2
            \tKernel driver in use: xhci_hcd
            """;

    @Test
    void verboseNnGivesIdsClassBarsMsixGroupAndDriver() {
        Host h = host(NN);
        PciFunction f = fn(h, "0000:01:00.0");
        assertEquals(0x8086, f.vendor());
        assertEquals(0x1572, f.device());
        assertEquals(0x020000, f.classCode());
        assertEquals(new Bar(0, 0x3bffe000000L, 0x3bffeffffffL, IoResource.MEM | IoResource.SIZEALIGN | IoResource.MEM_64 | IoResource.PREFETCH | 0xc), f.resource(0));
        assertEquals(0x3bfff808000L + 0x7fff, f.resource(3).end());
        assertTrue(f.resource(4).isIo());
        assertEquals(32, f.resource(4).len());
        assertTrue(f.resource(1).empty(), "upper half of the 64-bit BAR0");
        assertEquals(512 * 1024, f.resource(Bar.ROM).len());
        assertTrue(f.msixKnown());
        assertEquals(3, f.msix().orElseThrow().tableBir());
        assertEquals(129, f.msix().orElseThrow().entries());
        assertEquals(0x1000, f.msix().orElseThrow().pbaOffset());
        assertEquals("17", f.iommuGroup().orElseThrow());
        assertEquals("vfio-pci", f.driver().orElseThrow());
        assertEquals(4096, f.cfgSize().orElseThrow(), "an extended capability at 0x100 means 4K config space");
        PciFunction isa = fn(h, "00:1f.0");
        assertFalse(isa.passthroughCandidate());
        assertTrue(isa.msixKnown(), "Status: Cap- means no capability list");
        PciFunction usb = fn(h, "00:14.0");
        assertEquals(0x0c0330, usb.classCode(), "prog-if goes into the low byte");
        assertTrue(usb.msixKnown() && usb.msix().isEmpty(), "capabilities listed without MSI-X");
    }

    @Test
    void classNamesWithoutNnAndUnknownIds() {
        Host h = host("""
                00:02.0 PCI bridge: Intel Corporation Device 1901 (rev 07)
                \tBus: primary=00, secondary=01, subordinate=01, sec-latency=0
                \tMemory behind bridge: fe000000-fe0fffff [size=1M] [32-bit]
                \tPrefetchable memory behind bridge: 00000000fff00000-00000000000fffff [disabled] [64-bit]
                01:00.0 Ethernet controller: Device 1de4:0001
                \tRegion 0: Memory at fe010000 (32-bit, non-prefetchable) [size=16K]
                """);
        PciFunction br = fn(h, "00:02.0");
        assertEquals(0x060400, br.classCode());
        assertEquals(17, br.resources().size());
        assertEquals(0xfe000000L, br.bridgeWindows().get(1).start());
        assertTrue(br.bridgeWindows().get(2).empty(), "base > limit: the window is closed");
        PciFunction nic = fn(h, "01:00.0");
        assertEquals(0x1de4, nic.vendor());
        assertEquals(0x0001, nic.device());
        // the BAR sits under the bridge window in the synthesised tree
        assertEquals("PCI window of 0000:00:02.0", h.tree().find(0xfe010000L, 0xfe013fffL, "0000:01:00.0").orElseThrow().parent().name());
        assertFalse(nic.msixKnown(), "no capability lines and no Status line: unknown");
    }

    @Test
    void accessDeniedLeavesMsixUnknown() {
        Host h = host("""
                00:14.2 Audio device: AMD SBx00 Azalia (Intel HDA) (rev 40)
                \tRegion 0: Memory at feb00000 (64-bit, non-prefetchable) [size=16K]
                \tCapabilities: <access denied>
                \tKernel driver in use: snd_hda_intel
                """);
        PciFunction f = fn(h, "00:14.2");
        assertFalse(f.msixKnown());
        assertTrue(f.msix().isEmpty());
    }

    @Test
    void sriovVfRegionsAreNotDeviceBarsEvenWithoutIndentation() {
        Host h = host("""
                67:00.0 Ethernet controller: Intel Corporation Ethernet Connection X722 for 10GbE backplane (rev 09)
                Region 0: Memory at bc000000 (64-bit, prefetchable) [size=16M]
                Capabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)
                Region 0: Memory at 00000000c0000000 (64-bit, prefetchable)
                """);
        assertEquals(0xbc000000L, fn(h, "67:00.0").resource(0).start());
    }

    @Test
    void unassignedVirtualAndMissingSizes() {
        Host h = host("""
                06:00.0 Ethernet controller: Intel Corporation I350 Gigabit Network Connection (rev 01)
                \tRegion 0: Memory at 600200000 (32-bit, non-prefetchable) [disabled] [size=512K]
                \tRegion 1: Memory at <unassigned> (32-bit, non-prefetchable) [size=8K]
                \tRegion 2: I/O ports at <unassigned> [disabled]
                \tRegion 5: Memory at 600500000 (32-bit, non-prefetchable)
                \tExpansion ROM at 600280000 [virtual] [disabled] [size=512K]
                """);
        PciFunction f = fn(h, "06:00.0");
        assertTrue((f.resource(1).flags() & IoResource.UNSET) != 0);
        assertEquals(8192, f.resource(1).len());
        assertTrue(f.resource(2).empty(), "no size: the kernel holds no resource");
        assertTrue(f.resource(5).empty(), "size not shown: not modelled");
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("BAR5 at 600500000") && n.contains("unknown")), h.notes().toString());
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("BAR1 is <unassigned>")), h.notes().toString());
    }

    /** 256 bytes of config space for a device with one MSI-X capability at 0x40. */
    static String hexDump(int vendor, int device, long bar0, int tableBir, long tableOff, int entries) {
        byte[] c = new byte[256];
        c[0] = (byte) vendor; c[1] = (byte) (vendor >> 8); c[2] = (byte) device; c[3] = (byte) (device >> 8);
        c[6] = 0x10; // status: capability list
        c[0x09] = 0; c[0x0a] = 0x00; c[0x0b] = 0x02; // class 020000
        for (int k = 0; k < 4; k++) c[0x10 + k] = (byte) (bar0 >> (8 * k));
        c[0x34] = 0x40;
        c[0x40] = 0x11; c[0x41] = 0; c[0x42] = (byte) (entries - 1); c[0x43] = (byte) ((entries - 1) >> 8);
        long t = tableOff | tableBir;
        for (int k = 0; k < 4; k++) c[0x44 + k] = (byte) (t >> (8 * k));
        long p = (tableOff + 0x1000) | tableBir;
        for (int k = 0; k < 4; k++) c[0x48 + k] = (byte) (p >> (8 * k));
        var sb = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            if (i % 16 == 0) sb.append(String.format("%02x:", i));
            sb.append(String.format(" %02x", c[i] & 0xff));
            if (i % 16 == 15) sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void hexDumpGivesMsixAndIdsWhenVerboseTextHidesThem() {
        String verbose = """
                03:00.0 Ethernet controller: Some NIC
                \tRegion 0: Memory at fe200000 (32-bit, non-prefetchable) [size=16K]
                \tCapabilities: <access denied>
                """;
        String hex = "03:00.0 Ethernet controller: Some NIC\n" + hexDump(0x8086, 0x1533, 0xfe200000L, 0, 0x2000, 5);
        Host h = host(verbose, hex);
        PciFunction f = fn(h, "03:00.0");
        assertEquals(0x8086, f.vendor());
        assertEquals(0x1533, f.device());
        assertTrue(f.msixKnown());
        assertEquals(0x2000, f.msix().orElseThrow().tableOffset());
        assertEquals(5, f.msix().orElseThrow().entries());
        assertEquals(16384, f.resource(0).len());
    }

    @Test
    void hexDumpAloneSaysBarSizesAreUnknown() {
        Host h = host("03:00.0 Ethernet controller: Some NIC\n" + hexDump(0x8086, 0x1533, 0xfe200000L, 0, 0x2000, 5));
        PciFunction f = fn(h, "03:00.0");
        assertTrue(f.resource(0).empty());
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("BAR sizes are unknown") && n.contains("BAR0 memory at fe200000")), h.notes().toString());
    }

    @Test
    void iommuGroupListingsBothForms() {
        Host h = host("""
                IOMMU Group 1:
                \t00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 07)
                \t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)
                IOMMU Group 2 00:14.0 USB controller [0c03]: Intel Corporation 100 Series/C230 Series Chipset Family USB 3.0 xHCI Controller [8086:a12f] (rev 31)
                """, """
                01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1070] (rev a1)
                \tRegion 0: Memory at de000000 (32-bit, non-prefetchable) [size=16M]
                """);
        assertEquals("1", fn(h, "01:00.0").iommuGroup().orElseThrow());
        assertEquals("1", fn(h, "00:01.0").iommuGroup().orElseThrow());
        assertEquals("2", fn(h, "00:14.0").iommuGroup().orElseThrow());
        assertEquals(0x10de, fn(h, "01:00.0").vendor());
        assertEquals(16 << 20, fn(h, "01:00.0").resource(0).len());
    }

    /** pciutils ls-caps.c cap_msix: Count=(table size field & 0x7ff) + 1, so 1 to 2048; anything else is no real lspci. */
    @Test
    void impossibleMsixCountNamesTheLine() {
        for (String count : List.of("0", "2049", "4096")) {
            var e = assertThrows(BadInputException.class, () -> host("""
                    01:00.0 Ethernet controller: X
                    \tRegion 0: Memory at fe200000 (32-bit, non-prefetchable) [size=64K]
                    \tCapabilities: [a0] MSI-X: Enable- Count=%s Masked-
                    \t\tVector table: BAR=0 offset=00000000
                    \t\tPBA: BAR=0 offset=00008000
                    """.formatted(count)));
            assertEquals("in0", e.file());
            assertEquals(3, e.line(), count);
            assertEquals("MSI-X Count=" + count + " is impossible: lspci prints the table size field + 1, 1 to 2048", e.problem());
        }
        for (String count : List.of("1", "2048")) {
            var h = host("""
                    01:00.0 Ethernet controller: X
                    \tRegion 0: Memory at fe200000 (32-bit, non-prefetchable) [size=64K]
                    \tCapabilities: [a0] MSI-X: Enable- Count=%s Masked-
                    \t\tVector table: BAR=0 offset=00000000
                    \t\tPBA: BAR=0 offset=00008000
                    """.formatted(count));
            assertEquals(Integer.parseInt(count), fn(h, "01:00.0").msix().orElseThrow().entries(), count);
        }
    }

    @Test
    void badInputNamesFileAndLine() {
        var e = assertThrows(BadInputException.class, () -> host("""
                01:00.0 Ethernet controller: X
                \tRegion 0: Memory at fe2zz000 (32-bit, non-prefetchable) [size=16K]
                """));
        assertEquals("in0", e.file());
        assertEquals(2, e.line());
        var v = assertThrows(BadInputException.class, () -> host("""
                01:00.0 Ethernet controller: X
                \tMemory at fe200000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe204000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe208000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe20c000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe210000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe214000 (32-bit, non-prefetchable) [size=16K]
                \tMemory at fe218000 (32-bit, non-prefetchable) [size=16K]
                """));
        assertEquals(8, v.line());
        assertTrue(v.problem().contains("BARs 0-5"), v.getMessage());
        var p = assertThrows(BadInputException.class, () -> host("00:1c.0/00.0 Ethernet controller: X\n"));
        assertTrue(p.problem().contains("lspci -PP"), p.getMessage());
        assertEquals(1, p.line());
        var overlap = assertThrows(BadInputException.class, () -> host("""
                01:00.0 Ethernet controller: X
                \tRegion 0: Memory at fe200000 (32-bit, non-prefetchable) [size=16K]
                01:00.1 Ethernet controller: X
                \tRegion 0: Memory at fe202000 (32-bit, non-prefetchable) [size=16K]
                """));
        assertEquals("in0", overlap.file());
        assertTrue(overlap.line() == 2 || overlap.line() == 4, overlap.getMessage());
        var nothing = assertThrows(BadInputException.class, () -> host("hello\nworld\n"));
        assertTrue(nothing.problem().contains("no lspci device line"), nothing.getMessage());
        var conflict = assertThrows(BadInputException.class, () -> host(
                "01:00.0 Ethernet controller [0200]: X [8086:1533]\n", "01:00.0 Ethernet controller [0200]: Y [10ec:8168]\n"));
        assertEquals("in1", conflict.file());
    }

    static List<String> notes(String... texts) {
        return host(texts).notes();
    }

    @Test
    void verboseOnceNumbersBarsInPrintOrderAndSaysSo() {
        // lspci -v: show_bases() prints no "Region N:" and skips unimplemented BARs and 64-bit upper halves
        Host h = host("""
                01:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:2329] (rev a1)
                \tMemory at 18002000000 (64-bit, prefetchable) [size=16M]
                \tMemory at 16000000000 (64-bit, prefetchable) [size=128G]
                \tI/O ports at 0780 [size=32]
                \tMemory at fe010000 (32-bit, non-prefetchable)
                \tKernel driver in use: nvidia
                """);
        PciFunction f = fn(h, "01:00.0");
        assertEquals(0x18002000000L, f.resource(0).start());
        assertEquals(0x16000000000L, f.resource(2).start());
        assertEquals(128L << 30, f.resource(2).len());
        assertTrue(f.resource(4).isIo());
        assertTrue(f.resource(5).empty(), "no size shown: not modelled");
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("lspci -v does not print BAR numbers")), h.notes().toString());
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("BAR5 at fe010000")), h.notes().toString());
        assertFalse(f.msixKnown());
    }

    @Test
    void verboseOnceWithHexDumpTakesTheNumbersFromTheRegisters() {
        // BAR0 unimplemented, BAR1 at fe200000: lspci -v prints one "Memory at" line, the dump says it is BAR1
        String hex = "00: 86 80 33 15 06 04 10 00 03 00 00 02 10 00 00 00\n"
                + "10: 00 00 00 00 00 00 20 fe 00 00 00 00 00 00 00 00\n"
                + "20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 00 00\n"
                + "30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n";
        Host h = host("01:00.0 Ethernet controller: Intel Corporation I210\n\tMemory at fe200000 (32-bit, non-prefetchable) [size=128K]\n" + hex);
        assertEquals(0xfe200000L, fn(h, "01:00.0").resource(1).start());
        assertTrue(fn(h, "01:00.0").resource(0).empty());
        assertTrue(h.notes().stream().noneMatch(n -> n.contains("does not print BAR numbers")), h.notes().toString());
    }

    @Test
    void bridgePathsOfLspciPAndPP() {
        // lspci.c show_slot_path(): -PP prints bb:dd.f at every level, -P only dd.f below the first
        Host pp = host("""
                00:06.0 PCI bridge: Intel Corporation 12th Gen Core Processor PCI Express x4 Controller #0 (rev 02)
                00:06.0/02:00.0 Non-Volatile memory controller: SK hynix Platinum P41/PC801 NVMe Solid State Drive
                \tRegion 0: Memory at 84000000 (64-bit, non-prefetchable) [size=16K]
                """);
        assertEquals(0x84000000L, fn(pp, "0000:02:00.0").resource(0).start());
        Host p = host("""
                0000:00:1c.0 PCI bridge: Intel Corporation Device 1901 (rev 07)
                \tBus: primary=00, secondary=03, subordinate=03, sec-latency=0
                0000:00:1c.0/00.0 Ethernet controller: Intel Corporation I210
                \tRegion 0: Memory at 84000000 (32-bit, non-prefetchable) [size=128K]
                """);
        assertEquals(0x84000000L, fn(p, "0000:03:00.0").resource(0).start());
    }

    @Test
    void markdownAndEmailQuotingAreStrippedWithANote() {
        Host h = host("""
                > ```
                > 67:00.0 Ethernet controller: Intel Corporation Ethernet Connection X722 for 10GbE backplane (rev 09)
                > 	**Region 0: Memory at bc000000 (64-bit, prefetchable) [size=16M]
                > 	Region 3: Memory at c1000000 (64-bit, prefetchable) [size=32K]**
                > ```
                """);
        assertEquals(16 << 20, fn(h, "67:00.0").resource(0).len(), "the bold 16M BAR is read, not lost");
        assertEquals(0xc1000000L, fn(h, "67:00.0").resource(3).start());
        String note = h.notes().stream().filter(n -> n.startsWith("in0: removed")).findFirst().orElseThrow(() -> new AssertionError(h.notes()));
        assertTrue(note.contains("quote markers") && note.contains("code fence") && note.contains("bold"), note);
        assertTrue(Lspci.looksLikeLspci("> 01:00.0 Ethernet controller: X\n"));
        assertTrue(Lspci.looksLikeLspci("`IOMMU Group  12: 0000:01:00.0 USB controller [0c03]: X [1022:43d0]\n"));
    }

    @Test
    void aCutCapabilityListLeavesMsixUnknownAndSaysWhy() {
        Host cut = host("""
                82:00.0 3D controller: NVIDIA Corporation GK110BGL [Tesla K40c] (rev a1)
                \tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
                \tRegion 0: Memory at fa000000 (32-bit, non-prefetchable) [size=16M]
                \tCapabilities: [60] Power Management version 3
                \tCapabilities: [68] MSI: Enable- Count=1/1 Maskable- 64bit+
                """);
        assertFalse(fn(cut, "82:00.0").msixKnown());
        assertTrue(cut.notes().stream().anyMatch(n -> n.startsWith("MSI-X unknown for 0000:82:00.0") && n.contains("may be cut")), cut.notes().toString());
        Host extOnly = host("""
                67:00.0 Ethernet controller: X
                Region 0: Memory at bc000000 (64-bit, prefetchable) [size=16M]
                Capabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)
                Kernel driver in use: i40e
                """);
        assertFalse(fn(extOnly, "67:00.0").msixKnown(), "only extended capabilities: the standard list was left out");
        Host capPlus = host("""
                01:00.0 Ethernet controller: X
                \tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
                \tRegion 0: Memory at fe200000 (32-bit, non-prefetchable) [size=16K]
                \tKernel driver in use: igb
                """);
        assertFalse(fn(capPlus, "01:00.0").msixKnown());
        assertTrue(capPlus.notes().stream().anyMatch(n -> n.contains("'Status: Cap+'")), capPlus.notes().toString());
        assertTrue(capPlus.notes().stream().noneMatch(n -> n.contains("config space")), capPlus.notes().toString());
    }

    @Test
    void oldPciutilsMsixLineIsRead() {
        // pciutils before v3.1.3 printed "MSI-X: Enable+ Mask- TabSize=10" (ls-caps.c cap_msix before 04885ef)
        Host h = host("""
                01:00.0 Ethernet controller: Intel Corporation Device 10c9 (rev 01)
                \tRegion 3: Memory at e0840000 (32-bit, non-prefetchable) [size=16K]
                \tCapabilities: [70] MSI-X: Enable+ Mask- TabSize=10
                \t\tVector table: BAR=3 offset=00000000
                \t\tPBA: BAR=3 offset=00002000
                """);
        assertEquals(10, fn(h, "01:00.0").msix().orElseThrow().entries());
    }

    @Test
    void barLinesBeforeAnyDeviceLineAreNoted() {
        Host h = host("""
                \tMemory at 14000000000 (64-bit, prefetchable) [size=128G]
                \tMemory at 13000000000 (64-bit, prefetchable) [size=32M]

                0a:00.0 3D controller [0302]: NVIDIA Corporation Device [10de:2329] (rev a1)
                \tMemory at 18002000000 (64-bit, prefetchable) [size=16M]
                """);
        assertTrue(h.notes().stream().anyMatch(n -> n.startsWith("in0:1: 2 BAR line(s) before the first device line")), h.notes().toString());
    }
}
