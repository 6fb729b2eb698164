package dev.barmap.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.Prediction;
import dev.barmap.model.vmm.qemu.monitor.Inspection.BarReport;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Run;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;

/**
 * {@code barmap inspect --format json} (docs/schema/inspect.schema.json): per passed-through BAR its guest range
 * and runs of pages, each {@code direct} or {@code trapped} with typed causes; ranges inclusive, as everywhere.
 */
public final class InspectJson {
    private InspectJson() {}

    public static String render(InspectReport report) {
        Inspection in = report.inspection();
        ObjectNode root = ProbeJson.MAPPER.createObjectNode();
        root.put("source", in.source());
        root.put("pageSize", in.pageSize());
        in.accel().ifPresent(a -> root.put("accelerator", a));
        root.put("sizesKnown", in.sizesKnown());
        ArrayNode bars = root.putArray("bars");
        for (BarReport b : in.bars()) {
            ObjectNode o = bars.addObject();
            o.put("hostBdf", b.hostBdf());
            o.put("bar", b.bar());
            b.guestBdf().ifPresent(g -> o.put("guestBdf", g));
            o.put("space", b.io() ? "io" : "memory");
            o.put("guestStart", b.start());
            o.put("guestEnd", b.start() + b.size() - 1);
            o.put("sizeKnown", b.sizeKnown());
            o.put("mmapped", b.mmapped());
            if (!b.io()) o.put("directPages", b.directPages()).put("pages", b.pages());
            ArrayNode runs = o.putArray("runs");
            for (Run r : b.runs()) {
                ObjectNode ro = runs.addObject();
                ro.put("guestStart", r.start());
                ro.put("guestEnd", r.start() + r.pages() * in.pageSize() - 1);
                ro.put("pages", r.pages());
                verdict(ro, r.verdict(), in.pageSize());
            }
        }
        root.put("directPages", in.directPages());
        root.put("memoryPages", in.memoryPages());
        prediction(root.putObject("prediction"), report.prediction(), in.pageSize());
        try {
            return ProbeJson.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void verdict(ObjectNode o, Verdict v, long page) {
        switch (v) {
            case Verdict.Direct d -> o.put("verdict", "direct");
            case Verdict.Trapped t -> {
                o.put("verdict", "trapped");
                ArrayNode cs = o.putArray("causes");
                for (Cause c : t.causes()) cause(cs.addObject(), c, page);
            }
        }
    }

    private static void prediction(ObjectNode o, Prediction p, long page) {
        switch (p) {
            case Prediction.NotMade n -> {
                o.put("made", false);
                n.host().ifPresent(h -> o.put("host", h));
                ObjectNode w = o.putObject("why");
                w.put("kind", switch (n.why()) {
                    case Prediction.Why.NoHostGiven x -> "no-host-given";
                    case Prediction.Why.LiveHostUnreadable x -> "live-host-unreadable";
                    case Prediction.Why.PageSizeDiffers x -> "page-size-differs";
                });
                w.put("text", InspectText.why(n.why()));
            }
            case Prediction.Made m -> {
                o.put("made", true);
                o.put("host", m.host());
                o.put("pages", m.pages());
                o.put("agreeingPages", m.agreeingPages());
                ArrayNode ds = o.putArray("differences");
                for (Prediction.Difference d : m.differences()) {
                    ObjectNode x = ds.addObject();
                    x.put("hostBdf", d.hostBdf());
                    x.put("bar", d.bar());
                    x.put("guestStart", d.start());
                    x.put("guestEnd", d.start() + d.pages() * page - 1);
                    x.put("pages", d.pages());
                    verdict(x.putObject("real"), d.real(), page);
                    d.predicted().ifPresent(v -> verdict(x.putObject("predicted"), v, page));
                    d.missing().ifPresent(mi -> x.putObject("noPrediction").put("kind", switch (mi) {
                        case Prediction.Missing.NoHostDevice y -> "no-host-device";
                        case Prediction.Missing.NoHostBar y -> "no-host-bar";
                        case Prediction.Missing.RealizeFailed y -> "realize-failed";
                    }).put("text", InspectText.missing(mi)));
                    ArrayNode ps = x.putArray("possibly");
                    for (Prediction.Possibly q : d.possibly()) {
                        ps.addObject().put("kind", q.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).put("text", InspectText.possibly(q));
                    }
                }
            }
        }
    }

    private static void cause(ObjectNode o, Cause c, long page) {
        switch (c) {
            case Cause.IoPort i -> o.put("kind", "io-port");
            case Cause.MsixTable m -> o.put("kind", "msix-table").put("start", m.start()).put("end", m.end());
            case Cause.MsixPba m -> o.put("kind", "msix-pba").put("start", m.start()).put("end", m.end());
            case Cause.NotMmapped n -> o.put("kind", "not-mmapped");
            case Cause.OtherRegion r -> o.put("kind", "other-region").put("region", r.name()).put("start", r.start()).put("end", r.end());
            case Cause.StaleBaseBar b -> o.put("kind", "stale-base-bar").put("region", b.name()).put("start", b.start()).put("end", b.end());
            case Cause.SlotMisaligned m -> o.put("kind", "slot-misaligned").put("start", m.start()).put("end", m.end());
        }
        o.put("text", InspectText.cause(c, page));
        o.put("source", c.source());
    }
}
