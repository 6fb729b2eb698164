package dev.barmap.model.vfio;

import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.Iomem;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host kernel with vfio-pci bound to the host's functions: a private copy of the resource tree on
 * which devices are opened and closed as the real driver would. Before anything is opened, claims left
 * by drivers that binding vfio-pci would have released (busy regions under the functions' BARs,
 * earlier {@code vfio sub-page reserved} dummies) are removed, so the answers are those of a fresh open.
 */
public final class VfioPciModel {
    private final Host host;
    private final KernelEra era;
    private final ResourceTree tree;
    private final Map<Bdf, ModelVfioDevice> open = new HashMap<>();
    private final List<String> released = new ArrayList<>();

    public VfioPciModel(Host host) {
        this(host, host.era());
    }

    public VfioPciModel(Host host, KernelEra era) {
        this.host = host;
        this.era = era;
        this.tree = host.newTree();
        unbindOtherDrivers();
    }

    private void unbindOtherDrivers() {
        for (Resource r : tree.all()) {
            if (r.parent() != null && SubPageMmapRule.DUMMY_NAME.equals(r.name())) {
                released.add(r.toString());
                tree.release(r);
            }
        }
        for (PciFunction f : host.functions().values()) {
            if (!f.passthroughCandidate()) continue;
            for (Bar b : f.bars()) {
                barResource(f, b).ifPresent(res -> {
                    for (Resource c : List.copyOf(res.children())) {
                        if (c.busy()) {
                            released.add(c + " (under " + f.bdf() + " " + b.name() + ")");
                            tree.release(c);
                        }
                    }
                });
            }
        }
    }

    public Host host() { return host; }

    public KernelEra era() { return era; }

    public ResourceTree tree() { return tree; }

    /** Driver claims and stale reservations removed before the first open (see class comment). */
    public List<String> releasedClaims() { return List.copyOf(released); }

    /** The BAR's node in the tree: the resource with exactly its range, named by its BDF. */
    public Optional<Resource> barResource(PciFunction f, Bar b) {
        if (b.empty() || !b.isMem()) return Optional.empty();
        return tree.find(b.start(), b.end(), f.bdf().toString());
    }

    /**
     * Opens the device fd (VFIO_GROUP_GET_DEVICE_FD). The first open enables the device and runs
     * vfio_pci_probe_mmaps() ({@link SubPageMmapRule}); later opens share that state.
     */
    public ModelVfioDevice open(Bdf bdf) {
        PciFunction f = host.functions().get(bdf);
        if (f == null) throw new VfioException("VFIO_GROUP_GET_DEVICE_FD(" + bdf + ")", Errno.ENODEV, "no such PCI function on " + host.source());
        ModelVfioDevice d = open.get(bdf);
        if (d == null || d.closed()) {
            d = new ModelVfioDevice(this, f);
            open.put(bdf, d);
        } else {
            d.retain();
        }
        return d;
    }

    /** The {@code vfio sub-page reserved} ranges now in the tree, in address order. */
    public List<ProbeReport.Range> subPageReserved() {
        var out = new ArrayList<ProbeReport.Range>();
        tree.forEach(r -> {
            if (SubPageMmapRule.DUMMY_NAME.equals(r.name())) out.add(new ProbeReport.Range(r.start(), r.end()));
        });
        return out;
    }

    /** /proc/iomem as it would read now. */
    public String iomem() { return Iomem.render(tree); }

    /**
     * What the oracle does: open every non-bridge function in BDF order, running the probe on each,
     * keeping all open. Returns the report; {@link #iomem()} then reads as {@code expected/iomem-open}.
     */
    public ProbeReport probeAll() {
        var probe = new Probe(host.pageSize());
        var devices = new java.util.LinkedHashMap<String, ProbeReport.Device>();
        for (PciFunction f : host.functions().values()) {
            if (!f.passthroughCandidate()) continue;
            devices.put(f.bdf().toString(), probe.probe(open(f.bdf())));
        }
        return new ProbeReport(host.kernel().toString(), host.pageSize(), devices, subPageReserved());
    }
}
