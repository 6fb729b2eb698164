package dev.barmap.cli;

import dev.barmap.vfio.capture.CaptureWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code barmap capture}: write this machine (as root) in the capture layout barmap reads; with
 * {@code --probe}, also open every non-bridge function bound to vfio-pci through the FFM binding and
 * record what the kernel answered (expected/vfio.json, expected/iomem-open).
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Write this host (run as root) as a capture directory: proc/iomem, the sysfs files of every PCI function, capture.properties.",
                "With --probe, also open every non-bridge function bound to vfio-pci through VFIO and record region info, mmap/pread outcomes and /proc/iomem while open (expected/)."})
public final class CaptureCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to create (must not exist or be empty).")
    Path out;

    @Option(names = "--probe", description = "Open every function bound to vfio-pci and record what the kernel answers.")
    boolean probe;

    @Option(names = "--root", hidden = true, paramLabel = "DIR", description = "Read procfs and sysfs under DIR instead of / (for tests).")
    Path root = Path.of("/");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CaptureWriter.Result r;
        try {
            r = new CaptureWriter(root).write(out, probe);
        } catch (dev.barmap.model.vfio.VfioException e) {
            // the kernel refused a VFIO call: the host cannot be probed as asked; nothing written
            throw new dev.barmap.model.BadInputException("--probe", 0, "capture failed, nothing written: " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            // a procfs/sysfs file could not be read or the capture not written: the reason, nothing half-written
            throw new Main.OutputFailure("the capture (nothing written)", e.getCause() instanceof java.io.IOException io ? new java.io.IOException(e.getMessage(), io) : new java.io.IOException(e.getMessage()));
        }
        var w = spec.commandLine().getOut();
        w.println("barmap: captured " + r.functions() + " PCI functions to " + r.dir()
                + (probe ? "; probed " + r.probed().size() + " vfio-pci functions: " + String.join(" ", r.probed()) : ""));
        // not root: the capture is written, but partial, and says so (also as 'partial=' in its capture.properties)
        for (String p : r.partial()) spec.commandLine().getErr().println("barmap: warning: the capture is partial: " + p);
        w.flush();
        return 0;
    }
}
