package dev.barmap.cli;

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

    @Option(names = "--format", description = "text (default), json, or html (a self-contained page with an SVG page map per device).")
    Format format = Format.text;

    @Option(names = "--no-guest", description = "Leave out the GUEST column (the outlook across the VMMs, which runs their models).")
    boolean noGuest;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var h = host.read();
        ScanResult r = Scanner.scan(h, h.era(), !noGuest);
        var out = spec.commandLine().getOut();
        if (format == Format.json) out.print(ScanJson.render(r));
        else if (format == Format.html) out.print(dev.barmap.cli.report.ScanHtml.render(r));
        else out.print(ScanText.render(r, Terminal.colour()));
        out.flush();
        return 0;
    }
}
