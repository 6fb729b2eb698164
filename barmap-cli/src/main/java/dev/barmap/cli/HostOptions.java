package dev.barmap.cli;

import dev.barmap.host.HostReader;
import dev.barmap.model.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that read one host. */
public final class HostOptions {
    @Option(names = "--root", paramLabel = "DIR", description = "Host root: / for this machine (default), or a captured directory.")
    public Path root = Path.of("/");

    @Option(names = "--page-size", paramLabel = "BYTES", converter = Sizes.class,
            description = "Page size to assume (e.g. 4096, 16K, 64K): what if this host ran another page size.")
    public Long pageSize;

    @Option(names = "--kernel", paramLabel = "RELEASE", description = "Kernel release whose vfio-pci rules to apply (e.g. 4.15, 6.1.0-56-amd64).")
    public String kernel;

    public Host read() {
        if (!Files.isDirectory(root)) throw new dev.barmap.model.BadInputException(root.toString(), 0, "not a directory");
        return HostReader.read(root, new HostReader.Options(pageSize, kernel));
    }
}
