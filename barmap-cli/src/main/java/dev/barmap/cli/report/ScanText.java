package dev.barmap.cli.report;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Verdict;
import dev.barmap.model.vfio.Sizes;
import java.util.ArrayList;
import java.util.List;

/** {@code barmap scan} as a readable table: one row per present BAR (and ROM), with verdict and reason. */
public final class ScanText {
    private ScanText() {}

    public static String render(ScanResult r, boolean colour) {
        var sb = new StringBuilder();
        sb.append("barmap scan: ").append(r.host().source()).append(" - kernel ").append(r.host().kernel())
                .append(" (vfio-pci rules ").append(r.era()).append("), page size ").append(Sizes.human(r.host().pageSize())).append('\n');
        for (String n : r.notes()) sb.append("note: ").append(n).append('\n');
        sb.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"DEVICE", "ID", "BAR", "HOST RANGE", "SIZE", "TYPE", "VERDICT", "REASON"});
        for (DeviceResult d : r.devices()) {
            String id = String.format("%04x:%04x", d.function().vendor(), d.function().device());
            for (RegionResult rr : d.regions()) {
                if (rr.verdict() == null || rr.verdict() == Verdict.ABSENT) continue;
                var b = d.function().resource(rr.index());
                rows.add(new String[] {d.function().bdf().toString(), id, rr.name(),
                        String.format("%x-%x", rr.hostStart(), rr.hostEnd()), Sizes.human(rr.info().size()),
                        IoResource.describe(b.flags()), rr.verdict().word(), rr.reason()});
            }
        }
        int[] w = new int[8];
        for (String[] row : rows) for (int i = 0; i < 7; i++) w[i] = Math.max(w[i], row[i].length());
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            for (int i = 0; i < 7; i++) {
                String cell = String.format("%-" + w[i] + "s", row[i]);
                if (i == 6 && k > 0) cell = Terminal.paint(colour, switch (row[6]) {
                    case "direct" -> "32";
                    case "partial" -> "33";
                    default -> "31";
                }, cell);
                if (k == 0 && colour) cell = Terminal.paint(true, "1", cell);
                sb.append(cell).append("  ");
            }
            sb.append(row[7]).append('\n');
        }
        if (rows.size() == 1) sb.append("(no PCI functions to pass through)\n");
        sb.append('\n').append(r.count(Verdict.DIRECT)).append(" direct, ").append(r.count(Verdict.PARTIAL)).append(" partial, ")
                .append(r.count(Verdict.TRAPPED)).append(" trapped");
        if (!r.subPageReserved().isEmpty()) {
            sb.append("; ").append(r.subPageReserved().size()).append(" '").append(dev.barmap.model.vfio.SubPageMmapRule.DUMMY_NAME).append("' reservation(s) while open");
        }
        sb.append('\n');
        return sb.toString();
    }
}
