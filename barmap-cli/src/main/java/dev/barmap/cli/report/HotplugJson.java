package dev.barmap.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.alloc.Assignment;
import dev.barmap.model.alloc.BusWindow;
import dev.barmap.model.alloc.HotAdd;
import dev.barmap.model.host.Host;
import dev.barmap.model.resource.IoResource;
import java.util.List;

/** {@code barmap hotplug --format json}; the shape is documented in README.md "barmap hotplug". */
public final class HotplugJson {
    private HotplugJson() {}

    public static ObjectNode toJson(Host h, List<String> opened, List<String> closed, HotAdd.Result r) {
        ObjectNode root = ProbeJson.MAPPER.createObjectNode();
        root.put("source", h.source());
        root.put("kernelRelease", h.kernel().toString());
        root.put("pageSize", h.pageSize());
        root.put("archRules", r.arch().name());
        ArrayNode op = root.putArray("opened");
        opened.forEach(op::add);
        ArrayNode cl = root.putArray("closed");
        closed.forEach(cl::add);
        ArrayNode res = root.putArray("reservations");
        for (var x : r.reservations()) {
            ObjectNode o = res.addObject();
            o.put("start", x.start());
            o.put("end", x.end());
            o.put("owner", x.owner());
            o.put("window", x.under());
        }
        root.put("device", r.device());
        root.put("bus", r.bus().name());
        ArrayNode wins = root.putArray("busWindows");
        for (BusWindow w : r.bus().forEachResource()) window(wins.addObject(), w);
        ArrayNode bars = root.putArray("bars");
        for (HotAdd.BarOutcome o : r.bars()) {
            ObjectNode b = bars.addObject();
            b.put("bar", o.bar().index());
            b.put("size", o.bar().size());
            b.put("mem64", o.bar().mem64());
            b.put("prefetch", o.bar().prefetch());
            placement(b.putObject("assigned"), o.withReservations());
            placement(b.putObject("withoutReservations"), o.withoutReservations());
            b.put("movedByReservation", o.moved());
            b.put("kernelLog", o.withReservations().message());
        }
        root.put("iomemAfter", r.iomemAfter());
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        return root;
    }

    private static void window(ObjectNode o, BusWindow w) {
        o.put("start", w.node().start());
        o.put("end", w.node().end());
        o.put("flags", flags(w.flags()));
        o.put("from", w.label());
    }

    /** The window's flags in %pR's words and order (lib/vsprintf.c resource_string): mem|io, 64bit, pref, window. */
    static String flags(long f) {
        var sb = new StringBuilder(IoResource.type(f) == IoResource.IO ? "io" : "mem");
        if ((f & IoResource.MEM_64) != 0) sb.append(" 64bit");
        if ((f & IoResource.PREFETCH) != 0) sb.append(" pref");
        if ((f & IoResource.WINDOW) != 0) sb.append(" window");
        return sb.toString();
    }

    private static void placement(ObjectNode o, Assignment a) {
        o.put("ok", a.assigned());
        if (a instanceof Assignment.Assigned as) {
            o.put("start", as.start());
            o.put("end", as.end());
            window(o.putObject("window"), as.window());
        } else {
            o.put("error", a instanceof Assignment.NoSpace ? "no space" : "bogus alignment");
        }
    }

    public static String render(Host h, List<String> opened, List<String> closed, HotAdd.Result r) {
        try {
            return ProbeJson.MAPPER.writeValueAsString(toJson(h, opened, closed, r)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
