package dev.barmap.cli.report;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.scan.Check;
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
        if (!r.host().blockers().isEmpty()) {
            // the banner: nothing below can happen on this host until these are fixed
            sb.append(Terminal.paint(colour, "31", "THIS HOST CANNOT PASS DEVICES THROUGH:")).append('\n');
            for (var b : r.host().blockers()) sb.append("  - ").append(b.describe()).append('\n');
            sb.append("  the verdicts below are what vfio-pci would do once it can\n");
        }
        for (String n : r.notes()) sb.append("note: ").append(n).append('\n');
        sb.append('\n');
        List<String[]> rows = new ArrayList<>();
        boolean guest = !r.guest().isEmpty();
        rows.add(guest ? new String[] {"DEVICE", "ID", "BAR", "HOST RANGE", "SIZE", "TYPE", "CHECK", "VERDICT", "GUEST (every VMM, SeaBIOS placement)", "REASON"}
                : new String[] {"DEVICE", "ID", "BAR", "HOST RANGE", "SIZE", "TYPE", "CHECK", "VERDICT", "REASON"});
        var noBars = new ArrayList<String>();
        for (DeviceResult d : r.devices()) {
            String id = String.format("%04x:%04x", d.function().vendor(), d.function().device());
            if (d.regions().stream().noneMatch(rr -> rr.verdict() != null && rr.verdict() != Verdict.ABSENT)) noBars.add(d.function().bdf().toString());
            for (RegionResult rr : d.regions()) {
                if (rr.verdict() == null || rr.verdict() == Verdict.ABSENT) continue;
                var b = d.function().resource(rr.index());
                String[] row = {d.function().bdf().toString(), id, rr.name(),
                        String.format("%x-%x", rr.hostStart(), rr.hostEnd()), Sizes.human(rr.info().size()),
                        IoResource.describe(b.flags()), Check.of(rr, b).name(), rr.verdict().word(), rr.reason()};
                if (guest) {
                    // the ROM is not in plan's model (no VMM maps it): "-"
                    row = new String[] {row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                            java.util.Objects.requireNonNullElse(r.guest(d, rr), "-"), row[8]};
                }
                rows.add(row);
            }
        }
        int last = rows.getFirst().length - 1;
        int[] w = new int[last + 1];
        for (String[] row : rows) for (int i = 0; i < last; i++) w[i] = Math.max(w[i], row[i].length());
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            for (int i = 0; i < last; i++) {
                String cell = String.format("%-" + w[i] + "s", row[i]);
                if (i == 6 && k > 0) cell = Terminal.paint(colour, checkColour(row[6]), cell);
                if (k == 0 && colour) cell = Terminal.paint(true, "1", cell);
                sb.append(cell).append("  ");
            }
            sb.append(row[last]).append('\n');
        }
        if (r.devices().isEmpty()) sb.append("(no PCI functions to pass through)\n");
        else if (!noBars.isEmpty()) {
            // the same functions the JSON lists: they are there, with no BAR the input shows
            sb.append("(no BAR modelled for ").append(String.join(", ", noBars)).append(": the input shows none, or not its size; see the notes)\n");
        }
        sb.append('\n').append(summary(r)).append('\n');
        sb.append(r.count(Verdict.DIRECT)).append(" direct, ").append(r.count(Verdict.PARTIAL)).append(" partial, ")
                .append(r.count(Verdict.TRAPPED)).append(" trapped");
        if (!r.subPageReserved().isEmpty()) {
            sb.append("; ").append(r.subPageReserved().size()).append(" '").append(dev.barmap.model.vfio.SubPageMmapRule.DUMMY_NAME).append("' reservation(s) while open");
        }
        sb.append('\n');
        return sb.toString();
    }

    /** ANSI colour for a check word: green PASS, yellow WARN, red FAIL, plain INFO. */
    public static String checkColour(String word) {
        return switch (word) {
            case "PASS" -> "32";
            case "WARN" -> "33";
            case "FAIL" -> "31";
            default -> "0";
        };
    }

    /** "N PASS, N WARN, N FAIL, N INFO" over the BARs and ROMs of a scan. */
    public static String summary(ScanResult r) {
        var counts = new java.util.EnumMap<Check, Integer>(Check.class);
        for (Check c : Check.values()) counts.put(c, 0);
        for (DeviceResult d : r.devices()) {
            for (RegionResult rr : d.regions()) {
                Check c = Check.of(rr, d.function().resource(rr.index()));
                if (c != null) counts.merge(c, 1, Integer::sum);
            }
        }
        return counts.get(Check.PASS) + " PASS, " + counts.get(Check.WARN) + " WARN, " + counts.get(Check.FAIL) + " FAIL, " + counts.get(Check.INFO) + " INFO";
    }
}
