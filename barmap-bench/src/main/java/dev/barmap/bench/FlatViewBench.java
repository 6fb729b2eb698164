package dev.barmap.bench;

import dev.barmap.model.memory.FlatRange;
import dev.barmap.model.memory.FlatView;
import dev.barmap.model.memory.MemoryRegion;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P3, QEMU memory API: time per operation with n subregions in one container, for barmap's
 * {@link MemoryRegion} / {@link FlatView} and for {@link NaiveMemoryApi}, a LINEAR-SCAN REFERENCE written
 * here (QEMU's subregion list and a flat-range array walked from the start). Layouts:
 * <ul>
 *   <li>{@code disjoint}: subregion i at {@code base + i * 8K}, 4K long, priority 0 (4K gaps);</li>
 *   <li>{@code overlap}: subregion i at {@code base + i * 8K}, 12K long (overlaps its next neighbour by 4K),
 *       priority {@code i % 4}, so the flat view is decided by priorities.</li>
 * </ul>
 * Operations, each leaving the state as it found it:
 * <ul>
 *   <li>{@code addRemove}: memory_region_add_subregion_overlap of a 4K region at a random position (priority
 *       random 0–3 in {@code overlap}, 0 in {@code disjoint}), then memory_region_del_subregion;</li>
 *   <li>{@code lookup}: the flat range serving a random address of the rendered flat view;</li>
 *   <li>{@code render} (barmap only): {@link FlatView#render} of the whole container — what every add/remove
 *       costs in QEMU when the transaction commits and the flat view is regenerated.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FlatViewBench {
    static final long BASE = 0x40_0000_0000L, STRIDE = 0x2000, SMALL = 0x1000;
    static final int PICKS = 1 << 14;

    @Param({"1000", "10000", "100000"})
    public int n;

    @Param({"disjoint", "overlap"})
    public String layout;

    MemoryRegion root;
    FlatView view;
    NaiveMemoryApi.Region slowRoot;
    FlatRange[] slowRanges;
    int[] picks;
    int[] prios;
    int next;

    @Setup(Level.Trial)
    public void build() {
        boolean overlap = layout.equals("overlap");
        long size = overlap ? 3 * SMALL : SMALL;
        root = MemoryRegion.container("pci", MemoryRegion.UNBOUNDED);
        slowRoot = new NaiveMemoryApi.Region();
        for (int i = 0; i < n; i++) {
            int prio = overlap ? i % 4 : 0;
            root.addSubregionOverlap(BASE + i * STRIDE, MemoryRegion.io("bar" + i, size), prio);
            slowRoot.addSubregionOverlap(new NaiveMemoryApi.Region(), prio);
        }
        view = FlatView.render(root);
        // the linear reference scans the same ranges barmap rendered (the answers are then comparable)
        slowRanges = view.ranges().toArray(FlatRange[]::new);
        if (view.size() < n) throw new IllegalStateException("flat view has " + view.size() + " ranges for " + n + " regions");
        var rnd = new Random(42);
        picks = new int[PICKS];
        prios = new int[PICKS];
        for (int i = 0; i < PICKS; i++) {
            picks[i] = rnd.nextInt(n);
            prios[i] = overlap ? rnd.nextInt(4) : 0;
        }
    }

    private int k() { return next++ & (PICKS - 1); }

    @Benchmark
    public Object addRemoveFast() {
        int k = k();
        var x = MemoryRegion.io("x", SMALL);
        root.addSubregionOverlap(BASE + picks[k] * STRIDE + SMALL, x, prios[k]);
        root.delSubregion(x);
        return x;
    }

    @Benchmark
    public Object addRemoveLinear() {
        int k = k();
        var x = new NaiveMemoryApi.Region();
        slowRoot.addSubregionOverlap(x, prios[k]);
        slowRoot.delSubregion(x);
        return x;
    }

    @Benchmark
    public Object lookupFast() {
        return view.lookup(BASE + picks[k()] * STRIDE + 0x10).orElseThrow();
    }

    @Benchmark
    public Object lookupLinear() {
        return NaiveMemoryApi.lookup(slowRanges, BASE + picks[k()] * STRIDE + 0x10);
    }

    @Benchmark
    public Object renderFast() {
        return FlatView.render(root);
    }
}
