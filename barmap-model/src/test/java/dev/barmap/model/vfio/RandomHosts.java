package dev.barmap.model.vfio;

import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * Random host topologies from a seed: one PCI bus window holding functions whose memory BARs are 16 B
 * to 1 MiB, placed packed (Linux's own assignment: natural alignment only), page-padded (firmware that
 * rounds to pages) or with gaps, sometimes with a busy neighbour or a driver's claim under a BAR, some
 * I/O-port BARs, some MSI-X tables, some 64-bit BARs; iomem given as text or left to be rebuilt from sysfs.
 */
public final class RandomHosts {
    private RandomHosts() {}

    static final long[] PAGES = {4096, 16384, 65536};
    static final String[] KERNELS = {"4.7.0", "4.14.0", "6.1.0-56-amd64", "6.15.0"};

    public static Host host(long seed, long page, String kernel, int functions) {
        var rnd = new Random(seed);
        long window = 0xe000_0000L, windowEnd = 0xefff_ffffL;
        long cursor = window;
        var fns = new TreeMap<Bdf, PciFunction>();
        var lines = new ArrayList<String>(); // children of the window, in address order
        int style = rnd.nextInt(3); // 0 packed, 1 page-padded, 2 random gaps
        for (int d = 0; d < functions; d++) {
            Bdf bdf = new Bdf(0, 0, 1 + d, 0);
            var res = new ArrayList<Bar>();
            for (int i = 0; i < 6; i++) {
                int kind = rnd.nextInt(8);
                if (kind == 0 || res.size() > i) { // unimplemented (or the upper half of a 64-bit BAR)
                    if (res.size() <= i) res.add(new Bar(i, 0, 0, 0));
                    continue;
                }
                if (kind == 1) {
                    res.add(new Bar(i, 0xc000 + 0x100L * (d * 6 + i), 0xc000 + 0x100L * (d * 6 + i) + 0x1f, IoResource.IO | IoResource.SIZEALIGN | 0x1));
                    continue;
                }
                long size = 1L << (4 + rnd.nextInt(17));
                long align = style == 1 ? Math.max(size, page) : size;
                long start = alignUp(cursor + (style == 2 && rnd.nextBoolean() ? rnd.nextInt(3) * page / 2 : 0), align);
                if (start + size - 1 > windowEnd) {
                    res.add(new Bar(i, 0, 0, 0));
                    continue;
                }
                if (rnd.nextInt(10) == 0 && start - cursor >= 32) { // a busy neighbour in the gap before the BAR
                    lines.add(line(1, cursor, cursor + 15, "Reserved"));
                }
                boolean is64 = i < 5 && rnd.nextInt(3) == 0;
                long flags = IoResource.MEM | IoResource.SIZEALIGN | (is64 ? IoResource.MEM_64 | 0x4 : 0) | (rnd.nextBoolean() ? IoResource.PREFETCH | 0x8 : 0);
                res.add(new Bar(i, start, start + size - 1, flags));
                lines.add(line(1, start, start + size - 1, bdf.toString()));
                if (rnd.nextInt(6) == 0) lines.add(line(2, start, start + Math.min(size, 64) - 1, "e1000e")); // driver claim
                if (is64) res.add(new Bar(i + 1, 0, 0, 0));
                cursor = start + size;
            }
            res.add(new Bar(Bar.ROM, 0, 0, 0));
            Optional<MsixCapability> msix = Optional.empty();
            var memBars = res.stream().filter(b -> b.isMem() && !b.empty()).toList();
            if (!memBars.isEmpty() && rnd.nextBoolean()) {
                Bar b = memBars.get(rnd.nextInt(memBars.size()));
                int entries = 1 + rnd.nextInt(8);
                if (b.len() >= 16L * entries + 8) msix = Optional.of(new MsixCapability(b.index(), 0, entries, b.index(), b.len() / 2 & ~7L));
            }
            fns.put(bdf, new PciFunction(bdf, 0x8086, 0x1000 + d, 0x020000, res, msix, true, Optional.of(256), Optional.of("1" + d), Optional.empty()));
        }
        var text = new StringBuilder();
        text.append(line(0, 0x1000, 0x9fbff, "System RAM"));
        text.append(line(0, window, windowEnd, "PCI Bus 0000:00"));
        lines.forEach(text::append);
        text.append(line(0, 0xfee00000L, 0xfee00fffL, "Local APIC"));
        String iomem = rnd.nextInt(4) == 0 ? null : text.toString();
        return HostBuilder.build("random " + seed, new Platform("x86_64", page), KernelRelease.parse(kernel), "iomem", iomem, fns, List.of());
    }

    private static String line(int depth, long s, long e, String name) {
        return "  ".repeat(depth) + String.format("%08x-%08x : %s\n", s, e, name);
    }

    private static long alignUp(long v, long a) { return (v + a - 1) & -a; }
}
