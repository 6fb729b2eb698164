package dev.barmap.vfio.oracle;

import dev.barmap.host.ModelOracle;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.RegionCap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binding's capture against the model's prediction for the same host directory: every difference
 * as one line. Region info (size, offset, flags, capability names), every try (op, offset, length,
 * outcome, errno), read values where the model knows them (it returns none for device content), the
 * {@code vfio sub-page reserved} ranges, and /proc/iomem while open byte for byte.
 */
final class OracleComparison {
    private OracleComparison() {}

    static ModelOracle.Prediction predict(Path capture) {
        return ModelOracle.predict(capture);
    }

    /** Differences between what the kernel answered ({@code real}) and the model ({@code model}); empty when they agree. */
    static List<String> diff(ProbeReport real, ProbeReport model, String realIomemOpen, String modelIomemOpen) {
        var d = new ArrayList<String>();
        if (real.pageSize() != model.pageSize()) d.add("pageSize " + real.pageSize() + " vs model " + model.pageSize());
        if (!real.kernelRelease().equals(model.kernelRelease())) d.add("kernelRelease " + real.kernelRelease() + " vs model " + model.kernelRelease());
        if (!List.copyOf(real.devices().keySet()).equals(List.copyOf(model.devices().keySet()))) {
            d.add("devices opened " + real.devices().keySet() + " vs model " + model.devices().keySet());
        }
        for (var e : real.devices().values()) {
            var m = model.devices().get(e.bdf());
            if (m == null) continue;
            if (e.regions().size() != m.regions().size()) {
                d.add(e.bdf() + ": " + e.regions().size() + " regions vs model " + m.regions().size());
                continue;
            }
            for (int i = 0; i < e.regions().size(); i++) {
                var er = e.regions().get(i);
                var mr = m.regions().get(i);
                String where = e.bdf() + " " + er.name();
                if (er.failed() || mr.failed()) {
                    if (er.failed() != mr.failed() || er.error() != mr.error()) {
                        d.add(where + ": GET_REGION_INFO " + (er.failed() ? "errno " + er.error() : "ok") + " vs model " + (mr.failed() ? "errno " + mr.error() : "ok"));
                    }
                    continue;
                }
                if (er.info().size() != mr.info().size()) d.add(where + ": size " + er.info().size() + " vs model " + mr.info().size());
                if (er.info().offset() != mr.info().offset()) d.add(where + ": offset " + er.info().offset() + " vs model " + mr.info().offset());
                if (!er.info().flagNames().equals(mr.info().flagNames())) d.add(where + ": flags " + er.info().flagNames() + " vs model " + mr.info().flagNames());
                var ec = er.info().caps().stream().map(RegionCap::name).toList();
                var mc = mr.info().caps().stream().map(RegionCap::name).toList();
                if (!ec.equals(mc)) d.add(where + ": caps " + ec + " vs model " + mc);
                if (er.tries().size() != mr.tries().size()) {
                    d.add(where + ": " + er.tries().size() + " tries vs model " + mr.tries().size());
                    continue;
                }
                for (int t = 0; t < er.tries().size(); t++) {
                    var et = er.tries().get(t);
                    var mt = mr.tries().get(t);
                    String tw = where + " " + et.op() + " '" + et.what() + "'";
                    if (!et.op().equals(mt.op()) || !et.what().equals(mt.what()) || et.offset() != mt.offset() || !et.length().equals(mt.length())) {
                        d.add(tw + ": a different try in the model: " + mt);
                    } else if (et.ok() != mt.ok() || et.errno() != mt.errno()) {
                        d.add(tw + ": real " + (et.ok() ? "ok" : "errno " + et.errno()) + " vs model " + (mt.ok() ? "ok" : "errno " + mt.errno()));
                    } else if (mt.value().isPresent()) {
                        // the model knows this value (e.g. MSI-X table reads are all ones): it must be the one read
                        long mv = mt.value().getAsLong() & 0xffffffffL;
                        if (et.value().isEmpty() || (et.value().getAsLong() & 0xffffffffL) != mv) {
                            d.add(tw + ": value " + et.value() + " vs model 0x" + Long.toHexString(mv));
                        }
                    }
                }
            }
        }
        if (!real.subPageReserved().equals(model.subPageReserved())) d.add("vfio sub-page reserved " + real.subPageReserved() + " vs model " + model.subPageReserved());
        if (!realIomemOpen.equals(modelIomemOpen)) d.add("/proc/iomem while open differs:\n" + lineDiff(realIomemOpen, modelIomemOpen));
        return d;
    }

    /** The lines only one side has, marked - (real) and + (model). */
    static String lineDiff(String real, String model) {
        var r = List.of(real.split("\n", -1));
        var m = List.of(model.split("\n", -1));
        var sb = new StringBuilder();
        for (String l : r) if (!m.contains(l)) sb.append("  - ").append(l).append('\n');
        for (String l : m) if (!r.contains(l)) sb.append("  + ").append(l).append('\n');
        if (sb.isEmpty()) sb.append("  (same lines, different order or count)\n");
        return sb.toString();
    }
}
