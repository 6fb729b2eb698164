package dev.barmap.bench;

import dev.barmap.model.memory.FlatView;
import dev.barmap.model.memory.HostBacking;
import dev.barmap.model.memory.IncrementalFlatView;
import dev.barmap.model.memory.KvmSlots;
import dev.barmap.model.memory.MemoryRegion;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P3, QEMU memory API with an {@link IncrementalFlatView} attached: time per operation with n subregions in one
 * container, the flat view and its KVM slot list kept current after every change. Layouts:
 * <ul>
 *   <li>{@code disjoint}: RAM-device subregion i at {@code base + i * 8K}, 4K long, priority 0 (4K gaps);</li>
 *   <li>{@code overlap}: subregion i at {@code base + i * 8K}, 12K long (overlaps its next neighbour by 4K),
 *       priority {@code i % 4}, so the flat view is decided by priorities.</li>
 * </ul>
 * Operations (regions picked from a seeded permutation, so one batch never picks a region twice):
 * <ul>
 *   <li>{@code add}: memory_region_add_subregion_overlap of a new 4K RAM-device region into the gap after region i
 *       (priority random 0–3 in {@code overlap}) and the view update;</li>
 *   <li>{@code remove}: memory_region_del_subregion of region i and the view update;</li>
 *   <li>{@code move}: memory_region_set_address of region i by +4K and the view update;</li>
 *   <li>{@code lookup}: the flat range serving a random address (a {@code TreeMap} floor lookup);</li>
 *   <li>{@code render}: {@link FlatView#render} of the whole container, generate_memory_topology — what QEMU
 *       redoes on every transaction commit and what the incremental view avoids.</li>
 * </ul>
 * add/remove/move change the state, so they run as batches of {@link Picks#BATCH} calls per measured sample
 * ({@link Mode#SingleShotTime}); the state is restored between samples, outside the measurement. lookup and render
 * leave the state as they found it and run in {@link Mode#AverageTime}.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@BenchmarkMode(Mode.SingleShotTime)
@Warmup(iterations = 40, batchSize = 200)
@Measurement(iterations = 30, batchSize = Picks.BATCH)
public class FlatViewBench {
    static final long BASE = 0x40_0000_0000L, STRIDE = 0x2000, SMALL = 0x1000, PAGE = 0x1000;

    @Param({"1000", "10000", "100000"})
    public int n;

    @Param({"disjoint", "overlap"})
    public String layout;

    MemoryRegion root;
    MemoryRegion[] regions;
    IncrementalFlatView view;
    Picks picks;
    int[] prios;
    long[] lookups;
    int next;
    /** What the last sample did, undone before the next one. */
    final List<MemoryRegion> added = new ArrayList<>();
    final List<MemoryRegion> removed = new ArrayList<>();
    final List<MemoryRegion> moved = new ArrayList<>();

    @Setup(Level.Trial)
    public void build() {
        boolean overlap = layout.equals("overlap");
        long size = overlap ? 3 * SMALL : SMALL;
        root = MemoryRegion.container("pci", MemoryRegion.UNBOUNDED);
        regions = new MemoryRegion[n];
        for (int i = 0; i < n; i++) {
            regions[i] = MemoryRegion.ramDevice("bar" + i, size, new HostBacking(BASE + i * STRIDE, "bar" + i));
            root.addSubregionOverlap(BASE + i * STRIDE, regions[i], overlap ? i % 4 : 0);
        }
        view = IncrementalFlatView.of(root, PAGE);
        if (view.size() < n) throw new IllegalStateException("flat view has " + view.size() + " ranges for " + n + " regions");
        var rnd = new Random(42);
        picks = new Picks(n, rnd);
        prios = new int[n];
        for (int i = 0; i < n; i++) prios[i] = overlap ? rnd.nextInt(4) : 0;
        lookups = new long[1 << 14];
        for (int i = 0; i < lookups.length; i++) lookups[i] = BASE + rnd.nextInt(n) * STRIDE + 0x10;
    }

    /** Undoes the previous sample's changes (not measured). */
    @Setup(Level.Iteration)
    public void restore() {
        for (MemoryRegion r : added) root.delSubregion(r);
        for (MemoryRegion r : removed) root.addSubregionOverlap(r.addr(), r, r.priority());
        for (MemoryRegion r : moved) r.setAddress(r.addr() - SMALL);
        added.clear();
        removed.clear();
        moved.clear();
    }

    /** The incremental view must still equal a full render, or the numbers mean nothing. */
    @TearDown(Level.Trial)
    public void check() {
        restore();
        FlatView full = FlatView.render(root);
        if (!full.ranges().equals(view.ranges()) || !KvmSlots.of(full, PAGE).equals(view.kvmSlots())) {
            throw new IllegalStateException("incremental flat view differs from the full render");
        }
        view.close();
    }

    private int pick() { return picks.next(); }

    @Benchmark
    public Object addFast() {
        int i = pick();
        var x = MemoryRegion.ramDevice("x", SMALL, new HostBacking(0, "x"));
        root.addSubregionOverlap(BASE + i * STRIDE + SMALL, x, prios[i]);
        added.add(x);
        return x;
    }

    @Benchmark
    public Object removeFast() {
        MemoryRegion r = regions[pick()];
        root.delSubregion(r);
        removed.add(r);
        return r;
    }

    @Benchmark
    public Object moveFast() {
        MemoryRegion r = regions[pick()];
        r.setAddress(r.addr() + SMALL);
        moved.add(r);
        return r;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    @Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    public Object lookupFast() {
        return view.lookup(lookups[next++ & (lookups.length - 1)]).orElseThrow();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    @Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    public Object renderFast() {
        return FlatView.render(root);
    }
}
