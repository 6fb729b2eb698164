package dev.barmap.vfio.guest;

import dev.barmap.vfio.FfmVfioDevice;
import dev.barmap.vfio.LibC;
import dev.barmap.vfio.MappedRegion;
import dev.barmap.vfio.NativePlatform;
import dev.barmap.vfio.RegionAccess;
import dev.barmap.vfio.TrappedRegion;
import dev.barmap.vfio.Vfio;
import dev.barmap.model.vfio.RegionInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks and measurements that need the real vfio-pci, run inside the oracle guest; each writes
 * {@code key=value} lines that the host-side OracleIT asserts on (the guest only records facts).
 *
 * <pre>
 *   GuestMain selftest OUT.properties [CYCLES]
 *   GuestMain bench OUT.properties BDF BAR [READS]
 *   GuestMain bench-plain OUT.properties [READS]   (the same mapped-read loop over ordinary memory)
 *   GuestMain pread-loop OUT.properties PATH [CALLS]  (LibC.pread of 4 bytes of PATH, e.g. /dev/zero: the
 *                                                   trapped path's downcall without a device; the crash hunt)
 *   GuestMain driver OUT.properties [CYCLES]     (QEMU's edu: the driver, then CYCLES open/map/DMA/IRQ/close cycles)
 * </pre>
 */
public final class GuestMain {
    private GuestMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GuestMain selftest OUT [CYCLES] | bench OUT BDF BAR [READS] | bench-plain OUT [READS] | driver OUT [CYCLES]");
            System.exit(2);
        }
        Map<String, String> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "selftest" -> selftest(out, args.length > 2 ? Integer.parseInt(args[2]) : 1000);
            case "driver" -> DriverCheck.run(out, args.length > 2 ? Integer.parseInt(args[2]) : 10_000);
            case "bench" -> bench(out, args[2], Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 2_000_000);
            case "bench-plain" -> benchPlain(out, args.length > 2 ? Integer.parseInt(args[2]) : 2_000_000);
            case "pread-loop" -> preadLoop(out, args[2], args.length > 3 ? Integer.parseInt(args[3]) : 2_000_000);
            default -> {
                System.err.println("unknown mode " + args[0]);
                System.exit(2);
            }
        }
        out.put("elapsedMs", Long.toString((System.nanoTime() - t0) / 1_000_000));
        var sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(Path.of(args[1]), sb);
        System.out.print(sb);
    }

    /** Functions bound to vfio-pci, in BDF order (bridges are never bound). */
    static List<String> vfioFunctions() throws IOException {
        var out = new ArrayList<String>();
        try (Stream<Path> s = Files.list(Path.of("/sys/bus/pci/devices"))) {
            for (Path d : s.sorted().toList()) {
                Path drv = d.resolve("driver");
                if (Files.isSymbolicLink(drv) && Files.readSymbolicLink(drv).getFileName().toString().equals("vfio-pci")) {
                    out.add(d.getFileName().toString());
                }
            }
        }
        return out;
    }

    /** Open fds of this process that are eventfds ({@code anon_inode:[eventfd]}). */
    static long eventfdCount() throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().contains("eventfd")) n++;
                } catch (IOException e) {
                    // the fd of the listing itself is gone by now
                }
            }
        }
        return n;
    }

    /** VmLck of /proc/self/status in kB: pages pinned for DMA are accounted there (vfio_lock_acct(), type1). */
    static long lockedKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmLck:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    static long fdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Mappings of VFIO device fds in this process ({@code anon_inode:[vfio-device]}). */
    static long vfioMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("vfio")).count();
    }

    static long reservedInIomem() throws IOException {
        return Files.readAllLines(Path.of("/proc/iomem")).stream().filter(l -> l.contains("vfio sub-page reserved")).count();
    }

    static void selftest(Map<String, String> out, int cycles) throws IOException {
        long page = NativePlatform.pageSize();
        out.put("pageSize", Long.toString(page));
        List<String> devs = vfioFunctions();
        out.put("functions", String.join(",", devs));
        String cycleDev = null;
        int cycleBar = -1;
        long cycleCost = Long.MAX_VALUE;
        int subPage = 0;
        var candidates = new ArrayList<String>();
        try (Arena arena = Arena.ofConfined()) {
            Vfio vfio = Vfio.open(arena);
            for (String bdf : devs) {
                FfmVfioDevice d = vfio.device(bdf);
                for (int bar = 0; bar <= 5; bar++) {
                    RegionInfo ri = d.regionInfo(bar);
                    if (ri.size() == 0 || ri.size() >= page || !ri.mmappable()) continue;
                    subPage++;
                    String k = "subpage." + bdf + ".BAR" + bar + ".";
                    MappedRegion m = d.map(ri, arena);
                    out.put(k + "size", Long.toString(ri.size()));
                    out.put(k + "byteSize", Long.toString(m.segment().byteSize()));
                    out.put(k + "pastEndRefused", Boolean.toString(refused(() -> m.segment().get(ValueLayout.JAVA_BYTE, ri.size()))));
                    out.put(k + "accessorPastEndRefused", Boolean.toString(refused(() -> m.read32(ri.size()))));
                    out.put(k + "lastDwordReadable", Boolean.toString(!refused(() -> m.read32(ri.size() - 4))));
                    TrappedRegion t = d.trapped(bar);
                    out.put(k + "mappedDword0", Integer.toHexString(m.read32(0)));
                    out.put(k + "preadDword0", Integer.toHexString(t.read32(0)));
                    candidates.add(bdf + ":" + bar);
                }
            }
        }
        out.put("subpageBars", Integer.toString(subPage));
        // the cycles use the sub-page BAR whose device opens and closes fastest (vfio_pci_core_enable and
        // _disable try a reset, whose cost depends on the device: PM reset sleeps, pci_pm_reset())
        for (String c : candidates) {
            String bdf = c.substring(0, c.lastIndexOf(':'));
            int bar = Integer.parseInt(c.substring(c.lastIndexOf(':') + 1));
            long t = System.nanoTime();
            for (int i = 0; i < 3; i++) cycle(bdf, bar);
            long cost = (System.nanoTime() - t) / 3;
            out.put("cycleCostUs." + bdf + ".BAR" + bar, Long.toString(cost / 1000));
            if (cost < cycleCost) {
                cycleCost = cost;
                cycleDev = bdf;
                cycleBar = bar;
            }
        }
        if (cycleDev == null) {
            out.put("cycles", "0");
            return;
        }
        // open/close cycles: group, container, device fd and a mapping, all released by the arena
        out.put("cycleDevice", cycleDev + " BAR" + cycleBar);
        out.put("fdsBefore", Long.toString(fdCount()));
        out.put("vfioMappingsBefore", Long.toString(vfioMappings()));
        out.put("reservedBefore", Long.toString(reservedInIomem()));
        long reservedWhileOpen = -1;
        long mappingsWhileOpen = -1;
        long t0 = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            try (Arena a = Arena.ofConfined()) {
                FfmVfioDevice d = Vfio.open(a).device(cycleDev);
                RegionAccess r = d.region(cycleBar, a);
                r.read32(0);
                if (i == 0) {
                    reservedWhileOpen = reservedInIomem();
                    mappingsWhileOpen = vfioMappings();
                }
            }
        }
        // the cycle device's BAR really was mapped (not trapped) in the cycles
        try (Arena a = Arena.ofConfined()) {
            out.put("cycleRegionDirect", Boolean.toString(Vfio.open(a).device(cycleDev).region(cycleBar, a).direct()));
        }
        out.put("cycles", Integer.toString(cycles));
        out.put("cycleMs", Long.toString((System.nanoTime() - t0) / 1_000_000));
        out.put("reservedWhileOpen", Long.toString(reservedWhileOpen));
        out.put("vfioMappingsWhileOpen", Long.toString(mappingsWhileOpen));
        out.put("fdsAfter", Long.toString(fdCount()));
        out.put("vfioMappingsAfter", Long.toString(vfioMappings()));
        out.put("reservedAfter", Long.toString(reservedInIomem()));
    }

    /** One open/map/read/close cycle: group, container, device fd and mapping, all released by the arena. */
    static void cycle(String bdf, int bar) {
        try (Arena a = Arena.ofConfined()) {
            Vfio.open(a).device(bdf).region(bar, a).read32(0);
        }
    }

    private static boolean refused(Runnable r) {
        try {
            r.run();
            return false;
        } catch (IndexOutOfBoundsException e) {
            return true;
        }
    }

    /** 4-byte reads of {@code bdf}'s BAR at offset 0: through the mapping, then through pread. */
    static void bench(Map<String, String> out, String bdf, int bar, int reads) {
        try (Arena arena = Arena.ofConfined()) {
            FfmVfioDevice d = Vfio.open(arena).device(bdf);
            RegionInfo ri = d.regionInfo(bar);
            MappedRegion m = d.map(ri, arena);
            TrappedRegion t = d.trapped(bar);
            int preads = (int) Math.min(20_000, Math.max(1000, reads / 10)); // as bench.c
            out.put("device", bdf + " BAR" + bar + " size " + ri.size());
            out.put("mmapReads", Integer.toString(reads));
            out.put("preadReads", Integer.toString(preads));
            double[] mm = new double[ROUNDS];
            double[] pr = new double[ROUNDS];
            int sink = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long a = System.nanoTime();
                sink += readLoop(m, reads);
                long b = System.nanoTime();
                for (int i = 0; i < preads; i++) sink += t.read32(0);
                long c = System.nanoTime();
                mm[round] = (double) (b - a) / reads;
                pr[round] = (double) (c - b) / preads;
            }
            out.put("rounds", ROUNDS + " (median of the last " + (ROUNDS - WARMUP) + ")");
            out.put("java.mmap.ns", String.format("%.1f", median(Arrays.copyOfRange(mm, WARMUP, ROUNDS))));
            out.put("java.pread.ns", String.format("%.1f", median(Arrays.copyOfRange(pr, WARMUP, ROUNDS))));
            out.put("java.mmap.rounds.ns", rounds(mm));
            out.put("java.pread.rounds.ns", rounds(pr));
            out.put("sink", Integer.toHexString(sink));
        }
    }

    /**
     * Rounds of the benchmark loops, and how many of them are warm-up: the JIT needs a few million reads
     * before the loop runs C2 code (host, -XX:+PrintCompilation: with 2 warm-up rounds of 200,000 reads the
     * measured rounds still ran C1 code, 72 ns per plain-memory read instead of ~2.6), longer under TCG.
     * bench.c uses the same numbers.
     */
    static final int ROUNDS = 12, WARMUP = 7;

    /** Every round's ns per read, for the record (whether the warm-up reached steady state). */
    static String rounds(double[] v) {
        var sb = new StringBuilder();
        for (double d : v) sb.append(sb.isEmpty() ? "" : " ").append(String.format("%.2f", d));
        return sb.toString();
    }

    /** The mapped-read loop of {@code bench} and {@code bench-plain}: one method, so both run the same compiled code. */
    static int readLoop(MappedRegion m, int reads) {
        int sink = 0;
        for (int i = 0; i < reads; i++) sink += m.read32(0);
        return sink;
    }

    /**
     * {@code bench}'s mapped-read loop, rounds and median over a 16-byte region of ordinary memory (the
     * start of a page from a confined arena, as the BAR mapping is): what the same Java code costs
     * against the same C loop ({@code bench-c plain}) where no device is involved, in or outside the guest.
     */
    static void benchPlain(Map<String, String> out, int reads) {
        try (Arena arena = Arena.ofConfined()) {
            long page = NativePlatform.pageSize();
            MappedRegion m = MappedRegion.overMemory(arena.allocate(page, page).asSlice(0, 16));
            out.put("plainReads", Integer.toString(reads));
            double[] mm = new double[ROUNDS];
            int sink = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long a = System.nanoTime();
                sink += readLoop(m, reads);
                long b = System.nanoTime();
                mm[round] = (double) (b - a) / reads;
            }
            out.put("rounds", ROUNDS + " (median of the last " + (ROUNDS - WARMUP) + ")");
            out.put("java.plain.ns", String.format("%.2f", median(Arrays.copyOfRange(mm, WARMUP, ROUNDS))));
            out.put("java.plain.rounds.ns", rounds(mm));
            out.put("sink", Integer.toHexString(sink));
        }
    }

    /**
     * {@code calls} times {@link LibC#pread} of 4 bytes at offset 0 of {@code path}: the same downcall, errno
     * capture and per-thread buffers as {@link TrappedRegion#read32}, on any file (BENCHMARKS.md: run many
     * times, with and without -Xcomp, on real hardware, to separate the binding and the JIT from TCG).
     */
    static void preadLoop(Map<String, String> out, String path, int calls) {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            var buf = arena.allocate(8, 8);
            long sum = 0, t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) sum += LibC.pread(fd, buf, 4, 0);
            out.put("preads", Integer.toString(calls));
            out.put("bytes", Long.toString(sum));
            out.put("ns.per.call", String.format("%.1f", (double) (System.nanoTime() - t0) / calls));
        } finally {
            LibC.close(fd);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
