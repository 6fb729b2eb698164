package dev.barmap.model.testing;

import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Iomem;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** Synthetic hosts for tests: a root bus window, functions with BARs, optional other resources. */
public final class TestHosts {
    public static final long MEM = IoResource.MEM | IoResource.SIZEALIGN;
    public static final long MEM64_PREF = IoResource.MEM | IoResource.MEM_64 | IoResource.PREFETCH | IoResource.SIZEALIGN | 0xc;
    public static final long IO = IoResource.IO | IoResource.SIZEALIGN | 0x1;

    private final ResourceTree tree = ResourceTree.iomem();
    private final Resource window;
    private final List<Fn> fns = new ArrayList<>();
    private String arch = "x86_64";

    private TestHosts(long windowStart, long windowEnd) {
        window = new Resource(windowStart, windowEnd, "PCI Bus 0000:00", IoResource.MEM);
        tree.request(tree.root(), window);
    }

    /** A host whose PCI window is {@code [start, end]}. */
    public static TestHosts window(long start, long end) {
        return new TestHosts(start, end);
    }

    public TestHosts arch(String a) {
        this.arch = a;
        return this;
    }

    /** A non-PCI resource at the top level (e.g. "Reserved"). */
    public TestHosts other(long start, long end, String name) {
        tree.request(tree.root(), new Resource(start, end, name, IoResource.MEM | IoResource.BUSY));
        return this;
    }

    public Fn fn(String bdf) {
        return fn(bdf, 0x020000);
    }

    public Fn fn(String bdf, int classCode) {
        Fn f = new Fn(Bdf.parse(bdf), classCode);
        fns.add(f);
        return f;
    }

    public Host build(long pageSize, String kernel) {
        var map = new TreeMap<Bdf, PciFunction>();
        for (Fn f : fns) {
            var res = new ArrayList<Bar>();
            for (int i = 0; i < 13; i++) res.add(f.bars[i] == null ? new Bar(i, 0, 0, 0) : f.bars[i]);
            map.put(f.bdf, new PciFunction(f.bdf, f.vendor, f.device, f.cls, res, Optional.ofNullable(f.msix), true,
                    Optional.of(256), Optional.of("1"), Optional.empty()));
        }
        return HostBuilder.build("test host", new Platform(arch, pageSize), KernelRelease.parse(kernel), "iomem", Iomem.render(tree), map, List.of());
    }

    /** One function under construction. */
    public final class Fn {
        final Bdf bdf;
        final int cls;
        int vendor = 0x1af4;
        int device = 0x1000;
        final Bar[] bars = new Bar[13];
        MsixCapability msix;

        Fn(Bdf bdf, int cls) {
            this.bdf = bdf;
            this.cls = cls;
        }

        public Fn ids(int v, int d) {
            vendor = v;
            device = d;
            return this;
        }

        /** A 32-bit memory BAR, placed in the window's resource tree. */
        public Fn mem(int index, long start, long size) {
            return bar(index, start, size, MEM);
        }

        /** A 64-bit prefetchable BAR at {@code index}; {@code index + 1} stays empty (its upper half). */
        public Fn mem64(int index, long start, long size) {
            return bar(index, start, size, MEM64_PREF);
        }

        public Fn io(int index, long port, long size) {
            bars[index] = new Bar(index, port, port + size - 1, IO);
            return this;
        }

        public Fn rom(long start, long size) {
            return bar(6, start, size, IoResource.MEM | IoResource.PREFETCH | IoResource.READONLY | IoResource.SIZEALIGN);
        }

        public Fn bar(int index, long start, long size, long flags) {
            bars[index] = new Bar(index, start, start + size - 1, flags);
            if (!tree.request(window, new Resource(start, start + size - 1, bdf.toString(), flags))) {
                throw new IllegalArgumentException("test BAR overlaps: " + bdf + " " + index);
            }
            return this;
        }

        public Fn msix(int bir, long offset, int entries) {
            msix = new MsixCapability(bir, offset, entries, bir, offset + entries * 16L);
            return this;
        }

        public TestHosts done() {
            return TestHosts.this;
        }
    }
}
