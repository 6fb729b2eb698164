package dev.barmap.host;

import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.lspci.Lspci;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a host from lspci text files ({@code lspci -vvv}, {@code -xxxx}, IOMMU group listings) about
 * one machine. lspci prints neither the page size nor the kernel: they come from the options, else from
 * a {@code capture.properties} beside the files, else defaults, and the host's notes say which.
 */
public final class LspciReader {
    private LspciReader() {}

    /** One or more lspci files about one host. */
    public static Host read(List<Path> files, HostReader.Options options) {
        if (files.isEmpty()) throw new IllegalArgumentException("no lspci file");
        Path dir = files.getFirst().toAbsolutePath().getParent();
        CaptureProperties props = dir == null ? CaptureProperties.parse("-", "") : CaptureProperties.read(Jail.of(dir), dir.resolve("capture.properties"));
        var notes = new ArrayList<String>();
        String arch = props.arch().orElse("x86_64");
        long page;
        if (options.pageSize() != null) page = options.pageSize();
        else if (props.pageSize().isPresent()) page = props.pageSize().get();
        else {
            page = Platform.defaultPageSize(arch);
            notes.add("lspci does not show the page size: assumed " + page + " (" + arch + " default); give --page-size if the host differs");
        }
        String release;
        if (options.kernelRelease() != null) release = options.kernelRelease();
        else if (props.kernelRelease().isPresent()) release = props.kernelRelease().get();
        else {
            release = "6.1.0";
            notes.add("lspci does not show the kernel: assumed 6.1 (vfio-pci rules of 4.16-6.14); give --kernel if the host differs");
        }
        KernelRelease kernel;
        Platform platform;
        try {
            kernel = KernelRelease.parse(release);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--kernel", 0, e.getMessage());
        }
        try {
            platform = new Platform(arch, page);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--page-size", 0, e.getMessage());
        }
        var inputs = new ArrayList<Lspci.Input>();
        for (Path f : files) {
            String text = HostReader.readOptional(f);
            if (text == null) throw new BadInputException(f.toString(), 0, "no such file");
            inputs.add(new Lspci.Input(f.toString(), text));
        }
        String source = files.size() == 1 ? files.getFirst().toString() : dir + " (" + files.size() + " lspci files)";
        return Lspci.host(source, platform, kernel, inputs, notes);
    }

    /** The lspci files of a directory: {@code *.txt}, {@code lspci*} and {@code iommu*} files whose text looks like lspci. */
    public static List<Path> filesIn(Path dir) {
        Jail jail = Jail.of(dir);
        try (Stream<Path> s = Files.list(dir)) {
            var out = new ArrayList<Path>();
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!Files.isRegularFile(p) || n.equals("capture.properties") || n.startsWith(".")) continue;
                if (n.endsWith(".txt") || n.startsWith("lspci") || n.startsWith("iommu")) {
                    String text = jail.read(p, Jail.TEXT_CAP);
                    if (text != null && Lspci.looksLikeLspci(text)) out.add(p);
                }
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(dir.toString(), 0, "cannot list: " + e.getMessage());
        }
    }

    /**
     * Any host input: a captured or live root directory (has {@code sys/}), a directory of lspci files,
     * or one lspci file.
     */
    public static Host readAny(Path path, HostReader.Options options) {
        if (Files.isRegularFile(path)) return read(List.of(path), options);
        if (!Files.isDirectory(path)) throw new BadInputException(path.toString(), 0, "no such file or directory");
        if (Files.isDirectory(path.resolve("sys")) || path.toAbsolutePath().normalize().toString().equals("/")) {
            return HostReader.read(path, options);
        }
        List<Path> files = filesIn(path);
        if (files.isEmpty()) {
            throw new BadInputException(path.toString(), 0, "neither a host root (no sys/) nor a directory with lspci output (*.txt, lspci*)");
        }
        return read(files, options);
    }
}
