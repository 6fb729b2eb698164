package dev.barmap.model.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.host.Host;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The vfio-pci model over random topologies and page sizes 4K/16K/64K: opening, probing (mmap and
 * read, which take busy "vfio-pci"/"vfio" regions) and closing every device in random orders restores
 * /proc/iomem exactly (vfio_pci_core_disable releases what vfio_pci_probe_mmaps and the barmap took);
 * while open, the {@code vfio sub-page reserved} dummies never overlap each other or any resource but
 * their ancestors, and each is the rest of its BAR's page.
 */
class OpenCloseProperties {

    @Property(tries = 250, seed = "20261123")
    void openProbeCloseRestoresTheTree(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int pageIx,
                                       @ForAll @IntRange(min = 0, max = 3) int kernelIx, @ForAll @IntRange(min = 1, max = 10) int functions) {
        long page = RandomHosts.PAGES[pageIx];
        Host host = RandomHosts.host(seed, page, RandomHosts.KERNELS[kernelIx], functions);
        var rnd = new Random(seed ^ 0x5eed);
        VfioPciModel model = new VfioPciModel(host);
        String before = model.iomem();
        var probe = new Probe(page);
        var handles = new ArrayList<ModelVfioDevice>();
        var fns = new ArrayList<>(host.functions().values());
        Collections.shuffle(fns, rnd);
        for (PciFunction f : fns) {
            ModelVfioDevice d = model.open(f.bdf());
            handles.add(d);
            if (rnd.nextBoolean()) probe.probe(d);
            if (rnd.nextInt(4) == 0) handles.add(model.open(f.bdf())); // a second fd: shares the first's state
            checkReservations(model, page);
        }
        for (int round = 0; round < 2; round++) {
            Collections.shuffle(handles, rnd);
            for (ModelVfioDevice d : handles) d.close(); // the second round closes closed fds: no effect
            assertEquals(before, model.iomem(), "close did not restore the tree (round " + round + ")");
        }
        assertEquals(List.of(), model.subPageReserved());
        // and the whole cycle again on the same model gives the same reservations as a fresh model
        var again = new ArrayList<ModelVfioDevice>();
        for (PciFunction f : host.functions().values()) again.add(model.open(f.bdf()));
        var fresh = new VfioPciModel(host);
        for (PciFunction f : host.functions().values()) fresh.open(f.bdf());
        assertEquals(fresh.iomem(), model.iomem());
        again.forEach(ModelVfioDevice::close);
        assertEquals(before, model.iomem());
    }

    static void checkReservations(VfioPciModel model, long page) {
        List<Resource> all = model.tree().all();
        var reserved = model.subPageReserved();
        for (int i = 1; i < reserved.size(); i++) {
            assertTrue(Long.compareUnsigned(reserved.get(i - 1).end(), reserved.get(i).start()) < 0,
                    "sub-page reservations overlap: " + reserved.get(i - 1) + ", " + reserved.get(i));
        }
        for (Resource d : all) {
            if (!SubPageMmapRule.DUMMY_NAME.equals(d.name())) continue;
            assertEquals(d.start() & -page, d.end() & -page, "dummy spans pages: " + d);
            assertEquals((d.start() & -page) + page - 1, d.end(), "dummy does not end its page: " + d);
            assertTrue(!d.hasChildren(), "dummy has children: " + d);
            for (Resource r : all) {
                if (r == d || !r.overlaps(d.start(), d.end())) continue;
                boolean ancestor = false;
                for (Resource p = d.parent(); p != null; p = p.parent()) ancestor |= p == r;
                assertTrue(ancestor, "dummy " + d + " overlaps " + r + ", which is not its ancestor");
            }
        }
    }
}
