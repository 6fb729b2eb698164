package dev.barmap.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.vmm.qemu.monitor.Inspection;
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

    public static String render(Inspection in) {
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
                switch (r.verdict()) {
                    case Verdict.Direct d -> ro.put("verdict", "direct");
                    case Verdict.Trapped t -> {
                        ro.put("verdict", "trapped");
                        ArrayNode cs = ro.putArray("causes");
                        for (Cause c : t.causes()) cause(cs.addObject(), c, in.pageSize());
                    }
                }
            }
        }
        root.put("directPages", in.directPages());
        root.put("memoryPages", in.memoryPages());
        try {
            return ProbeJson.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
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
