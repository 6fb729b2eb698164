package dev.barmap.host;

import dev.barmap.model.host.Host;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.VfioPciModel;
import java.nio.file.Path;

/**
 * The model's side of the oracle: for a host directory, what the probe would record if every non-bridge
 * function were opened through vfio-pci in BDF order ({@code expected/vfio.json}) and /proc/iomem while
 * all are open ({@code expected/iomem-open}).
 */
public final class ModelOracle {
    /** The prediction: the probe report and /proc/iomem after it. */
    public record Prediction(ProbeReport report, String iomemOpen) {}

    private ModelOracle() {}

    public static Prediction predict(Path hostRoot) {
        return predict(HostReader.read(hostRoot));
    }

    public static Prediction predict(Host host) {
        VfioPciModel model = new VfioPciModel(host);
        ProbeReport report = model.probeAll();
        return new Prediction(report, model.iomem());
    }
}
