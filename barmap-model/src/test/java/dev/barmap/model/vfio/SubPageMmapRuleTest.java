package dev.barmap.model.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.resource.Iomem;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.scan.Verdict;
import dev.barmap.model.testing.TestHosts;
import dev.barmap.model.vfio.SubPageMmapRule.Decision;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed's cases on synthetic hosts, at 4K, 16K and 64K pages. */
class SubPageMmapRuleTest {
    static final String K61 = "6.1.0-56-amd64";
    static final Bdf A = Bdf.parse("0000:00:03.0");
    static final Bdf B = Bdf.parse("0000:00:04.0");

    static ModelVfioDevice open(Host h, Bdf bdf) {
        return new VfioPciModel(h).open(bdf);
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void subPageBarNotPageAlignedTraps(long page) {
        Host h = TestHosts.window(0x4000_0000L, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, 0x4000_0000L + page / 2, 256).done().build(page, K61);
        ModelVfioDevice d = open(h, A);
        assertInstanceOf(Decision.NotPageAligned.class, d.decision(0));
        assertFalse(d.regionInfo(0).mmappable());
        assertEquals(256, d.regionInfo(0).size());
        var e = assertThrows(VfioException.class, () -> d.tryMmap(0, page, true));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void pageAlignedButANeighbourInThePageTraps(long page) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL)
                .fn("0000:00:03.0").mem(0, base, 256).done()
                .fn("0000:00:04.0").mem(0, base + page - 64, 64).done()
                .build(page, K61);
        var model = new VfioPciModel(h);
        ModelVfioDevice d = model.open(A);
        Decision.PageShared ps = assertInstanceOf(Decision.PageShared.class, d.decision(0));
        assertEquals("0000:00:04.0", ps.conflict().name());
        assertEquals(base + 256, ps.restStart());
        assertEquals(base + page - 1, ps.restEnd());
        assertTrue(ps.reason().contains("0000:00:04.0"), ps.reason());
        assertEquals(List.of(), model.subPageReserved());
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void pageAlignedAndAloneGetsMmapAndTheDummy(long page) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, base + page, 16).done().build(page, K61);
        var model = new VfioPciModel(h);
        ModelVfioDevice d = model.open(A);
        assertInstanceOf(Decision.ExclusivePage.class, d.decision(0));
        RegionInfo ri = d.regionInfo(0);
        assertEquals(List.of("READ", "WRITE", "MMAP"), ri.flagNames());
        assertEquals(16, ri.size(), "region size is the BAR size, not the page");
        assertEquals(List.of(new ProbeReport.Range(base + page + 16, base + 2 * page - 1)), model.subPageReserved());
        assertTrue(model.iomem().contains(SubPageMmapRule.DUMMY_NAME));
        // the whole page may be mapped; one byte more may not
        d.tryMmap(0, page, true);
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(0, page + 1, true)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(page, page, true)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(0, page, false)).errno(), "MAP_PRIVATE");
        // pread at offset = size fails although the page can be mapped
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.pread(16, 4)).errno());
        d.pread(12, 4);
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void remainderOutsideTheParentWindowTraps(long page) {
        long base = 0x4000_0000L;
        // the window ends right after the BAR: the rest of the page is outside it
        Host h = TestHosts.window(base, base + 0xff).fn("0000:00:03.0").mem(0, base, 256).done().build(page, K61);
        Decision.PageShared ps = assertInstanceOf(Decision.PageShared.class, open(h, A).decision(0));
        assertTrue(ps.outsideParent());
        assertTrue(ps.reason().contains("outside its parent window"), ps.reason());
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void zeroSizeIoAnd64BitPairs(long page) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL)
                .fn("0000:00:03.0").io(0, 0x1000, 32).mem64(2, base + 0x100_0000L, 0x100000).done()
                .build(page, K61);
        ModelVfioDevice d = open(h, A);
        assertInstanceOf(Decision.NotMemory.class, d.decision(0));
        assertEquals(List.of("READ", "WRITE"), d.regionInfo(0).flagNames());
        assertInstanceOf(Decision.Empty.class, d.decision(1));
        assertEquals(0, d.regionInfo(1).size());
        assertEquals(0, d.regionInfo(1).flags());
        assertEquals(List.of("READ", "WRITE", "MMAP"), d.regionInfo(2).flagNames());
        assertEquals(0, d.regionInfo(3).size(), "upper half of the 64-bit BAR");
        var scan = Scanner.scan(h);
        var r3 = scan.devices().getFirst().regions().get(3);
        assertEquals(Verdict.ABSENT, r3.verdict());
        assertEquals("upper half of 64-bit BAR2", r3.reason());
        assertEquals(Verdict.TRAPPED, scan.devices().getFirst().regions().get(0).verdict());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(0, page, true)).errno(), "I/O BAR");
        d.pread(0, 4);
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void repeatedOpenCloseLeavesTheTreeExactlyAsBefore(long page) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL)
                .fn("0000:00:03.0").mem(0, base, 16).mem(1, base + 4 * page, 4 * page).done()
                .fn("0000:00:04.0").mem(0, base + 2 * page, 128).done()
                .build(page, K61);
        var model = new VfioPciModel(h);
        String before = model.iomem();
        for (int i = 0; i < 5; i++) {
            ModelVfioDevice a = model.open(A), b = model.open(B);
            a.tryMmap(0, page, true);
            a.pread(1L << 40, 4);
            b.pread(0, 4);
            assertEquals(2, model.subPageReserved().size());
            assertTrue(model.iomem().contains("vfio-pci") && model.iomem().contains("    "), model.iomem());
            a.close();
            b.close();
            assertEquals(before, model.iomem(), "after open/close cycle " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 16384, 65536})
    void theSameBarIsSubPageOnlyAtLargerPages(long page) {
        long base = 0x4000_0000L;
        // a 16 KiB BAR at a 16 KiB boundary, with a neighbour right after it
        Host h = TestHosts.window(base, 0x4fff_ffffL)
                .fn("0000:00:03.0").mem(0, base, 0x4000).done()
                .fn("0000:00:04.0").mem(0, base + 0x4000, 0x100).done()
                .build(page, K61);
        boolean mmappable = open(h, A).regionInfo(0).mmappable();
        assertEquals(page <= 0x4000, mmappable, "16K BAR at page " + page);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.10.0-1160.el7.x86_64", "4.4.0-210-generic", "4.7.10"})
    void beforeLinux48SubPageBarsNeverMmap(String kernel) {
        Host h = TestHosts.window(0x4000_0000L, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, 0x4000_0000L, 16).done().build(4096, kernel);
        var model = new VfioPciModel(h);
        assertInstanceOf(Decision.SubPageUnsupported.class, model.open(A).decision(0));
        assertEquals(List.of(), model.subPageReserved());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.8.0", "4.15.18"})
    void linux48To415CarveTheMsixTableWithSparseMmap(String kernel) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, base, 0x4000).msix(0, 0x2000, 32).done().build(4096, kernel);
        ModelVfioDevice d = open(h, A);
        RegionInfo ri = d.regionInfo(0);
        assertEquals(List.of("READ", "WRITE", "MMAP", "CAPS"), ri.flagNames());
        RegionCap.SparseMmap sp = assertInstanceOf(RegionCap.SparseMmap.class, ri.caps().getFirst());
        assertEquals(List.of(new RegionCap.Area(0, 0x2000), new RegionCap.Area(0x3000, 0x1000)), sp.areas());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(0, 0x4000, true)).errno(), "overlaps the table");
        d.tryMmap(0, 0x2000, true);
        d.tryMmap(0x3000, 0x1000, true);
        assertEquals(Verdict.PARTIAL, Scanner.scan(h).devices().getFirst().regions().getFirst().verdict());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.16.0", "5.15.0-91-generic", "6.1.0-56-amd64", "6.14.2"})
    void linux416OnMarkTheMsixBarMappable(String kernel) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, base, 0x4000).msix(0, 0x2000, 32).done().build(4096, kernel);
        ModelVfioDevice d = open(h, A);
        RegionInfo ri = d.regionInfo(0);
        assertEquals(List.of("READ", "WRITE", "MMAP", "CAPS"), ri.flagNames());
        assertInstanceOf(RegionCap.MsixMappable.class, ri.caps().getFirst());
        d.tryMmap(0, 0x4000, true);
        // reads of the table are all ones; of the PBA the device's
        assertEquals(0xffffffffL, d.pread(0x2000, 4).orElseThrow());
        assertTrue(d.pread(0x2000 + 32 * 16, 4).isEmpty());
        assertEquals(Verdict.DIRECT, Scanner.scan(h).devices().getFirst().regions().getFirst().verdict());
    }

    @ParameterizedTest
    @ValueSource(strings = {"6.15.0", "6.18.1"})
    void linux615DisablesMmapOnlyForNonMappableBarsDevices(String kernel) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL).arch("s390x")
                .fn("0000:00:03.0").ids(0x1014, 0x04ed).mem(0, base, 0x4000).done()
                .fn("0000:00:04.0").mem(0, base + 0x4000, 0x4000).done()
                .build(4096, kernel);
        var model = new VfioPciModel(h);
        assertInstanceOf(Decision.MmapDisabled.class, model.open(A).decision(0));
        assertTrue(model.open(B).regionInfo(0).mmappable());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.10.0", "6.14.0"})
    void upTo614S390HasNoMmapAtAll(String kernel) {
        Host h = TestHosts.window(0x4000_0000L, 0x4fff_ffffL).arch("s390x").fn("0000:00:03.0").mem(0, 0x4000_0000L, 0x4000).done().build(4096, kernel);
        assertInstanceOf(Decision.MmapDisabled.class, open(h, A).decision(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"6.1.0", "6.19.0"})
    void firstMmapAndFirstReadClaimTheBarUnderTheirNames(String kernel) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL)
                .fn("0000:00:03.0").mem(0, base, 0x1000).mem(1, base + 0x1100, 0x100).done()
                .build(4096, kernel);
        var model = new VfioPciModel(h);
        ModelVfioDevice d = model.open(A);
        d.tryMmap(0, 0x1000, true);
        d.pread((1L << 40), 4);
        String mmapName = kernel.startsWith("6.19") ? "vfio" : "vfio-pci";
        assertEquals(mmapName, model.tree().lookup(base).name());
        assertEquals("vfio", model.tree().lookup(base + 0x1100).name());
        d.close();
        assertFalse(Iomem.render(model.tree()).contains("vfio"));
    }

    @ParameterizedTest
    @ValueSource(longs = {4096, 65536})
    void romAndConfigRegions(long page) {
        long base = 0x4000_0000L;
        Host h = TestHosts.window(base, 0x4fff_ffffL).fn("0000:00:03.0").mem(0, base, 0x1000).rom(base + 0x10000, 0x800).done().build(page, K61);
        ModelVfioDevice d = open(h, A);
        assertEquals(List.of("READ"), d.regionInfo(6).flagNames());
        assertEquals(0x800, d.regionInfo(6).size());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(6L << 40, page, true)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.pwrite(6L << 40, 4, 0)).errno());
        assertEquals(List.of("READ", "WRITE"), d.regionInfo(7).flagNames());
        assertEquals(256, d.regionInfo(7).size());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.tryMmap(7L << 40, page, true)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.regionInfo(8)).errno(), "VGA on a non-VGA device");
        assertEquals(Errno.EINVAL, assertThrows(VfioException.class, () -> d.regionInfo(9)).errno());
    }
}
