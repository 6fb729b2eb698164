package dev.barmap.bench;

import dev.barmap.model.memory.FlatView;
import dev.barmap.model.memory.HostBacking;
import dev.barmap.model.memory.IncrementalFlatView;
import dev.barmap.model.memory.KvmSlot;
import dev.barmap.model.memory.KvmSlots;
import dev.barmap.model.memory.MemoryRegion;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.openjdk.jmh.results.RunResult;

/**
 * Replay of a BAR-sizing storm in a QEMU-like machine: for every BAR of {@link #DEVICES} passed-through devices,
 * in turn, the guest writes all ones to the BAR (sizing), restores it, then moves it (reassignment). QEMU's
 * hw/pci/pci.c pci_update_mappings turns that into memory_region_del_subregion (all ones: the BAR becomes
 * PCI_BAR_UNMAPPED), memory_region_add_subregion_overlap(address_space, addr, bar, 1) (restored), and del + add at
 * the new address (moved): four memory-API calls per BAR, and pci_update_mappings opens no transaction of its own,
 * so each call commits one.
 *
 * <p>The machine (q35-like): {@code system} holds {@code ram-below-4g}, an alias of the 2 GiB {@code pc.ram} block
 * (pc_memory_init), and the PCI memory space at priority -1 (pc_pci_as_mapping_init). Each device has three
 * 64-bit memory BARs of 64K, 16K and 4K as vfio makes them: a trapped I/O region (the "BAR" region) with the
 * mmap of the device's BAR as a RAM-device subregion (hw/vfio vfio_region_mmap). One benchmark call is the whole
 * sizing of one BAR (4 calls, 4 view updates); successive calls walk all 3,000 BARs, each moving between two
 * windows, so the storm's time is the per-BAR time × 3,000.
 * <ul>
 *   <li>{@code incremental}: an {@link IncrementalFlatView} (4 KiB host pages) follows every call;</li>
 *   <li>{@code rebuild}: after every call the flat view is rendered again ({@link FlatView#render},
 *       generate_memory_topology) and its KVM slot list recomputed ({@link KvmSlots#of}).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReplayBench {
    static final int DEVICES = 1000;
    static final long[] BAR_SIZES = {0x10000, 0x4000, 0x1000};
    static final long WINDOW_A = 0x40_0000_0000L, WINDOW_B = 0x80_0000_0000L, DEVICE_STRIDE = 0x40000, PAGE = 0x1000;

    @Param({"incremental", "rebuild"})
    public String impl;

    MemoryRegion system, pci;
    MemoryRegion[] bars;
    long[] homeA;
    boolean[] inB;
    IncrementalFlatView view;
    int next;
    /** Keeps the rebuilt view and slots alive (consumed). */
    Object sink;

    @Setup(Level.Trial)
    public void build() {
        system = MemoryRegion.container("system", MemoryRegion.UNBOUNDED);
        MemoryRegion pcRam = MemoryRegion.ram("pc.ram", 0x8000_0000L);
        system.addSubregion(0, MemoryRegion.alias("ram-below-4g", pcRam, 0, 0x8000_0000L));
        pci = MemoryRegion.container("pci", MemoryRegion.UNBOUNDED);
        system.addSubregionOverlap(0, pci, -1);
        bars = new MemoryRegion[DEVICES * BAR_SIZES.length];
        homeA = new long[bars.length];
        inB = new boolean[bars.length];
        for (int d = 0; d < DEVICES; d++) {
            long off = 0;
            for (int b = 0; b < BAR_SIZES.length; b++) {
                int i = d * BAR_SIZES.length + b;
                long size = BAR_SIZES[b];
                MemoryRegion bar = MemoryRegion.io("0000:" + d + " BAR " + 2 * b, size);
                bar.addSubregion(0, MemoryRegion.ramDevice("0000:" + d + " BAR " + 2 * b + " mmaps[0]", size,
                        new HostBacking(0x1_0000_0000L + i * 0x10000L, "vfio-" + d)));
                homeA[i] = WINDOW_A + d * DEVICE_STRIDE + off;
                off += size;
                pci.addSubregionOverlap(homeA[i], bar, 1);
                bars[i] = bar;
            }
        }
        if (impl.equals("incremental")) view = IncrementalFlatView.of(system, PAGE);
    }

    /** The incremental view must equal a full render at the end, or the numbers mean nothing. */
    @TearDown(Level.Trial)
    public void check() {
        if (view == null) return;
        FlatView full = FlatView.render(system);
        if (!full.ranges().equals(view.ranges()) || !KvmSlots.of(full, PAGE).equals(view.kvmSlots())) {
            throw new IllegalStateException("incremental flat view differs from the full render");
        }
        view.close();
    }

    private void commit() {
        if (view == null) {
            FlatView v = FlatView.render(system);
            List<KvmSlot> slots = KvmSlots.of(v, PAGE);
            sink = slots;
        }
    }

    /** One BAR's sizing: all ones (del), restore (add), move (del + add elsewhere); one view update per call. */
    @Benchmark
    public Object sizeOneBar() {
        int i = next;
        next = next + 1 == bars.length ? 0 : next + 1;
        MemoryRegion bar = bars[i];
        long at = bar.addr();
        pci.delSubregion(bar);
        commit();
        pci.addSubregionOverlap(at, bar, 1);
        commit();
        pci.delSubregion(bar);
        commit();
        long to = inB[i] ? homeA[i] : homeA[i] - WINDOW_A + WINDOW_B;
        inB[i] = !inB[i];
        pci.addSubregionOverlap(to, bar, 1);
        commit();
        return sink;
    }

    /** Prints the replay table from a JMH run of this class. */
    static void report(List<RunResult> results) {
        Map<String, BenchMain.Cell> byImpl = new TreeMap<>();
        int forks = 0;
        for (RunResult r : results) {
            byImpl.put(r.getParams().getParam("impl"), BenchMain.cell(r));
            forks = r.getParams().getForks();
        }
        int barsTotal = DEVICES * BAR_SIZES.length;
        System.out.println();
        System.out.println("Replay: BAR-sizing storm" + (BenchMain.SMOKE ? " SMOKE RUN, NOT A MEASUREMENT" : "") + ", " + DEVICES + " devices × " + BAR_SIZES.length + " BARs (" + forks
                + " forks; m = median [IQR], the 99.9% error being ≥ 20% of the mean)");
        System.out.println("| view update | per BAR (4 calls) ns | storm of " + String.format("%,d", barsTotal) + " BARs | rebuild / incremental |");
        System.out.println("|---|---:|---:|---:|");
        BenchMain.Cell inc = byImpl.get("incremental"), reb = byImpl.get("rebuild");
        for (var e : byImpl.entrySet()) {
            double storm = e.getValue().value() * barsTotal;
            String ratio = e.getKey().equals("rebuild") && inc != null ? BenchMain.ratio(reb.value() / inc.value()) : "";
            System.out.println("| " + e.getKey() + " | " + e.getValue() + " | " + String.format(storm >= 1e9 ? "%.1f s" : "%.1f ms", storm >= 1e9 ? storm / 1e9 : storm / 1e6)
                    + " | " + ratio + " |");
        }
    }
}
