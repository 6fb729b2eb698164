package dev.barmap.bench;

import dev.barmap.vfio.MappedRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P4's host baseline (issue 17): the binding's mapped-read path over ordinary memory, outside any guest, in the
 * loop shape of the in-guest benchmark (GuestMain's {@code readLoop}: {@value #READS} reads of offset 0 summed).
 * Compare with {@code bench-c plain} (oracle/guest/bench.c, the same loop in C, gcc -O2) on the same host.
 * <ul>
 *   <li>{@code read32}: {@link MappedRegion#read32} as a driver calls it (region check, then the segment's
 *       bounds, alignment and confined-scope checks and one volatile load);</li>
 *   <li>{@code segmentVolatile}: the same volatile VarHandle load on the same segment without the region's
 *       own check (what FFM alone costs);</li>
 *   <li>{@code globalSegmentVolatile}: the same load on a segment of the same memory with the global scope
 *       (no owner-thread check, no liveness state that can change);</li>
 *   <li>{@code volatileField}: a volatile {@code int} field: one load per read, the closest Java has to C's
 *       {@code volatile uint32_t *} loop.</li>
 * </ul>
 * {@code java -jar barmap-bench/target/benchmarks.jar MappedReadBench} (add {@code -prof gc} for allocation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MappedReadBench {
    static final int READS = 1_000_000;
    private static final VarHandle VI = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private Arena arena;
    private MemorySegment segment;
    private MemorySegment global;
    private MappedRegion region;
    volatile int field = 1;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofConfined();
        // as the BAR mapping: the first 16 bytes of a page, from a confined arena
        segment = arena.allocate(4096, 4096).asSlice(0, 16);
        segment.set(ValueLayout.JAVA_INT, 0, 1);
        global = MemorySegment.ofAddress(segment.address()).reinterpret(16);
        region = MappedRegion.overMemory(segment);
    }

    @TearDown(Level.Trial)
    public void tearDown() { arena.close(); }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int read32() {
        int sink = 0;
        for (int i = 0; i < READS; i++) sink += region.read32(0);
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int segmentVolatile() {
        int sink = 0;
        for (int i = 0; i < READS; i++) sink += (int) VI.getVolatile(segment, 0L);
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int globalSegmentVolatile() {
        int sink = 0;
        for (int i = 0; i < READS; i++) sink += (int) VI.getVolatile(global, 0L);
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public int volatileField() {
        int sink = 0;
        for (int i = 0; i < READS; i++) sink += field;
        return sink;
    }
}
