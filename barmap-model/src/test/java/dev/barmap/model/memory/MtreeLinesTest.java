package dev.barmap.model.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryRegion#mtreeLines()} as system/memory.c mtree_print_mr prints (QEMU 5.1+, "hmp: Only print disabled
 * regions with -D"): a disabled region's own line only with {@code -D}, its subregions in any case, one level deeper.
 */
class MtreeLinesTest {
    @Test
    void disabledRegionsOnlyWithDashD() {
        var pci = MemoryRegion.container("pci", MemoryRegion.UNBOUNDED);
        var base = MemoryRegion.io("dev base BAR 0", 0x4000);
        var pba = MemoryRegion.io("msix-pba", 0x10);
        var off = MemoryRegion.container("off", 0x1000);
        off.addSubregion(0, MemoryRegion.io("inner", 0x10));
        base.addSubregion(0x3000, pba);
        base.addSubregion(0x2000, off);
        pci.addSubregionOverlap(0xc0000000L, base, 1);
        pba.setEnabled(false);
        off.setEnabled(false);
        assertEquals(List.of(
                "  0000000000000000-ffffffffffffffff (prio 0, i/o): pci",
                "    00000000c0000000-00000000c0003fff (prio 1, i/o): dev base BAR 0",
                "        00000000c0002000-00000000c000200f (prio 0, i/o): inner"), pci.mtreeLines());
        assertEquals(List.of(
                "  0000000000000000-ffffffffffffffff (prio 0, i/o): pci",
                "    00000000c0000000-00000000c0003fff (prio 1, i/o): dev base BAR 0",
                "      00000000c0002000-00000000c0002fff (prio 0, i/o): off [disabled]",
                "        00000000c0002000-00000000c000200f (prio 0, i/o): inner",
                "      00000000c0003000-00000000c000300f (prio 0, i/o): msix-pba [disabled]"), pci.mtreeLines(true));
    }
}
