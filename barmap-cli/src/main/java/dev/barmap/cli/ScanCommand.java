package dev.barmap.cli;

import dev.barmap.cli.report.Outputs;
import dev.barmap.cli.report.ScanHtml;
import dev.barmap.cli.report.ScanJson;
import dev.barmap.cli.report.ScanText;
import dev.barmap.cli.report.Terminal;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code barmap scan}: the host side, per BAR: can vfio-pci let userspace mmap it, and why. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Show, for every PCI function as if bound to vfio-pci and opened, which BARs can be mmapped (direct) and which trap, and why."})
public final class ScanCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;

    /** scan's output formats. */
    static final Outputs<ScanResult> OUTPUTS = Outputs.of("scan", r -> ScanText.render(r, Terminal.colour()), r -> ScanJson.render(r),
            r -> ScanHtml.render(r));

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text is the default, html a self-contained page with an SVG page map per device.")
    Format format = Format.text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, spec);
        ScanResult r = Scanner.scan(host.read());
        var out = spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, r));
        out.flush();
        return 0;
    }
}
