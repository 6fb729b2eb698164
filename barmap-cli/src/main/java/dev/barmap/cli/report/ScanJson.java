package dev.barmap.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Verdict;

/**
 * {@code barmap scan --format json}: the shape of a capture's {@code expected/vfio.json} (without the
 * tries), each BAR/ROM region adding {@code verdict} and {@code reason} (and {@code guest}, the outlook across
 * the VMMs, when computed); plus {@code era},
 * {@code source} and {@code notes}.
 */
public final class ScanJson {
    private ScanJson() {}

    public static ObjectNode toJson(ScanResult r) {
        ObjectNode root = ProbeJson.MAPPER.createObjectNode();
        root.put("pageSize", r.host().pageSize());
        root.put("kernelRelease", r.host().kernel().toString());
        root.put("era", r.era());
        root.put("source", r.host().source());
        if (!r.host().blockers().isEmpty()) {
            ArrayNode bl = root.putArray("blockers");
            for (var b : r.host().blockers()) bl.addObject().put("kind", b.kind().name()).put("evidence", b.evidence()).put("why", b.kind().why);
        }
        ObjectNode devs = root.putObject("devices");
        for (DeviceResult d : r.devices()) {
            ObjectNode dev = devs.putObject(d.function().bdf().toString());
            dev.put("vendor", String.format("0x%04x", d.function().vendor()));
            dev.put("device", String.format("0x%04x", d.function().device()));
            dev.put("class", String.format("0x%06x", d.function().classCode()));
            d.function().iommuGroup().ifPresent(g -> dev.put("iommuGroup", g));
            ArrayNode regions = dev.putArray("regions");
            for (RegionResult rr : d.regions()) {
                ObjectNode o = ProbeJson.regionHead(regions.addObject(), rr.index(), rr.name(), rr.info(), rr.error());
                if (rr.verdict() != null) {
                    if (rr.verdict() != Verdict.ABSENT) {
                        o.put("hostStart", rr.hostStart());
                        o.put("hostEnd", rr.hostEnd());
                    }
                    o.put("verdict", rr.verdict().word());
                    o.put("reason", rr.reason());
                    String g = r.guest(d, rr);
                    if (g != null) o.put("guest", g);
                }
            }
        }
        ArrayNode res = root.putArray("subPageReserved");
        for (var s : r.subPageReserved()) res.addArray().add(s.start()).add(s.end());
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        return root;
    }

    public static String render(ScanResult r) {
        try {
            return ProbeJson.MAPPER.writeValueAsString(toJson(r)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
