package dev.barmap.model.host;

import dev.barmap.model.BadInputException;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Iomem;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;

/** Assembles a {@link Host} from /proc/iomem text (if any) and the PCI functions, without I/O. */
public final class HostBuilder {
    private HostBuilder() {}

    /**
     * @param iomemFile name of the iomem file for error messages
     * @param iomemText /proc/iomem contents, or null when there is none
     */
    public static Host build(String source, Platform platform, KernelRelease kernel, String iomemFile, String iomemText,
                             SortedMap<Bdf, PciFunction> functions, List<String> notes) {
        var allNotes = new ArrayList<>(notes);
        if (iomemText != null) {
            // BARs and bus windows are not busy: __request_region() descends into them (kernel/resource.c).
            // A device-tree host bridge's windows carry its node's name, "pci@..." (ppc64le pseries) or
            // "pcie@..." (arm64 virt: "pcie@10000000"): drivers/of/address.c of_pci_range_to_resource()
            // sets res->name = np->full_name (Linux 6.1-7.x); ACPI hosts name them "PCI Bus DDDD:BB".
            Iomem.Parsed p = Iomem.parse(iomemFile, iomemText, name -> name.startsWith("PCI Bus ") || Bdf.isBdf(name)
                    || name.startsWith("pci@") || name.startsWith("pcie@") || name.startsWith("PCI ")
                    || name.equals(dev.barmap.model.vfio.SubPageMmapRule.DUMMY_NAME));
            if (!p.addressesHidden()) {
                for (PciFunction f : functions.values()) {
                    for (Bar b : f.bars()) {
                        if (b.isMem() && !b.empty() && p.tree().find(b.start(), b.end(), f.bdf().toString()).isEmpty()) {
                            allNotes.add(String.format("%s %s (%x-%x) is not in %s: treated as unassigned", f.bdf(), b.name(), b.start(), b.end(), iomemFile));
                        }
                    }
                }
                return new Host(source, platform, kernel, p.tree(), functions, false, allNotes);
            }
            allNotes.add(iomemFile + " shows no addresses (read without root): the resource tree is rebuilt from sysfs, "
                    + "so only PCI BARs and bridge windows are known as neighbours; run as root for the full answer");
        } else {
            allNotes.add("no /proc/iomem: the resource tree is rebuilt from sysfs (PCI BARs and bridge windows only)");
        }
        return new Host(source, platform, kernel, synthesize(functions), functions, true, allNotes);
    }

    /** A resource tree from sysfs alone: bridge windows (outermost first), then every memory BAR inside them. */
    static ResourceTree synthesize(SortedMap<Bdf, PciFunction> functions) {
        ResourceTree tree = ResourceTree.iomem();
        record Item(PciFunction f, Bar b, String name) {}
        var windows = new ArrayList<Item>();
        var bars = new ArrayList<Item>();
        for (PciFunction f : functions.values()) {
            for (Bar w : f.bridgeWindows()) {
                if (w.isMem() && !w.empty() && (w.flags() & IoResource.UNSET) == 0) windows.add(new Item(f, w, "PCI window of " + f.bdf()));
            }
            for (Bar b : f.resources()) {
                if (b.index() < 13 && b.isMem() && !b.empty() && (b.flags() & IoResource.UNSET) == 0) bars.add(new Item(f, b, f.bdf().toString()));
            }
        }
        windows.sort(Comparator.comparingLong((Item i) -> -i.b.resourceSize()));
        for (List<Item> group : List.of(windows, bars)) {
            for (Item i : group) {
                long flags = i.b.flags() & ~IoResource.BUSY;
                var conflict = tree.insertConflict(tree.root(), new Resource(i.b.start(), i.b.end(), i.name, flags));
                if (conflict.isPresent()) {
                    throw new BadInputException("sys/bus/pci/devices/" + i.f.bdf() + "/resource", i.b.index() + 1,
                            String.format("%s %x-%x overlaps %s", i.b.name(), i.b.start(), i.b.end(), conflict.get()));
                }
            }
        }
        return tree;
    }
}
