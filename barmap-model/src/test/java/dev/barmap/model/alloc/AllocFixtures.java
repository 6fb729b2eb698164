package dev.barmap.model.alloc;

import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small trees and functions for allocator tests. */
final class AllocFixtures {
    private AllocFixtures() {}

    static final long MEM = IoResource.MEM;
    static final long WIN = IoResource.MEM | IoResource.WINDOW;
    static final long PREF64 = IoResource.MEM | IoResource.PREFETCH | IoResource.MEM_64;
    static final long PREF32 = IoResource.MEM | IoResource.PREFETCH;

    static Resource add(ResourceTree t, Resource parent, long start, long end, String name) {
        Resource r = new Resource(start, end, name, IoResource.MEM);
        if (!t.request(parent, r)) throw new IllegalStateException("fixture overlap: " + r);
        return r;
    }

    static BusWindow window(Resource node, long flags) {
        return new BusWindow(node, flags, node.name());
    }

    static BarRequest bar(String owner, int index, long size, boolean mem64, boolean pref, PciBus bus) {
        return BarRequest.mem(owner, index, size, mem64, pref, bus);
    }

    /** A function with the given sysfs resource lines (index → start, end, flags); the rest empty. */
    static PciFunction function(String bdf, int classCode, long[]... lines) {
        var res = new ArrayList<Bar>();
        for (int i = 0; i < 17; i++) res.add(new Bar(i, 0, 0, 0));
        for (long[] l : lines) res.set((int) l[0], new Bar((int) l[0], l[1], l[2], l[3]));
        return new PciFunction(Bdf.parse(bdf), 0x1b36, 0x0001, classCode, res, Optional.empty(), false, Optional.empty(),
                Optional.of("1"), Optional.empty());
    }

    static List<Resource> children(Resource r) {
        return List.copyOf(r.children());
    }
}
