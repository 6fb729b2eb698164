package dev.barmap.bench;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.NaiveResourceTree;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
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
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * P3, resource tree: time per operation with n sibling BARs under one bus window, for barmap's
 * {@link ResourceTree} (TreeMap siblings) and for {@link NaiveResourceTree} (kernel/resource.c's linked
 * sibling lists, walked linearly). Operations (BARs picked from a seeded permutation, so one batch never picks
 * a BAR twice):
 * <ul>
 *   <li>{@code request}: request_resource() of a free 4K range in the gap after BAR i;</li>
 *   <li>{@code insert}: insert_resource() of a range covering BAR i (it adopts the BAR);</li>
 *   <li>{@code region}: __request_region() of a busy 256-byte claim inside BAR i, from the root (descends
 *       root -> window -> BAR);</li>
 *   <li>{@code release}: release_resource() of BAR i;</li>
 *   <li>{@code regionSeq} (barmap only): {@code region} with the BARs in address order (cache-friendly);</li>
 *   <li>{@code lookup}: the deepest resource containing a random address.</li>
 * </ul>
 * The first four change the tree, so they run as batches of {@link Picks#BATCH} calls per measured sample (10 for
 * the linear reference, whose calls take up to a millisecond at n = 100k)
 * ({@link Mode#SingleShotTime}) and the tree is restored between samples, outside the measurement; lookup runs in
 * {@link Mode#AverageTime}. BAR i sits at {@code base + i * 8K}, 4K long, so every gap is 4K. The trees are
 * built in descending address order, so the kernel's list walk (which stops at the first sibling past the new
 * range) builds the linear tree in O(n) instead of O(n²).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@BenchmarkMode(Mode.SingleShotTime)
@Warmup(iterations = 40, batchSize = 200)
@Measurement(iterations = 30, batchSize = Picks.BATCH)
public class ResourceTreeBench {
    static final long BASE = 0x40_0000_0000L, STRIDE = 0x2000, BAR = 0x1000;

    @Param({"1000", "10000", "100000"})
    public int n;

    ResourceTree fast;
    Resource fastWindow;
    Resource[] fastBars;
    NaiveResourceTree slow;
    NaiveResourceTree.Node slowWindow;
    NaiveResourceTree.Node[] slowBars;
    Picks picks;
    long[] lookups;
    int next, seq;
    /** What the last sample did, undone before the next one. */
    final List<Resource> fastDone = new ArrayList<>();
    final List<NaiveResourceTree.Node> slowDone = new ArrayList<>();
    final List<Integer> released = new ArrayList<>();
    String op;

    @Setup(Level.Trial)
    public void build(BenchmarkParams params) {
        String m = params.getBenchmark();
        op = m.substring(m.lastIndexOf('.') + 1);
        long end = BASE + (long) n * STRIDE - 1;
        if (op.endsWith("Fast")) {
            fast = ResourceTree.iomem();
            fastWindow = new Resource(BASE, end, "PCI Bus 0000:40", IoResource.MEM);
            fast.request(fast.root(), fastWindow);
            fastBars = new Resource[n];
            for (int i = n - 1; i >= 0; i--) {
                long s = BASE + i * STRIDE;
                fastBars[i] = new Resource(s, s + BAR - 1, "bar" + i, IoResource.MEM);
                if (!fast.request(fastWindow, fastBars[i])) throw new IllegalStateException();
            }
        } else {
            slow = new NaiveResourceTree("PCI mem", 0, -1L);
            slowWindow = new NaiveResourceTree.Node(BASE, end, "PCI Bus 0000:40", IoResource.MEM);
            slow.requestConflict(slow.root(), slowWindow);
            slowBars = new NaiveResourceTree.Node[n];
            for (int i = n - 1; i >= 0; i--) {
                long s = BASE + i * STRIDE;
                slowBars[i] = new NaiveResourceTree.Node(s, s + BAR - 1, "bar" + i, IoResource.MEM);
                if (slow.requestConflict(slowWindow, slowBars[i]) != null) throw new IllegalStateException();
            }
        }
        var rnd = new Random(42);
        picks = new Picks(n, rnd);
        lookups = new long[1 << 14];
        for (int i = 0; i < lookups.length; i++) lookups[i] = BASE + rnd.nextInt(n) * STRIDE + 0x10;
    }

    /** Undoes the previous sample's changes (not measured). */
    @Setup(Level.Iteration)
    public void restore() {
        for (Resource r : fastDone) {
            fast.release(r);
            if (op.startsWith("insert")) { // the inserted range took its BAR along: put a fresh BAR back
                int i = (int) ((r.start() - BASE) / STRIDE);
                fastBars[i] = new Resource(r.start(), r.start() + BAR - 1, "bar" + i, IoResource.MEM);
                if (!fast.request(fastWindow, fastBars[i])) throw new IllegalStateException();
            }
        }
        for (NaiveResourceTree.Node r : slowDone) {
            slow.release(r);
            if (op.startsWith("insert")) {
                int i = (int) ((r.start - BASE) / STRIDE);
                slowBars[i] = new NaiveResourceTree.Node(r.start, r.start + BAR - 1, "bar" + i, IoResource.MEM);
                if (slow.requestConflict(slowWindow, slowBars[i]) != null) throw new IllegalStateException();
            }
        }
        for (int i : released) {
            if (fast != null && !fast.request(fastWindow, fastBars[i])) throw new IllegalStateException();
            if (slow != null && slow.requestConflict(slowWindow, slowBars[i]) != null) throw new IllegalStateException();
        }
        fastDone.clear();
        slowDone.clear();
        released.clear();
    }

    private int pick() { return picks.next(); }

    @Benchmark
    public Object requestFast() {
        long s = BASE + pick() * STRIDE + BAR;
        Resource r = new Resource(s, s + 0xfff, "x", IoResource.MEM | IoResource.BUSY);
        if (!fast.request(fastWindow, r)) throw new IllegalStateException();
        fastDone.add(r);
        return r;
    }

    @Benchmark
    @Warmup(iterations = 10, batchSize = 20)
    @Measurement(iterations = 30, batchSize = 10)
    public Object requestLinear() {
        long s = BASE + pick() * STRIDE + BAR;
        var r = new NaiveResourceTree.Node(s, s + 0xfff, "x", IoResource.MEM | IoResource.BUSY);
        if (slow.requestConflict(slowWindow, r) != null) throw new IllegalStateException();
        slowDone.add(r);
        return r;
    }

    @Benchmark
    public Object insertFast() {
        long s = BASE + pick() * STRIDE;
        Resource w = new Resource(s, s + STRIDE - 1, "w", IoResource.MEM);
        if (fast.insertConflict(fastWindow, w).isPresent()) throw new IllegalStateException();
        fastDone.add(w);
        return w;
    }

    @Benchmark
    @Warmup(iterations = 10, batchSize = 20)
    @Measurement(iterations = 30, batchSize = 10)
    public Object insertLinear() {
        long s = BASE + pick() * STRIDE;
        var w = new NaiveResourceTree.Node(s, s + STRIDE - 1, "w", IoResource.MEM);
        if (slow.insertConflict(slowWindow, w) != null) throw new IllegalStateException();
        slowDone.add(w);
        return w;
    }

    @Benchmark
    public Object regionFast() {
        long s = BASE + pick() * STRIDE;
        Resource r = fast.requestRegion(fast.root(), s, 0x100, "vfio-pci", 0).orElseThrow();
        fastDone.add(r);
        return r;
    }

    /**
     * {@code region} with BARs taken in address order instead of at random: the same work, but consecutive calls
     * walk neighbouring tree nodes, so the path down the 100k-node tree stays in the CPU caches. The ratio of
     * {@code region} to this at 100k is the cost of cache misses, not of the algorithm.
     */
    @Benchmark
    public Object regionSeqFast() {
        long s = BASE + seq * STRIDE;
        seq = seq + 1 == n ? 0 : seq + 1;
        Resource r = fast.requestRegion(fast.root(), s, 0x100, "vfio-pci", 0).orElseThrow();
        fastDone.add(r);
        return r;
    }

    @Benchmark
    @Warmup(iterations = 10, batchSize = 20)
    @Measurement(iterations = 30, batchSize = 10)
    public Object regionLinear() {
        long s = BASE + pick() * STRIDE;
        var r = slow.requestRegion(slow.root(), s, 0x100, "vfio-pci", 0);
        if (r == null) throw new IllegalStateException();
        slowDone.add(r);
        return r;
    }

    @Benchmark
    public Object releaseFast() {
        int i = pick();
        fast.release(fastBars[i]);
        released.add(i);
        return fastBars[i];
    }

    @Benchmark
    @Warmup(iterations = 10, batchSize = 20)
    @Measurement(iterations = 30, batchSize = 10)
    public Object releaseLinear() {
        int i = pick();
        slow.release(slowBars[i]);
        released.add(i);
        return slowBars[i];
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    @Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    public Object lookupFast() {
        return fast.lookup(lookups[next++ & (lookups.length - 1)]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    @Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS, batchSize = 1)
    public Object lookupLinear() {
        return slow.lookup(lookups[next++ & (lookups.length - 1)]);
    }
}
