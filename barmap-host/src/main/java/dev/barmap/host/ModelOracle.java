package dev.barmap.host;

import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.VfioPciModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The MSI-X reads of a probe: every read the real kernel answered inside an MSI-X table (located from
     * the host's own config space) must be predicted with its value, and the model predicts values nowhere
     * else. The table's BAR need not carry MSIX_MAPPABLE: a BAR smaller than the page (virtio's 4K MSI-X
     * BAR under 16K pages) is not mmappable, so gets no capability, yet its table still reads as all ones.
     * One line per difference; empty when they agree.
     */
    public static List<String> msixReadDiffs(Host host, ProbeReport real, ProbeReport model) {
        var d = new ArrayList<String>();
        long inTables = 0;
        for (var dev : real.devices().values()) {
            var fn = host.functions().get(Bdf.parse(dev.bdf()));
            var md = model.devices().get(dev.bdf());
            if (fn == null || md == null || fn.msix().isEmpty()) continue;
            var msix = fn.msix().get();
            long from = msix.tableOffset(), to = from + msix.tableSize();
            for (var r : dev.regions()) {
                if (r.failed() || r.index() != msix.tableBir() || r.index() >= md.regions().size()) continue;
                var mr = md.regions().get(r.index());
                for (int t = 0; t < r.tries().size() && t < mr.tries().size(); t++) {
                    var et = r.tries().get(t);
                    if (!et.op().equals("pread4") || !et.ok() || et.offset() < from || et.offset() + 4 > to) continue;
                    inTables++;
                    var at = mr.tries().get(t);
                    if (at.value().isEmpty() || et.value().isEmpty() || (at.value().getAsLong() & 0xffffffffL) != (et.value().getAsLong() & 0xffffffffL)) {
                        d.add(dev.bdf() + " " + r.name() + " '" + et.what() + "' (inside the MSI-X table): real " + et.value() + " vs model " + at.value());
                    }
                }
            }
        }
        long predicted = model.devices().values().stream().flatMap(x -> x.regions().stream())
                .flatMap(r -> r.tries().stream()).filter(t -> t.value().isPresent()).count();
        if (predicted != inTables) d.add("the model predicts " + predicted + " read values, the real probe read " + inTables + " inside MSI-X tables");
        return d;
    }

    public static Prediction predict(Host host) {
        VfioPciModel model = new VfioPciModel(host);
        ProbeReport report = model.probeAll();
        return new Prediction(report, model.iomem());
    }
}
