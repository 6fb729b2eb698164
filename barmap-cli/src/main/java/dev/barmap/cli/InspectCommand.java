package dev.barmap.cli;

import dev.barmap.cli.report.InspectJson;
import dev.barmap.cli.report.InspectText;
import dev.barmap.cli.report.Outputs;
import dev.barmap.host.Jail;
import dev.barmap.host.QmpClient;
import dev.barmap.model.BadInputException;
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
                + "trap to QEMU, and why.",
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

    @Option(names = "--qmp-timeout", paramLabel = "SECONDS", defaultValue = "10", description = "How long to wait for QEMU's answers (default 10).")
    int qmpTimeout;

    /** inspect's output formats. */
    static final Outputs<Inspection> OUTPUTS = Outputs.of("inspect", InspectText::render, InspectJson::render, null);

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
        var out = spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, Inspection.of(dump, pageSize)));
        out.flush();
        return 0;
    }
}
