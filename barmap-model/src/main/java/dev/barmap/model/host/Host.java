package dev.barmap.model.host;

import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.ResourceTree;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Linux host as barmap sees it: platform, kernel release, the iomem resource tree and the PCI
 * functions. Pure data; built by the host readers (live sysfs, a captured directory, lspci text).
 * The tree held here is never mutated: simulations work on {@link #newTree()}.
 *
 * @param source      where the host came from (a directory, "live host", a file name)
 * @param iomemHidden /proc/iomem had no addresses (read without root) or was absent, so the tree was
 *                    synthesised from sysfs alone: non-PCI neighbours are unknown
 * @param notes       things the reader wants the user to know (fallbacks, assumptions)
 */
public record Host(String source, Platform platform, KernelRelease kernel, ResourceTree tree,
                   SortedMap<Bdf, PciFunction> functions, boolean iomemHidden, List<String> notes, List<Blocker> blockers) {

    public Host {
        functions = Collections.unmodifiableSortedMap(new TreeMap<>(functions));
        notes = List.copyOf(notes);
        blockers = List.copyOf(blockers);
    }

    /** A host with nothing known to stop passthrough. */
    public Host(String source, Platform platform, KernelRelease kernel, ResourceTree tree,
                SortedMap<Bdf, PciFunction> functions, boolean iomemHidden, List<String> notes) {
        this(source, platform, kernel, tree, functions, iomemHidden, notes, List.of());
    }

    /** The same host with what the input shows stops any passthrough ({@link Blocker}). */
    public Host withBlockers(List<Blocker> b) {
        return new Host(source, platform, kernel, tree, functions, iomemHidden, notes, b);
    }

    public KernelEra era() { return KernelEra.of(kernel); }

    public long pageSize() { return platform.pageSize(); }

    /** A private, mutable copy of the resource tree to simulate on. */
    public ResourceTree newTree() { return tree.copy(); }

    /** The same host seen with another page size or kernel ("what if this host ran 64K pages"). */
    public Host with(Platform p, KernelRelease k) {
        return new Host(source, p, k, tree, functions, iomemHidden, notes, blockers);
    }
}
