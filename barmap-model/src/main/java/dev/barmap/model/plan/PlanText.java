package dev.barmap.model.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link Plan} as the side-by-side table {@code barmap plan} prints (one row per BAR, one column per VMM). */
public final class PlanText {
    private PlanText() {}

    public static String render(Plan plan, String title) {
        var sb = new StringBuilder();
        sb.append("barmap plan: ").append(title).append(" - guest placement ").append(plan.firmware())
                .append(", host page ").append(size(plan.hostPageSize())).append("\n\n");
        // rows: BARs in the order of the first column
        Map<String, String[]> rows = new LinkedHashMap<>();
        var header = new ArrayList<String>(List.of("BAR", "HOST", "SIZE"));
        int ncol = plan.columns().size();
        for (int c = 0; c < ncol; c++) {
            VmmColumn col = plan.columns().get(c);
            header.add(col.label());
            for (BarVerdict v : col.bars()) {
                String key = v.device() + " " + barName(v.bar());
                String[] row = rows.computeIfAbsent(key, k -> {
                    String[] r = new String[3 + ncol];
                    r[0] = k;
                    r[1] = Long.toHexString(v.hostStart());
                    r[2] = size(v.hostSize());
                    return r;
                });
                row[3 + c] = cell(v, plan.hostPageSize());
            }
        }
        var table = new ArrayList<String[]>();
        table.add(header.toArray(String[]::new));
        table.addAll(rows.values());
        int[] w = new int[header.size()];
        for (String[] r : table) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i] == null ? 1 : r[i].length());
        for (String[] r : table) {
            for (int i = 0; i < r.length; i++) {
                String s = r[i] == null ? "-" : r[i];
                sb.append(i == r.length - 1 ? s : pad(s, w[i] + 2));
            }
            sb.append('\n');
        }
        // details
        sb.append('\n');
        for (VmmColumn col : plan.columns()) {
            sb.append(col.label()).append(":\n");
            if (!col.placement().isEmpty() && !col.placement().equals(plan.firmware())) {
                sb.append("  BAR addresses from ").append(col.placement()).append(" (the VMM's own allocator; the guest keeps them)\n");
            }
            if (col.failure() != null) {
                sb.append("  does not start: ").append(col.failure().shown()).append("\n    (").append(col.failure().source()).append(")\n");
            }
            for (BarVerdict v : col.bars()) {
                if (v.summary() == BarVerdict.Summary.FAILED) continue;
                sb.append("  ").append(v.device()).append(' ').append(barName(v.bar()));
                if (v.guestAddress() >= 0) sb.append(" at ").append(Long.toHexString(v.guestAddress())).append(" (").append(size(v.guestSize())).append(")");
                sb.append(":\n");
                if (!v.note().isEmpty() && v.pages().stream().noneMatch(r -> r.detail().contains(v.note()))) {
                    sb.append("    note: ").append(v.note()).append('\n');
                }
                for (PageRun r : v.pages()) {
                    sb.append("    ");
                    if (r.guestStart() >= 0) {
                        sb.append(Long.toHexString(r.guestStart())).append('-').append(Long.toHexString(r.guestEnd() - 1)).append(' ');
                    }
                    switch (r.state()) {
                        case DIRECT -> sb.append("direct → host ").append(Long.toHexString(r.hostStart()));
                        case SHADOWED -> sb.append("SHADOWED by ").append(r.shadowedBy()).append("'s slot → host ").append(Long.toHexString(r.hostStart()));
                        case TRAPPED -> sb.append("trapped: ").append(String.join("; ", r.reasons().stream().map(TrapReason::text).toList()));
                    }
                    if (!r.detail().isEmpty()) sb.append(" (").append(r.detail()).append(')');
                    sb.append('\n');
                }
            }
            for (String wmsg : col.warnings()) sb.append("  warning: ").append(wmsg).append('\n');
            if (col.violations().isEmpty()) sb.append("  isolation: ok\n");
            else for (IsolationViolation iv : col.violations()) sb.append("  ISOLATION VIOLATED: ").append(iv).append('\n');
        }
        return sb.toString();
    }

    /** The table cell for one BAR under one VMM. */
    static String cell(BarVerdict v, long page) {
        return switch (v.summary()) {
            case FAILED -> "FAILS";
            case DIRECT -> "direct " + pages(v, PageRun.State.DIRECT, page);
            case SHADOWED -> "SHADOWED";
            case PARTIAL -> "partial " + pages(v, PageRun.State.DIRECT, page) + "/" + totalPages(v, page) + " (" + shortReason(v.mainReason()) + ")";
            case TRAPPED -> "trapped (" + shortReason(v.mainReason()) + ")";
        };
    }

    static String shortReason(TrapReason r) {
        if (r == null) return "?";
        return switch (r) {
            case IO_PORT -> "I/O port";
            case UNASSIGNED -> "unassigned";
            case NOT_EXPOSED -> "not exposed";
            case NOT_MMAPPABLE -> "host: no mmap";
            case MSIX_TABLE -> "MSI-X table";
            case MSIX_PBA -> "MSI-X PBA";
            case VMM_QUIRK -> "VMM quirk";
            case BEYOND_HOST_BAR -> "relocated MSI-X";
            case SHARED_WITH_GUEST_BAR -> "page shared";
            case SLOT_MISALIGNED -> "misaligned";
            case SUB_PAGE -> "sub-page";
            case VMM_POLICY -> "VMM policy";
        };
    }

    private static String pages(BarVerdict v, PageRun.State s, long page) {
        long n = v.pages().stream().filter(r -> r.state() == s && r.guestStart() >= 0).mapToLong(r -> r.pages(page)).sum();
        return n + (n == 1 ? " page" : " pages");
    }

    private static long totalPages(BarVerdict v, long page) {
        return v.pages().stream().filter(r -> r.guestStart() >= 0).mapToLong(r -> r.pages(page)).sum();
    }

    static String barName(int i) { return i == 6 ? "ROM" : "BAR" + i; }

    static String pad(String s, int n) { return s.length() >= n ? s : s + " ".repeat(n - s.length()); }

    /** 16 B, 4 KiB, 64 KiB, 1 MiB. */
    public static String size(long b) {
        if (b >= (1L << 30) && b % (1L << 30) == 0) return (b >> 30) + " GiB";
        if (b >= (1L << 20) && b % (1L << 20) == 0) return (b >> 20) + " MiB";
        if (b >= 1024 && b % 1024 == 0) return (b >> 10) + " KiB";
        return b + " B";
    }
}
