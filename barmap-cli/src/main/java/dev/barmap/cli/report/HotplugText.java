package dev.barmap.cli.report;

import dev.barmap.model.alloc.Assignment;
import dev.barmap.model.alloc.BusWindow;
import dev.barmap.model.alloc.HotAdd;
import dev.barmap.model.host.Host;
import dev.barmap.model.vfio.Sizes;
import java.util.List;

/** {@code barmap hotplug} as text. */
public final class HotplugText {
    private HotplugText() {}

    public static String render(Host h, List<String> opened, List<String> closed, HotAdd.Result r) {
        var sb = new StringBuilder();
        sb.append("host: ").append(h.source()).append(" (kernel ").append(h.kernel()).append(", ").append(Sizes.human(h.pageSize()))
                .append(" pages, ").append(r.arch().name()).append(" allocation rules)\n");
        sb.append("opened through vfio-pci: ").append(opened.isEmpty() ? "none" : String.join(", ", opened)).append('\n');
        if (!closed.isEmpty()) sb.append("opened, then closed before the hot-add: ").append(String.join(", ", closed)).append('\n');
        if (r.reservations().isEmpty()) sb.append("sub-page reservations held: none\n");
        else {
            sb.append("sub-page reservations held:\n");
            for (var res : r.reservations()) {
                sb.append(String.format("  %x-%x  vfio sub-page reserved  (rest of the page of %s, in %s)%n", res.start(), res.end(), res.owner(), res.under()));
            }
        }
        sb.append("hot-add ").append(r.device()).append(" on bus ").append(r.bus().name()).append(", bus windows:\n");
        for (BusWindow w : r.bus().forEachResource()) sb.append("  ").append(w.describe()).append("  ").append(w.label()).append('\n');
        if (r.bus().forEachResource().isEmpty()) sb.append("  none\n");
        sb.append('\n');
        for (HotAdd.BarOutcome o : r.bars()) {
            var b = o.bar();
            String type = (b.mem64() ? "64-bit" : "32-bit") + (b.prefetch() ? " pref" : "");
            sb.append(String.format("BAR %d  %s %s%n", b.index(), Sizes.human(b.size()), type));
            sb.append("  assigned:              ").append(where(o.withReservations())).append('\n');
            sb.append("  without reservations:  ").append(where(o.withoutReservations())).append('\n');
            if (o.moved() && o.withoutReservations() instanceof Assignment.Assigned wo) {
                var hit = r.reservations().stream().filter(x -> x.overlaps(wo.start(), wo.end())).findFirst();
                sb.append("  the reservation moved it: without it, it would share the page of ")
                        .append(hit.map(HotAdd.Reservation::owner).orElse("an open device's sub-page BAR")).append('\n');
            } else if (o.moved()) {
                sb.append("  the reservations changed whether it fits\n");
            }
            sb.append("  kernel: ").append(o.withReservations().message().replace("\n", "\n  kernel: ")).append('\n');
        }
        sb.append("\n/proc/iomem after the hot-add (with the reservations):\n").append(r.iomemAfter());
        if (!r.iomemAfter().endsWith("\n")) sb.append('\n');
        if (!r.notes().isEmpty()) {
            sb.append("\nnotes:\n");
            for (String n : r.notes()) sb.append("  - ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static String where(Assignment a) {
        if (a instanceof Assignment.Assigned as) return String.format("%x-%x  in %s %s", as.start(), as.end(), as.window().node().name(), as.window().describe());
        if (a instanceof Assignment.NoSpace) return "no space (can't assign; no space)";
        return "bogus alignment";
    }
}
