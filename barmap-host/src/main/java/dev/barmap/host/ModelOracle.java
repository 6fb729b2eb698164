package dev.barmap.host;

import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.VfioPciModel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The model's side of the oracle: for a host directory, what the probe would record if every non-bridge
 * function were opened through vfio-pci in BDF order ({@code expected/vfio.json}) and /proc/iomem while
 * all are open ({@code expected/iomem-open}).
 */
public final class ModelOracle {
    /** The prediction: the probe report and /proc/iomem after it. */
    public record Prediction(ProbeReport report, String iomemOpen) {}

    private ModelOracle() {}

    /** The prediction for a captured host directory, as the probe opened it ({@link #asProbed}). */
    public static Prediction predict(Path hostRoot) {
        return predict(asProbed(HostReader.read(hostRoot)));
    }

    /**
     * The host as the probe opened it: functions bound to a driver other than vfio-pci (the oracle guest's
     * virtio-9p transports) are not opened, so they are left out of the functions the model opens; their
     * BARs and their driver's claims stay in the resource tree, as in the real kernel. A capture that
     * records no driver is unchanged.
     */
    public static Host asProbed(Host h) {
        var fns = new TreeMap<Bdf, PciFunction>();
        for (var e : h.functions().entrySet()) {
            Optional<String> drv = e.getValue().driver();
            if (drv.isEmpty() || drv.get().equals("vfio-pci")) fns.put(e.getKey(), e.getValue());
        }
        return new Host(h.source(), h.platform(), h.kernel(), h.tree(), fns, h.iomemHidden(), h.notes());
    }

    public static Prediction predict(Host host) {
        VfioPciModel model = new VfioPciModel(host);
        ProbeReport report = model.probeAll();
        return new Prediction(report, model.iomem());
    }
}
