package dev.barmap.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.cli.report.Outputs;
import dev.barmap.cli.report.ScanText;
import dev.barmap.cli.report.Terminal;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.audit.Audit;
import dev.barmap.model.audit.Finding;
import dev.barmap.model.scan.Check;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code barmap audit}: isolation and mapping findings for one host, each with a fix. Exit 1 when any is FAIL. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Check a host for pages shared across IOMMU groups or drivers, BARs that trap, BARs that would trap with larger pages, "
                + "and MSI-X tables sharing a page with registers; print each finding with a fix.",
                "Exit status: 0 no FAIL finding, 1 at least one FAIL finding, 2 bad input."})
public final class AuditCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;

    /** audit's output formats. */
    static final Outputs<Audit.Report> OUTPUTS = Outputs.of("audit", r -> text(r, Terminal.colour()), r -> json(r),
            r -> dev.barmap.cli.report.AuditHtml.render(r));

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text is the default, html a self-contained page.")
    Format format = Format.text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, spec);
        Audit.Report r = Audit.run(host.read());
        var out = spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, r));
        out.flush();
        return r.count(Check.FAIL) > 0 ? 1 : 0;
    }

    public static String text(Audit.Report r, boolean colour) {
        var sb = new StringBuilder();
        var h = r.scan().host();
        sb.append("barmap audit: ").append(h.source()).append(" - kernel ").append(h.kernel()).append(", page size ")
                .append(dev.barmap.model.vfio.Sizes.human(h.pageSize())).append('\n');
        for (String n : r.scan().notes()) sb.append("note: ").append(n).append('\n');
        sb.append('\n');
        int kw = "KIND".length(), dw = "DEVICE".length();
        for (Finding f : r.findings()) {
            kw = Math.max(kw, f.kind().length());
            dw = Math.max(dw, where(f).length());
        }
        if (r.findings().isEmpty()) sb.append("no findings\n");
        else sb.append(Terminal.paint(colour, "1", String.format("%-4s  %-" + kw + "s  %-" + dw + "s  %s", "", "KIND", "DEVICE", "FINDING"))).append('\n');
        String indent = " ".repeat(4 + 2 + kw + 2 + dw + 2);
        for (Finding f : r.findings()) {
            sb.append(Terminal.paint(colour, ScanText.checkColour(f.severity().name()), String.format("%-4s", f.severity())))
                    .append(String.format("  %-" + kw + "s  %-" + dw + "s  ", f.kind(), where(f))).append(f.message()).append('\n');
            if (!f.fix().isEmpty()) sb.append(indent).append("fix: ").append(f.fix()).append('\n');
        }
        sb.append('\n').append(r.count(Check.FAIL)).append(" FAIL, ").append(r.count(Check.WARN)).append(" WARN, ")
                .append(r.count(Check.INFO)).append(" INFO\n");
        r.resourceAlignment().ifPresent(p -> sb.append("kernel command line to give every trapped BAR a page of its own: ").append(p).append('\n'));
        return sb.toString();
    }

    private static String where(Finding f) {
        if (f.devices().isEmpty()) return "-";
        if (f.kind().equals("shared-page")) return f.devices().getFirst() + (f.devices().size() > 1 ? " +" + (f.devices().size() - 1) : "");
        return f.devices().getFirst() + (f.bar().isEmpty() ? "" : " " + f.bar());
    }

    public static String json(Audit.Report r) {
        ObjectNode root = ProbeJson.MAPPER.createObjectNode();
        root.put("source", r.scan().host().source());
        root.put("kernelRelease", r.scan().host().kernel().toString());
        root.put("pageSize", r.scan().host().pageSize());
        ObjectNode counts = root.putObject("counts");
        for (Check c : new Check[] {Check.FAIL, Check.WARN, Check.INFO}) counts.put(c.name(), r.count(c));
        ArrayNode arr = root.putArray("findings");
        for (Finding f : r.findings()) {
            ObjectNode o = arr.addObject();
            o.put("severity", f.severity().name());
            o.put("kind", f.kind());
            ArrayNode d = o.putArray("devices");
            f.devices().forEach(d::add);
            if (!f.bar().isEmpty()) o.put("bar", f.bar());
            o.put("message", f.message());
            if (!f.fix().isEmpty()) o.put("fix", f.fix());
        }
        r.resourceAlignment().ifPresent(p -> root.put("resourceAlignment", p));
        ArrayNode notes = root.putArray("notes");
        r.scan().notes().forEach(notes::add);
        try {
            return ProbeJson.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
