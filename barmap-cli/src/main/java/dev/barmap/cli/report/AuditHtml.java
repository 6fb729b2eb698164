package dev.barmap.cli.report;

import static dev.barmap.cli.report.ScanHtml.esc;

import dev.barmap.model.audit.Audit;
import dev.barmap.model.audit.Finding;
import dev.barmap.model.scan.Check;
import dev.barmap.model.vfio.Sizes;
import java.util.Locale;

/**
 * {@code barmap audit --format html}: one self-contained page (inline CSS, no scripts, nothing fetched) with the
 * same findings, in the same order, as the text and JSON: severity, kind, devices, BAR, message and fix.
 */
public final class AuditHtml {
    private AuditHtml() {}

    public static String render(Audit.Report r) {
        var h = r.scan().host();
        var sb = new StringBuilder(8192);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc("barmap audit: " + h.source()))
                .append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n<h1>barmap audit</h1>\n<p class=\"meta\">")
                .append(esc(h.source())).append(" &middot; kernel ").append(esc(h.kernel().toString())).append(" &middot; page size ")
                .append(esc(Sizes.human(h.pageSize()))).append("</p>\n<p class=\"summary\">").append(r.count(Check.FAIL)).append(" FAIL, ")
                .append(r.count(Check.WARN)).append(" WARN, ").append(r.count(Check.INFO)).append(" INFO</p>\n");
        if (!r.scan().notes().isEmpty()) {
            sb.append("<ul class=\"notes\">\n");
            for (String n : r.scan().notes()) sb.append("<li>").append(esc(n)).append("</li>\n");
            sb.append("</ul>\n");
        }
        if (r.findings().isEmpty()) sb.append("<p>No findings.</p>\n");
        else {
            sb.append("<table><thead><tr><th>severity</th><th>kind</th><th>devices</th><th>BAR</th><th>finding</th><th>fix</th></tr></thead><tbody>\n");
            for (Finding f : r.findings()) {
                sb.append("<tr><td class=\"sev ").append(f.severity().name().toLowerCase(Locale.ROOT)).append("\">").append(f.severity()).append("</td><td>")
                        .append(esc(f.kind())).append("</td><td class=\"mono\">").append(esc(String.join(" ", f.devices()))).append("</td><td>")
                        .append(esc(f.bar())).append("</td><td>").append(esc(f.message())).append("</td><td class=\"mono\">").append(esc(f.fix()))
                        .append("</td></tr>\n");
            }
            sb.append("</tbody></table>\n");
        }
        r.resourceAlignment().ifPresent(p -> sb.append("<p>Kernel command line to give every trapped BAR a page of its own: <code>").append(esc(p))
                .append("</code></p>\n"));
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
            h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #57606a; } .summary { font-weight: 600; }
            .notes { color: #57606a; font-size: 12px; }
            table { border-collapse: collapse; font-size: 12px; } th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; vertical-align: top; }
            td.mono, code { font-family: ui-monospace, monospace; word-break: break-all; }
            td.sev { font-weight: 700; } td.sev.fail { color: #cf222e; } td.sev.warn { color: #9a6700; } td.sev.info { color: #57606a; }
            """;
}
