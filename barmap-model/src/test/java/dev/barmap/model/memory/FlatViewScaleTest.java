package dev.barmap.model.memory;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 100k overlapping regions render to a flat view that covers every region's address. Only what the view
 * holds is asserted here; how long rendering takes is measured by {@code bench/p3-flat-view.sh} (P3 in
 * BENCHMARKS.md), never by a wall-clock bound in a unit test.
 */
class FlatViewScaleTest {
    @Test
    void hundredThousandOverlappingRegions() {
        int n = 100_000;
        var rnd = new Random(7);
        MemoryRegion root = MemoryRegion.container("root", MemoryRegion.UNBOUNDED);
        // a low-priority background, then many small regions, then a few huge ones on top of everything
        root.addSubregionOverlap(0, MemoryRegion.io("bg", 1L << 40), -1);
        for (int i = 0; i < n; i++) {
            long off = (long) rnd.nextInt(1 << 30) << 4;
            root.addSubregionOverlap(off, MemoryRegion.ramDevice("r" + i, 1 + rnd.nextInt(4096), new HostBacking(off, i)), rnd.nextInt(3));
        }
        for (int i = 0; i < 10; i++) root.addSubregionOverlap((long) i << 34, MemoryRegion.io("big" + i, 1L << 33), -1);
        FlatView fv = FlatView.render(root);
        assertTrue(fv.size() > n, "ranges " + fv.size());
        for (int i = 0; i < 1000; i++) assertTrue(fv.lookup((long) rnd.nextInt(1 << 30) << 4).isPresent());
    }
}
