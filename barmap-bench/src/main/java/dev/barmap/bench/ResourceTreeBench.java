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

/**
 * P3, resource tree: time per operation with n sibling BARs under one bus window, for barmap's
 * {@link ResourceTree} (TreeMap siblings) and for {@link NaiveResourceTree} (kernel/resource.c's linked
 * sibling lists, walked linearly). Operations, each leaving the tree as it found it:
 * <ul>
 *   <li>{@code request}: request_resource() of a free range in a random gap, then release_resource();</li>
 *   <li>{@code insert}: insert_resource() of a range covering one random BAR, then release of it and
 *       re-request of the BAR (the kernel has no un-insert; this is what remove_resource() does);</li>
 *   <li>{@code region}: __request_region() of a busy claim inside a random BAR (descends window -> BAR), then release;</li>
 *   <li>{@code lookup}: the deepest resource containing a random address.</li>
 * </ul>
 * Sibling i sits at {@code base + i * 8K}, 4K long, so every gap is 4K.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ResourceTreeBench {
    static final long BASE = 0x40_0000_0000L, STRIDE = 0x2000, BAR = 0x1000;
    static final int PICKS = 1 << 14;

    @Param({"1000", "10000", "100000"})
    public int n;

    ResourceTree fast;
    Resource fastWindow;
    Resource[] fastBars;
    NaiveResourceTree slow;
    NaiveResourceTree.Node slowWindow;
    NaiveResourceTree.Node[] slowBars;
    int[] picks;
    int next;

    @Setup(Level.Trial)
    public void build() {
        fast = ResourceTree.iomem();
        slow = new NaiveResourceTree("PCI mem", 0, -1L);
        long end = BASE + (long) n * STRIDE - 1;
        fastWindow = new Resource(BASE, end, "PCI Bus 0000:40", IoResource.MEM);
        slowWindow = new NaiveResourceTree.Node(BASE, end, "PCI Bus 0000:40", IoResource.MEM);
        fast.request(fast.root(), fastWindow);
        slow.requestConflict(slow.root(), slowWindow);
        fastBars = new Resource[n];
        slowBars = new NaiveResourceTree.Node[n];
        for (int i = 0; i < n; i++) {
            long s = BASE + i * STRIDE;
            fastBars[i] = new Resource(s, s + BAR - 1, "bar" + i, IoResource.MEM);
            slowBars[i] = new NaiveResourceTree.Node(s, s + BAR - 1, "bar" + i, IoResource.MEM);
            if (!fast.request(fastWindow, fastBars[i]) || slow.requestConflict(slowWindow, slowBars[i]) != null) throw new IllegalStateException();
        }
        var rnd = new Random(42);
        picks = new int[PICKS];
        for (int i = 0; i < PICKS; i++) picks[i] = rnd.nextInt(n);
    }

    private int pick() { return picks[next++ & (PICKS - 1)]; }

    @Benchmark
    public Object requestFast() {
        long s = BASE + pick() * STRIDE + BAR;
        Resource r = new Resource(s, s + 0xfff, "x", IoResource.MEM | IoResource.BUSY);
        if (!fast.request(fastWindow, r)) throw new IllegalStateException();
        fast.release(r);
        return r;
    }

    @Benchmark
    public Object requestLinear() {
        long s = BASE + pick() * STRIDE + BAR;
        var r = new NaiveResourceTree.Node(s, s + 0xfff, "x", IoResource.MEM | IoResource.BUSY);
        if (slow.requestConflict(slowWindow, r) != null) throw new IllegalStateException();
        slow.release(r);
        return r;
    }

    @Benchmark
    public Object insertFast() {
        int i = pick();
        long s = BASE + i * STRIDE;
        Resource w = new Resource(s, s + STRIDE - 1, "w", IoResource.MEM);
        if (fast.insertConflict(fastWindow, w).isPresent()) throw new IllegalStateException();
        fast.release(w);
        fast.request(fastWindow, fastBars[i] = new Resource(s, s + BAR - 1, "bar" + i, IoResource.MEM));
        return w;
    }

    @Benchmark
    public Object insertLinear() {
        int i = pick();
        long s = BASE + i * STRIDE;
        var w = new NaiveResourceTree.Node(s, s + STRIDE - 1, "w", IoResource.MEM);
        if (slow.insertConflict(slowWindow, w) != null) throw new IllegalStateException();
        slow.release(w);
        slow.requestConflict(slowWindow, slowBars[i] = new NaiveResourceTree.Node(s, s + BAR - 1, "bar" + i, IoResource.MEM));
        return w;
    }

    @Benchmark
    public Object regionFast() {
        long s = BASE + pick() * STRIDE;
        Resource r = fast.requestRegion(fast.root(), s, 0x100, "vfio-pci", 0).orElseThrow();
        fast.release(r);
        return r;
    }

    @Benchmark
    public Object regionLinear() {
        long s = BASE + pick() * STRIDE;
        var r = slow.requestRegion(slow.root(), s, 0x100, "vfio-pci", 0);
        slow.release(r);
        return r;
    }

    @Benchmark
    public Object lookupFast() {
        return fast.lookup(BASE + pick() * STRIDE + 0x10);
    }

    @Benchmark
    public Object lookupLinear() {
        return slow.lookup(BASE + pick() * STRIDE + 0x10);
    }
}
