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
        checkFunctions(functions);
        checkNoSharedRanges(functions);
        if (iomemText != null) {
            // BARs and bus windows are not busy: __request_region() descends into them (kernel/resource.c).
            // A device-tree host bridge's windows carry its node's name, "pci@..." (ppc64le pseries) or
            // "pcie@..." (arm64 virt: "pcie@10000000"): drivers/of/address.c of_pci_range_to_resource()
            // sets res->name = np->full_name (Linux 6.1-7.x); ACPI hosts name them "PCI Bus DDDD:BB".
            Iomem.Parsed p = Iomem.parse(iomemFile, iomemText, name -> name.startsWith("PCI Bus ") || Bdf.isBdf(name)
                    || name.startsWith("pci@") || name.startsWith("pcie@") || name.startsWith("PCI ")
                    || name.equals(dev.barmap.model.vfio.SubPageMmapRule.DUMMY_NAME));
            if (p.lines() == 0) {
                // the kernel always lists at least System RAM (kernel/resource.c r_show over iomem_resource)
                throw new BadInputException(iomemFile, 0, "empty: /proc/iomem always lists at least System RAM (a failed copy?)");
            }
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
        } else if ("lspci".equals(iomemFile)) {
            allNotes.add("lspci shows no /proc/iomem: the resource tree is built from the BARs and bridge windows lspci printed,"
                    + " so other devices' registers and firmware reservations are not known as neighbours");
        } else {
            allNotes.add("no /proc/iomem: the resource tree is rebuilt from sysfs (PCI BARs and bridge windows only)");
        }
        return new Host(source, platform, kernel, synthesize(functions), functions, true, allNotes);
    }

    /**
     * What no real function shows, and the model cannot stand for (issue 14), as bad input naming the file:
     * <ul>
     * <li>a BAR or ROM of 2^63 bytes or more (its length does not fit a signed 64-bit size; no CPU has that
     *     much physical address space: x86-64 MAXPHYADDR is at most 52 bits; barmap's own limit);</li>
     * <li>an MSI-X table or PBA BIR of 6 or 7 (reserved: the PCI Local Bus spec 3.0 MSI-X Table BIR field defines 0-5;
     *     include/uapi/linux/pci_regs.h PCI_MSIX_TABLE_BIR masks 3 bits);</li>
     * <li>an MSI-X table or PBA that ends beyond its BAR (vfio-pci would carve a hole outside the region:
     *     drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_enable reads msix_offset unchecked).</li>
     * </ul>
     */
    static void checkFunctions(SortedMap<Bdf, PciFunction> functions) {
        for (PciFunction f : functions.values()) {
            String dir = "sys/bus/pci/devices/" + f.bdf() + "/";
            for (int i = 0; i <= Bar.ROM && i < f.resources().size(); i++) {
                Bar b = f.resource(i);
                if (b.empty() || b.start() == 0 && b.end() == 0) continue;
                if (Long.compareUnsigned(b.end(), b.start()) >= 0 && b.end() - b.start() + 1 <= 0) {
                    throw new BadInputException(dir + "resource", i + 1, String.format("%s %x-%x is 2^63 bytes or more: larger than any physical address space", b.name(), b.start(), b.end()));
                }
            }
            if (f.msix().isEmpty()) continue;
            var m = f.msix().get();
            for (int k = 0; k < 2; k++) {
                String what = k == 0 ? "table" : "PBA";
                int bir = k == 0 ? m.tableBir() : m.pbaBir();
                long off = k == 0 ? m.tableOffset() : m.pbaOffset();
                long size = k == 0 ? m.tableSize() : m.pbaSize();
                if (bir > 5) throw new BadInputException(dir + "config", 0, "MSI-X " + what + " BIR " + bir + " is reserved (BIRs are 0-5)");
                Bar bar = f.resource(bir);
                long len = bar.len();
                if (len > 0 && (off < 0 || off + size > len || off + size < 0)) {
                    throw new BadInputException(dir + "config", 0, String.format("MSI-X %s at offset 0x%x (%d bytes) ends beyond %s (%d bytes)", what, off, size, bar.name(), len));
                }
            }
        }
    }

    /**
     * Two functions' BARs never overlap on a real host: the kernel claims each BAR in the resource tree
     * (drivers/pci/setup-res.c pci_claim_resource refuses a conflicting one and leaves it unassigned), so
     * sysfs showing the same range for two functions is a broken or edited capture, not a host (issue 14).
     * Only assigned (non-UNSET, non-empty) memory and I/O BARs 0-5 are compared; O(n log n).
     */
    static void checkNoSharedRanges(SortedMap<Bdf, PciFunction> functions) {
        record Item(PciFunction f, Bar b) {}
        var items = new ArrayList<Item>();
        for (PciFunction f : functions.values()) {
            for (Bar b : f.bars()) {
                if (!b.empty() && (b.isMem() || b.isIo()) && (b.flags() & IoResource.UNSET) == 0 && (b.start() != 0 || b.end() != 0)) items.add(new Item(f, b));
            }
        }
        // plain lambdas: Comparator.comparing returns a serializable lambda, which a JDK 25 AOT cache leaves
        // to be spun at run time (seen with -Xlog:class+load; start-up, BENCHMARKS.md P1)
        items.sort((x, y) -> x.b.isIo() != y.b.isIo() ? Boolean.compare(x.b.isIo(), y.b.isIo()) : Long.compareUnsigned(x.b.start(), y.b.start()));
        Item a = null; // of the items so far in this space, the one reaching highest
        for (Item b : items) {
            if (a != null && a.b.isIo() != b.b.isIo()) a = null;
            if (a != null && !a.f.bdf().equals(b.f.bdf()) && Long.compareUnsigned(b.b.start(), a.b.end()) <= 0) {
                throw new BadInputException("sys/bus/pci/devices/" + b.f.bdf() + "/resource", b.b.index() + 1,
                        String.format("%s %x-%x overlaps %s %s %x-%x: two functions cannot decode the same addresses", b.b.name(), b.b.start(), b.b.end(),
                                a.f.bdf(), a.b.name(), a.b.start(), a.b.end()));
            }
            if (a == null || Long.compareUnsigned(b.b.end(), a.b.end()) > 0) a = b;
        }
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
        windows.sort((x, y) -> Long.compare(y.b.resourceSize(), x.b.resourceSize()));
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
