package dev.barmap.model.vmm.qemu.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.qemu.monitor.Inspection.BarReport;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code barmap inspect} on the real QEMU 7.2.22 monitor dumps of testdata/qemu (the shared oracle's runs), and on
 * small dumps written in QEMU's own line formats (system/memory.c mtree_print_flatview / mtree_print_mr). The
 * expected verdicts are worked out by hand from the dumps and kvm_align_section (accel/kvm/kvm-all.c: a RAM
 * section becomes a slot of its whole host pages), never taken from barmap's output.
 */
class InspectionTest {
    static final long PAGE = 4096;

    static MonitorDump read(String run, String step, String... kinds) throws IOException {
        var names = new ArrayList<String>();
        var texts = new ArrayList<String>();
        for (String k : kinds) {
            Path p = TestCaptures.TESTDATA.resolve("qemu").resolve(run).resolve(step + "-" + k + ".txt");
            names.add(p.getFileName().toString());
            texts.add(Files.readString(p, StandardCharsets.ISO_8859_1));
        }
        return MonitorDump.parseAll(run, names, texts);
    }

    static BarReport bar(Inspection in, String host, int bar) {
        return in.bars().stream().filter(b -> b.hostBdf().equals(host) && b.bar() == bar).findFirst().orElseThrow(() -> new AssertionError(host + " BAR" + bar));
    }

    @Test
    void seabiosOwnPages_everyVfioMemoryBarIsOneDirectPage() throws IOException {
        // SUMMARY.txt of the run: SeaBIOS put each vfio BAR at its own page; QEMU expanded each mmap to the page
        // ("(prio 0, ramd): 0000:00:05.0 BAR 0 mmaps[0]" over febfa000-febfafff), so each is one whole-page slot
        Inspection in = Inspection.of(read("qemu7.2-seabios-own-pages", "s1", "info-pci", "mtree", "mtree-f"), PAGE);
        assertEquals(4, in.bars().size(), "rtl8139 BAR0 (I/O) and BAR1, i6300esb BAR0, ohci BAR0 passed through");
        for (var k : List.of(new Object[] {"0000:00:05.0", 0, 0xfebfa000L, 16L, "00:04.0"}, new Object[] {"0000:00:06.0", 0, 0xfebfb000L, 256L, "00:05.0"},
                new Object[] {"0000:00:03.0", 1, 0xfebfc000L, 256L, "00:06.0"})) {
            BarReport b = bar(in, (String) k[0], (int) k[1]);
            assertEquals((long) k[2], b.start());
            assertEquals((long) k[3], b.size(), "the true size, from info pci");
            assertEquals(k[4], b.guestBdf().orElseThrow());
            assertEquals(1, b.pages());
            assertEquals(1, b.directPages(), b.toString());
        }
        BarReport io = bar(in, "0000:00:03.0", 0);
        assertTrue(io.io());
        assertEquals(0xc000, io.start());
        assertEquals(List.of(new Cause.IoPort()), ((Verdict.Trapped) io.runs().getFirst().verdict()).causes());
        assertEquals(3, in.directPages());
        assertEquals(3, in.memoryPages());
    }

    @Test
    void linuxPacked_noVfioPageIsDirect_andTheNeighboursAreNamed() throws IOException {
        // s3: the inner Linux packed 06.0 BAR0 (page-aligned, expanded), 03.0 BAR1 and 05.0 BAR0 (unaligned) and two
        // emulated i6300esb into page 0x08001000; the flat view cuts the page into seven ranges, none a whole page
        Inspection in = Inspection.of(read("qemu7.2-linux-packed", "s3", "info-pci", "mtree", "mtree-f"), PAGE);
        assertEquals(0, in.directPages());
        assertEquals(3, in.memoryPages());
        BarReport ohci = bar(in, "0000:00:06.0", 0);
        assertEquals(0x08001000L, ohci.start());
        assertEquals(256, ohci.size());
        var causes = ((Verdict.Trapped) ohci.runs().getFirst().verdict()).causes();
        assertEquals(new Cause.SlotMisaligned(0x08001000L, 0x080010ffL), causes.getFirst());
        assertTrue(causes.contains(new Cause.OtherRegion("0000:00:03.0 BAR 1 mmaps[0]", 0x08001100L, 0x080011ffL)), causes.toString());
        assertTrue(causes.contains(new Cause.OtherRegion("0000:00:05.0 BAR 0 mmaps[0]", 0x08001200L, 0x0800120fL)), causes.toString());
        assertTrue(causes.contains(new Cause.OtherRegion("i6300esb", 0x08001210L, 0x0800121fL)), causes.toString());
        assertFalse(causes.stream().anyMatch(c -> c instanceof Cause.OtherRegion o && o.name().startsWith("0000:00:06.0")),
                "its own mmap's tail fragment @0x230 is not another region");
        BarReport rtl = bar(in, "0000:00:03.0", 1);
        assertEquals(0x08001100L, rtl.start());
        var rc = ((Verdict.Trapped) rtl.runs().getFirst().verdict()).causes();
        assertEquals(new Cause.SlotMisaligned(0x08001100L, 0x080011ffL), rc.getFirst(), "unaligned: its mmap is only 256 bytes of the page");
        assertTrue(rc.contains(new Cause.OtherRegion("0000:00:06.0 BAR 0 mmaps[0]", 0x08001230L, 0x08001fffL)), rc.toString());
    }

    @Test
    void withoutInfoPciTheSizeIsQemusRegionAndSaidToBeUnknown() throws IOException {
        Inspection in = Inspection.of(read("qemu7.2-seabios-own-pages", "s1", "mtree", "mtree-f"), PAGE);
        assertFalse(in.sizesKnown());
        BarReport b = bar(in, "0000:00:05.0", 0);
        assertFalse(b.sizeKnown());
        assertEquals(PAGE, b.size(), "the expanded region (the BAR is 16 bytes)");
        assertTrue(b.guestBdf().isEmpty());
        assertEquals(1, b.directPages());
    }

    /** A dump in QEMU's formats: a tree and a flat view of "memory" with the given flat lines after the RAM. */
    static MonitorDump dump(List<String> tree, List<String> flat) {
        var sb = new StringBuilder("(qemu) info mtree\naddress-space: cpu-memory-0\naddress-space: memory\n");
        sb.append("  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n");
        tree.forEach(l -> sb.append("    ").append(l).append('\n'));
        sb.append("\n(qemu) info mtree -f\nFlatView #0\n AS \"memory\", root: system\n AS \"cpu-memory-0\", root: system\n Root memory region: system\n");
        sb.append("  0000000000000000-000000007fffffff (prio 0, ram): pc.ram\n");
        flat.forEach(l -> sb.append("  ").append(l).append('\n'));
        return MonitorDump.parse("test", sb.toString());
    }

    @Test
    void msixTableAndPbaTrapTheirPages_restOfTheBarIsDirect() {
        // a 16 KiB BAR at 0xfe000000 whose first page holds QEMU's msix-table and msix-pba (vfio_msix_setup):
        // the mmap is split around them; pages 1-3 are one whole-page RAM section each side of nothing
        Inspection in = Inspection.of(dump(List.of(
                "00000000fe000000-00000000fe003fff (prio 1, i/o): 0000:01:00.0 base BAR 0",
                "  00000000fe000000-00000000fe003fff (prio 0, i/o): 0000:01:00.0 BAR 0",
                "    00000000fe000000-00000000fe003fff (prio 0, ramd): 0000:01:00.0 BAR 0 mmaps[0]",
                "  00000000fe000000-00000000fe00003f (prio 0, i/o): msix-table",
                "  00000000fe000800-00000000fe000807 (prio 0, i/o): msix-pba"), List.of(
                "00000000fe000000-00000000fe00003f (prio 0, i/o): msix-table",
                "00000000fe000040-00000000fe0007ff (prio 0, ramd): 0000:01:00.0 BAR 0 mmaps[0] @0000000000000040",
                "00000000fe000800-00000000fe000807 (prio 0, i/o): msix-pba",
                "00000000fe000808-00000000fe003fff (prio 0, ramd): 0000:01:00.0 BAR 0 mmaps[0] @0000000000000808")), PAGE);
        BarReport b = bar(in, "0000:01:00.0", 0);
        assertEquals(4, b.pages());
        assertEquals(3, b.directPages(), "fe001000-fe003fff: one slot from the section starting at 0x808 (rounded up to 0x1000)");
        var first = (Verdict.Trapped) b.runs().getFirst().verdict();
        assertTrue(first.causes().contains(new Cause.MsixTable(0xfe000000L, 0xfe00003fL)), first.toString());
        assertTrue(first.causes().contains(new Cause.MsixPba(0xfe000800L, 0xfe000807L)), first.toString());
        assertInstanceOf(Verdict.Direct.class, b.runs().get(1).verdict());
        assertEquals(0xfe001000L, b.runs().get(1).start());
        assertEquals(3, b.runs().get(1).pages());
    }

    @Test
    void noMmapRegionMeansNotMmapped_andAStaleBaseBarIsNamed() {
        Inspection in = Inspection.of(dump(List.of(
                "00000000fe000000-00000000fe000fff (prio 1, i/o): 0000:02:00.0 base BAR 0",
                "  00000000fe000000-00000000fe000fff (prio 0, i/o): 0000:02:00.0 BAR 0",
                "0000000010000040-000000001000103f (prio 1, i/o): 0000:00:05.0 base BAR 0",
                "  0000000010000040-000000001000004f (prio 0, i/o): 0000:00:05.0 BAR 0",
                "    0000000010000040-000000001000004f (prio 0, ramd): 0000:00:05.0 BAR 0 mmaps[0]",
                "0000000010001000-000000001000100f (prio 1, i/o): 0000:00:06.0 base BAR 0",
                "  0000000010001000-000000001000100f (prio 0, i/o): 0000:00:06.0 BAR 0",
                "    0000000010001000-000000001000100f (prio 0, ramd): 0000:00:06.0 BAR 0 mmaps[0]"), List.of(
                "0000000010000040-000000001000004f (prio 0, ramd): 0000:00:05.0 BAR 0 mmaps[0]",
                "0000000010000050-000000001000103f (prio 1, i/o): 0000:00:05.0 base BAR 0 @0000000000000010",
                "0000000010001040-000000001000104f (prio 0, ramd): 0000:00:06.0 BAR 0 mmaps[0] @0000000000000040",
                "00000000fe000000-00000000fe000fff (prio 0, i/o): 0000:02:00.0 BAR 0")), PAGE);
        var noMmap = (Verdict.Trapped) bar(in, "0000:02:00.0", 0).runs().getFirst().verdict();
        assertEquals(List.of(new Cause.NotMmapped()), noMmap.causes());
        var hidden = (Verdict.Trapped) bar(in, "0000:00:06.0", 0).runs().getFirst().verdict();
        assertTrue(hidden.causes().contains(new Cause.StaleBaseBar("0000:00:05.0 base BAR 0", 0x10000050L, 0x1000103fL)), hidden.toString());
    }

    @Test
    void aLargeBarIsJudgedInRunsNotPageByPage() {
        // 64 GiB at 0x4000000000, one whole-page mmap: 16,777,216 pages in one direct run
        Inspection in = Inspection.of(dump(List.of(
                "0000004000000000-0000004fffffffff (prio 1, i/o): 0000:03:00.0 base BAR 2",
                "  0000004000000000-0000004fffffffff (prio 0, i/o): 0000:03:00.0 BAR 2",
                "    0000004000000000-0000004fffffffff (prio 0, ramd): 0000:03:00.0 BAR 2 mmaps[0]"), List.of(
                "0000004000000000-0000004fffffffff (prio 0, ramd): 0000:03:00.0 BAR 2 mmaps[0]")), PAGE);
        BarReport b = bar(in, "0000:03:00.0", 2);
        assertEquals(1, b.runs().size());
        assertEquals(1L << 24, b.directPages());
    }

    @Test
    void badLinesNameTheFileAndLine() {
        var e = assertThrows(BadInputException.class, () -> MonitorDump.parse("dump.txt",
                "FlatView #0\n AS \"memory\", root: system\n  0000000000000000-00000000000000zz (prio 0, ram): pc.ram\n"));
        assertEquals("dump.txt", e.file());
        assertEquals(3, e.line());
        var none = assertThrows(BadInputException.class, () -> MonitorDump.parse("notes.txt", "hello\n"));
        assertTrue(none.getMessage().startsWith("notes.txt: no 'info mtree -f' flat view"), none.getMessage());
        var noTree = assertThrows(BadInputException.class, () -> MonitorDump.parse("f.txt",
                "FlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000000000fff (prio 0, ram): pc.ram\n"));
        assertTrue(noTree.getMessage().contains("no 'info mtree' output"), noTree.getMessage());
    }
}
