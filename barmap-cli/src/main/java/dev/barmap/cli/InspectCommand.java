package dev.barmap.cli;

import dev.barmap.cli.report.InspectJson;
import dev.barmap.cli.report.InspectText;
import dev.barmap.cli.report.Outputs;
import dev.barmap.host.Jail;
import dev.barmap.host.QmpClient;
import dev.barmap.cli.report.InspectReport;
import dev.barmap.host.HostReader;
import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.vmm.qemu.monitor.Prediction;
import java.nio.file.Files;
import java.util.Optional;
import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code barmap inspect}: a running QEMU's passed-through BARs, page by page: direct or trapped, and why. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Read a running QEMU's memory map (over QMP, or pasted monitor output of info mtree -f, info mtree and info pci) and "
                + "show, for every BAR it passes through with vfio-pci, which guest pages reach the device directly under KVM and which "
                + "trap to QEMU, and why; where the QEMU host's files can be read (--root, or this machine with --qmp), also where that "
                + "differs from barmap's prediction for the host.",
                "Exit code 0 when answered (trapped pages are not an error), 2 on bad input."})
public final class InspectCommand implements Callable<Integer> {
    /** Where the monitor output comes from: a live QEMU or files. */
    static final class Input {
        @Option(names = "--qmp", paramLabel = "SOCKET",
                description = "A running QEMU's QMP socket (-qmp unix:SOCKET,server=on,wait=off); barmap runs info pci, info mtree and "
                        + "info mtree -f through human-monitor-command.")
        Path qmp;

        @Parameters(paramLabel = "FILE", arity = "1..*",
                description = "Files of QEMU monitor output: info mtree -f, info mtree and info pci, in one file or several (a pasted "
                        + "session with (qemu) prompts is fine).")
        List<Path> files;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--page-size", paramLabel = "BYTES", converter = Sizes.class, defaultValue = "4096",
            description = "QEMU's host page size (4096 on x86_64; 16K or 64K on some arm64 and POWER hosts). Default 4096.")
    long pageSize;

    @Option(names = "--root", paramLabel = "DIR",
            description = "The QEMU host's files, to compare QEMU's map with barmap's prediction for that host: / (this machine), a "
                    + "captured directory (barmap capture), or lspci output, as scan --root reads them. Default: with --qmp, this machine "
                    + "when /sys/bus/pci/devices is readable; with files, none (no prediction).")
    Path root;

    @Option(names = "--qmp-timeout", paramLabel = "SECONDS", defaultValue = "10", description = "How long to wait for QEMU's answers (default 10).")
    int qmpTimeout;

    /** inspect's output formats. */
    static final Outputs<InspectReport> OUTPUTS = Outputs.of("inspect", InspectText::render, InspectJson::render, null);

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text (the default): one block per passed-through BAR, its pages as runs.")
    Format format = Format.text;

    @Spec
    CommandSpec spec;

    /** The HMP commands barmap needs, in the order it asks them. */
    static final List<String> COMMANDS = List.of("info pci", "info mtree", "info mtree -f");

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, spec);
        if (pageSize != 4096 && pageSize != 16384 && pageSize != 65536) {
            throw new BadInputException("--page-size", 0, pageSize + " is not a host page size Linux runs QEMU on (4K, 16K or 64K)");
        }
        MonitorDump dump;
        if (input.qmp != null) {
            if (qmpTimeout <= 0) throw new BadInputException("--qmp-timeout", 0, "must be at least 1 second");
            List<String> out = QmpClient.hmp(input.qmp, COMMANDS, qmpTimeout * 1000L);
            var names = new ArrayList<String>();
            for (String c : COMMANDS) names.add("qmp:" + input.qmp + " (" + c + ")");
            dump = MonitorDump.parseAll("qmp:" + input.qmp, names, out);
        } else {
            var names = new ArrayList<String>();
            var texts = new ArrayList<String>();
            for (Path f : input.files) {
                String text;
                try {
                    text = Jail.NONE.read(f, Jail.TEXT_CAP); // a regular file within the cap (never a FIFO)
                } catch (InvalidPathException e) {
                    text = null;
                }
                if (text == null) throw new BadInputException(f.toString(), 0, "no such file");
                names.add(f.toString());
                texts.add(text);
            }
            dump = MonitorDump.parseAll(String.join(", ", names), names, texts);
        }
        Inspection inspection = Inspection.of(dump, pageSize);
        Prediction prediction = predict(dump, inspection);
        var out = spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, new InspectReport(inspection, prediction)));
        out.flush();
        return 0;
    }

    /** Where live host files are looked for when --qmp is given without --root. */
    static final Path LIVE_ROOT = Path.of("/");

    /**
     * barmap's prediction for the host's files: --root when given (its errors are bad input, exit 2); with --qmp the
     * live host when its sysfs PCI directory is readable (QMP's socket is local, so QEMU runs here; a failure to read
     * it only means no prediction); otherwise none.
     */
    Prediction predict(MonitorDump dump, Inspection inspection) {
        Host host;
        if (root != null) {
            host = HostOptions.read(root, HostReader.Options.NONE);
        } else if (input.qmp == null) {
            return new Prediction.NotMade(Optional.empty(), new Prediction.Why.NoHostGiven());
        } else {
            Path pci = LIVE_ROOT.resolve("sys/bus/pci/devices");
            if (!Files.isDirectory(pci) || !Files.isReadable(pci)) {
                return new Prediction.NotMade(Optional.of("live host"), new Prediction.Why.LiveHostUnreadable(pci.toString(), "not a readable directory"));
            }
            try {
                host = HostReader.read(LIVE_ROOT);
            } catch (BadInputException | java.io.UncheckedIOException e) {
                return new Prediction.NotMade(Optional.of("live host"), new Prediction.Why.LiveHostUnreadable(LIVE_ROOT.toString(), e.getMessage()));
            }
        }
        if (host.pageSize() != pageSize) return new Prediction.NotMade(Optional.of(host.source()), new Prediction.Why.PageSizeDiffers(host.pageSize(), pageSize));
        return Prediction.of(dump, inspection, host.source(), HostDevices.of(host));
    }
}
