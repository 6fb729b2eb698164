package dev.barmap.cli;

import dev.barmap.cli.report.Outputs;
import dev.barmap.cli.report.ScanHtml;
import dev.barmap.cli.report.ScanJson;
import dev.barmap.cli.report.ScanText;
import dev.barmap.cli.report.Terminal;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    static final Outputs<ScanResult> OUTPUTS = Outputs.<ScanResult>of("scan", r -> ScanText.render(r, Terminal.colour()), r -> ScanJson.render(r),
            r -> ScanHtml.render(r)).streaming(Format.html, (r, w) -> ScanHtml.write(r, w));

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text is the default, html a self-contained page with an SVG page map per device.")
    Format format = Format.text;

    @Option(names = "--no-guest", description = "Leave out the GUEST column (the outlook across the VMMs, which runs their models).")
    boolean noGuest;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, spec);
        return scan(host, format, !noGuest, spec.commandLine().getOut());
    }

    static int scan(HostOptions host, Format format, boolean guest, PrintWriter out) {
        var h = host.read();
        ScanResult r = Scanner.scan(h, h.era(), guest);
        OUTPUTS.write(format, r, out);
        out.flush();
        return 0;
    }

    /**
     * The lean path of {@code barmap scan} (issue 16): building picocli's model of a command reads its
     * annotations by reflection (annotation proxies, generated at run time) and initialises picocli's
     * converters, several times the cost of the scan itself. When the arguments are only this
     * command's options, each well-formed and given once, they are read here and the scan runs as
     * {@link #call()} would; anything else (help, version, an unknown or repeated option, a missing or
     * bad value) returns null, and picocli parses the arguments, so usage and errors are picocli's.
     */
    static Integer lean(String[] args, PrintWriter out) {
        var host = new HostOptions();
        Format format = Format.text;
        boolean root = false, pageSize = false, kernel = false, fmt = false, guest = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i], value;
            if (a.equals("--no-guest")) {
                if (!guest) return null;
                guest = false;
                continue;
            }
            if (a.startsWith("@") || i + 1 < args.length && args[i + 1].startsWith("@")) return null; // picocli's @argument files
            int eq = a.indexOf('=');
            String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (eq > 0 && a.startsWith("--")) value = a.substring(eq + 1);
            else if (i + 1 < args.length) value = args[++i];
            else return null;
            if (!name.equals(a) && value.isEmpty() || name.equals(a) && value.startsWith("-")) return null;
            switch (name) {
                case "--root" -> {
                    if (root) return null;
                    root = true;
                    host.root = Path.of(value);
                }
                case "--lspci" -> host.lspci.add(Path.of(value));
                case "--page-size" -> {
                    if (pageSize) return null;
                    pageSize = true;
                    try {
                        host.pageSize = new Sizes().convert(value);
                    } catch (Exception e) {
                        return null;
                    }
                }
                case "--kernel" -> {
                    if (kernel) return null;
                    kernel = true;
                    host.kernel = value;
                }
                case "--format" -> {
                    if (fmt) return null;
                    fmt = true;
                    try {
                        format = Format.valueOf(value);
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        return scan(host, format, guest, out);
    }
}
