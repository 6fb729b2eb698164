package dev.barmap.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.plan.BarVerdict;
import dev.barmap.model.plan.IsolationViolation;
import dev.barmap.model.plan.PageRun;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.TrapReason;
import dev.barmap.model.plan.VmmColumn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code barmap plan --format json}: the table's data. One entry in {@code bars} per BAR (the table's rows), each
 * with a verdict per VMM keyed by VMM id (the table's columns); {@code vmms} says per VMM where its rules come from,
 * whether it starts, and whether isolation held. Shape documented in the README ("barmap plan").
 */
public final class PlanJson {
    private PlanJson() {}

    public static ObjectNode toJson(Plan plan, Host host, List<HostDevice> devices) {
        ObjectNode root = ProbeJson.MAPPER.createObjectNode();
        root.put("source", host.source());
        root.put("arch", host.platform().arch());
        root.put("machine", dev.barmap.model.kernel.Architecture.of(host.platform().arch()).machineName());
        root.put("kernelRelease", host.kernel().toString());
        root.put("pageSize", plan.hostPageSize());
        root.put("guest", plan.firmware());
        root.put("isolated", plan.isolated());
        ArrayNode vmms = root.putArray("vmms");
        for (VmmColumn c : plan.columns()) {
            ObjectNode v = vmms.addObject();
            v.put("id", c.vmm());
            v.put("label", c.label());
            v.put("placement", c.placement());
            ArrayNode src = v.putArray("sources");
            c.sources().forEach(src::add);
            if (c.failure() == null) v.putNull("failure");
            else v.putObject("failure").put("cause", c.failure().cause().name()).put("message", c.failure().message())
                    .put("verbatim", c.failure().verbatim()).put("source", c.failure().source().toString());
            v.put("isolated", c.violations().isEmpty());
            ArrayNode viol = v.putArray("violations");
            for (IsolationViolation iv : c.violations()) {
                ObjectNode o = viol.addObject().put("owner", iv.owner()).put("guestStart", iv.guestStart()).put("size", iv.size())
                        .put("hostStart", iv.hostStart());
                // the model's allowed range is [allowedStart, allowedEnd); JSON ends are inclusive (README "Ranges in JSON")
                if (iv.allowedEnd() > iv.allowedStart()) o.put("allowedStart", iv.allowedStart()).put("allowedEnd", iv.allowedEnd() - 1);
                else o.putNull("allowedStart").putNull("allowedEnd");
                o.put("what", iv.what());
            }
            ArrayNode warn = v.putArray("warnings");
            c.warnings().forEach(warn::add);
        }
        // rows: every BAR, in device and BAR order, with the host facts the verdicts rest on
        Map<String, HostBar> hostBars = new LinkedHashMap<>();
        for (HostDevice d : devices) for (HostBar b : d.bars()) if (b.size() > 0) hostBars.put(d.bdf() + " " + b.index(), b);
        Map<String, ObjectNode> rows = new LinkedHashMap<>();
        ArrayNode bars = root.putArray("bars");
        for (VmmColumn c : plan.columns()) {
            for (BarVerdict v : c.bars()) {
                String key = v.device() + " " + v.bar();
                ObjectNode row = rows.computeIfAbsent(key, k -> {
                    ObjectNode r = bars.addObject();
                    r.put("device", v.device());
                    r.put("bar", v.bar());
                    r.put("hostStart", v.hostStart());
                    r.put("hostSize", v.hostSize());
                    HostBar hb = hostBars.get(k);
                    if (hb != null) {
                        r.put("type", hb.io() ? "io" : hb.mem64() ? "mem64" : "mem32");
                        r.put("prefetchable", hb.prefetchable());
                        r.put("hostMmap", hb.mmappable());
                        r.put("msixMappable", hb.msixMappable());
                    }
                    r.putObject("verdicts");
                    return r;
                });
                ((ObjectNode) row.get("verdicts")).set(c.vmm(), verdict(v));
            }
        }
        return root;
    }

    static ObjectNode verdict(BarVerdict v) {
        ObjectNode o = ProbeJson.MAPPER.createObjectNode();
        o.put("summary", v.summary().name().toLowerCase(Locale.ROOT));
        if (v.guestAddress() >= 0) o.put("guestAddress", v.guestAddress());
        else o.putNull("guestAddress");
        o.put("guestSize", v.guestSize());
        TrapReason main = v.mainReason();
        if (main == null) o.putNull("reason");
        else o.put("reason", main.name());
        o.put("note", v.note());
        ArrayNode pages = o.putArray("pages");
        for (PageRun r : v.pages()) {
            ObjectNode p = pages.addObject();
            if (r.guestStart() >= 0) {
                p.put("guestStart", r.guestStart());
                p.put("guestEnd", r.guestEnd() - 1); // the run is [guestStart, guestEnd); JSON ends are inclusive
            }
            p.put("state", r.state().name().toLowerCase(Locale.ROOT));
            ArrayNode reasons = p.putArray("reasons");
            r.reasons().forEach(x -> reasons.add(x.name()));
            if (!r.detail().isEmpty()) p.put("detail", r.detail());
            if (r.hostStart() >= 0) p.put("hostStart", r.hostStart());
            if (r.shadowedBy() != null) p.put("shadowedBy", r.shadowedBy());
        }
        return o;
    }

    public static String render(Plan plan, Host host, List<HostDevice> devices) {
        try {
            return ProbeJson.MAPPER.writeValueAsString(toJson(plan, host, devices)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
