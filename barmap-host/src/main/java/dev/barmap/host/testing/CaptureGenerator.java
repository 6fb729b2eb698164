package dev.barmap.host.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes synthetic host captures in the layout {@code HostReader} reads ({@code proc/iomem},
 * {@code sys/bus/pci/devices/BDF/{resource,config,vendor,device,class,iommu_group}},
 * {@code capture.properties}), for fleet tests and benchmarks. Deterministic: host {@code i} of seed
 * {@code s} is always the same. Each host has 2-12 functions with small and large memory BARs, some
 * I/O BARs and some MSI-X capabilities, laid out either packed (each BAR aligned to its size, as Linux
 * assigns them, so small BARs share pages) or page-aligned (each BAR in a page of its own).
 */
public final class CaptureGenerator {
    private static final long[] SIZES = {16, 128, 256, 1024, 4096, 16384, 65536, 1 << 20};
    private static final long BUS_START = 0xc0000000L, BUS_END = 0xfebfffffL;

    private final long seed;

    public CaptureGenerator(long seed) {
        this.seed = seed;
    }

    /** The name of host {@code i}: {@code host-00042}. */
    public static String name(int i) {
        return String.format("host-%05d", i);
    }

    /** Writes hosts {@code 0..count-1} under {@code dir} (created), one directory each; returns their paths. */
    public List<Path> writeAll(Path dir, int count) {
        var out = new ArrayList<Path>(count);
        for (int i = 0; i < count; i++) out.add(writeHost(dir.resolve(name(i)), i));
        return out;
    }

    record Gen(int dev, int index, long size, boolean io, boolean is64, boolean pref) {}

    /** Writes host {@code i} into {@code root}. */
    public Path writeHost(Path root, int i) {
        var rnd = new SplittableRandom(seed * 1_000_003L + i);
        int nDev = 2 + rnd.nextInt(11);
        boolean packed = rnd.nextInt(3) != 0;
        var bars = new ArrayList<Gen>();
        long ioNext = 0x1000;
        var ioStart = new long[nDev + 1][6];
        for (int d = 1; d <= nDev; d++) {
            int n = 1 + rnd.nextInt(3);
            int idx = 0;
            if (rnd.nextInt(4) == 0) {
                ioStart[d][idx] = ioNext;
                bars.add(new Gen(d, idx++, 32, true, false, false));
                ioNext += 0x40;
            }
            for (int k = 0; k < n && idx < 6; k++) {
                long size = SIZES[rnd.nextInt(SIZES.length)];
                boolean is64 = size >= 65536 && rnd.nextBoolean() && idx < 5;
                bars.add(new Gen(d, idx, size, false, is64, is64 && rnd.nextBoolean()));
                idx += is64 ? 2 : 1;
            }
        }
        // assign memory BARs largest first, each aligned to its size (packed) or to max(size, 4K)
        var mem = bars.stream().filter(b -> !b.io()).sorted(Comparator.comparingLong(Gen::size).reversed().thenComparingInt(Gen::dev)).toList();
        long next = BUS_START;
        var starts = new java.util.HashMap<Gen, Long>();
        for (Gen b : mem) {
            long align = packed ? b.size() : Math.max(4096, b.size());
            next = (next + align - 1) & -align;
            starts.put(b, next);
            next += packed ? b.size() : Math.max(4096, b.size());
        }
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("capture.properties"), "pageSize=4096\nkernelRelease=6.1.0-generated\narch=x86_64\n");
            // /proc/iomem: RAM, the root bus window, the BARs under it in address order
            var sb = new StringBuilder();
            sb.append("00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-bfffffff : System RAM\n");
            sb.append(String.format("%08x-%08x : PCI Bus 0000:00\n", BUS_START, BUS_END));
            mem.stream().sorted(Comparator.comparingLong(starts::get)).forEach(b -> sb.append(String.format("  %08x-%08x : %s\n",
                    starts.get(b), starts.get(b) + b.size() - 1, bdf(b.dev()))));
            sb.append("fec00000-fec003ff : IOAPIC 0\n");
            Path procDir = root.resolve("proc");
            Files.createDirectories(procDir);
            Files.writeString(procDir.resolve("iomem"), sb);
            Path devs = root.resolve("sys/bus/pci/devices");
            Files.createDirectories(devs);
            for (int d = 1; d <= nDev; d++) {
                Path p = devs.resolve(bdf(d));
                Files.createDirectories(p);
                int vendor = 0x1af4, device = 0x1000 + rnd.nextInt(0x40);
                int cls = new int[] {0x020000, 0x010802, 0x0c0330, 0x040300, 0x010000}[rnd.nextInt(5)];
                Files.writeString(p.resolve("vendor"), String.format("0x%04x\n", vendor));
                Files.writeString(p.resolve("device"), String.format("0x%04x\n", device));
                Files.writeString(p.resolve("class"), String.format("0x%06x\n", cls));
                Files.writeString(p.resolve("iommu_group"), "../../../../kernel/iommu_groups/" + d);
                var lines = new String[13];
                java.util.Arrays.fill(lines, "0x0000000000000000 0x0000000000000000 0x0000000000000000");
                byte[] cfg = new byte[256];
                put16(cfg, 0, vendor);
                put16(cfg, 2, device);
                cfg[0x09] = (byte) cls;
                cfg[0x0a] = (byte) (cls >> 8);
                cfg[0x0b] = (byte) (cls >> 16);
                Gen msixBar = null;
                for (Gen b : bars) {
                    if (b.dev() != d) continue;
                    long s = b.io() ? ioStart[d][b.index()] : starts.get(b);
                    long flags = b.io() ? 0x40101 : 0x40200 | (b.is64() ? 0x100004 : 0) | (b.pref() ? 0x2008 : 0);
                    lines[b.index()] = String.format("0x%016x 0x%016x 0x%016x", s, s + b.size() - 1, flags);
                    put32(cfg, 0x10 + 4 * b.index(), s | (b.io() ? 1 : (b.is64() ? 4 : 0) | (b.pref() ? 8 : 0)));
                    if (b.is64()) put32(cfg, 0x14 + 4 * b.index(), s >>> 32);
                    if (!b.io() && b.size() >= 4096 && msixBar == null && rnd.nextBoolean()) msixBar = b;
                }
                if (msixBar != null) {
                    // status: capability list; MSI-X at 0x40 with 8 vectors, table at +0, PBA at +0x800 of the BAR
                    put16(cfg, 0x06, 0x10);
                    cfg[0x34] = 0x40;
                    cfg[0x40] = 0x11;
                    put16(cfg, 0x42, 7);
                    put32(cfg, 0x44, msixBar.index());
                    put32(cfg, 0x48, 0x800 | msixBar.index());
                }
                Files.writeString(p.resolve("resource"), String.join("\n", lines) + "\n");
                Files.write(p.resolve("config"), cfg);
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String bdf(int dev) {
        return String.format("0000:00:%02x.0", dev);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    private static void put32(byte[] b, int off, long v) {
        for (int k = 0; k < 4; k++) b[off + k] = (byte) (v >> (8 * k));
    }

    /** Writes text as ISO-8859-1 (what the readers use). */
    static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
    }
}
