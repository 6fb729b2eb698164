package dev.barmap.cli;

import dev.barmap.host.HostReader;
import dev.barmap.model.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that read one host. */
public final class HostOptions {
    @Option(names = "--root", paramLabel = "DIR", description = "Host root: / for this machine (default), a captured directory, "
            + "a directory of lspci output files, or one lspci file.")
    public Path root = Path.of("/");

    @Option(names = "--lspci", paramLabel = "FILE", description = "Read the host from lspci -vvv / -xxxx output or an IOMMU group listing "
            + "instead of sysfs (repeatable: files about one host are merged).")
    public java.util.List<Path> lspci = new java.util.ArrayList<>();

    @Option(names = "--page-size", paramLabel = "BYTES", converter = Sizes.class,
            description = "Page size to assume (e.g. 4096, 16K, 64K): what if this host ran another page size.")
    public Long pageSize;

    @Option(names = "--kernel", paramLabel = "RELEASE", description = "Kernel release whose vfio-pci rules to apply (e.g. 4.15, 6.1.0-56-amd64).")
    public String kernel;

    public Host read() {
        var options = new HostReader.Options(pageSize, kernel);
        if (!lspci.isEmpty()) return dev.barmap.host.LspciReader.read(lspci, options);
        return read(root, options);
    }

    /** The host at {@code root}: / or a capture directory through sysfs, else lspci output (a directory of files, or one file). */
    public static Host read(Path root, HostReader.Options options) {
        if (!Files.isDirectory(root) || !Files.isDirectory(root.resolve("sys")) && !root.toAbsolutePath().normalize().toString().equals("/")) {
            return dev.barmap.host.LspciReader.readAny(root, options);
        }
        return HostReader.read(root, options);
    }
}
