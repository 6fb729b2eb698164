package dev.barmap.host;

import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Blocker;
import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.ConfigSpace;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.pci.SysfsResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a Linux host from a root directory: {@code /} for the live machine, or a capture laid out the
 * same way ({@code proc/iomem}, {@code sys/bus/pci/devices/BDF/{resource,config,vendor,device,class,
 * iommu_group}}, optional {@code capture.properties} with pageSize, kernelRelease, arch).
 */
public final class HostReader {
    /** Overrides from the command line; null fields mean "from the host". */
    public record Options(Long pageSize, String kernelRelease) {
        public static final Options NONE = new Options(null, null);
    }

    private HostReader() {}

    public static Host read(Path root) {
        return read(root, Options.NONE);
    }

    public static Host read(Path root, Options options) {
        boolean live = root.toAbsolutePath().normalize().toString().equals("/");
        var notes = new ArrayList<String>();
        CaptureProperties props = CaptureProperties.read(root.resolve("capture.properties"));
        String arch = props.arch().orElseGet(() -> live ? LiveFacts.arch() : "x86_64");
        long page;
        if (options.pageSize() != null) page = options.pageSize();
        else if (props.pageSize().isPresent()) page = props.pageSize().get();
        else if (live) page = LiveFacts.pageSize();
        else {
            page = Platform.defaultPageSize(arch);
            notes.add("capture.properties gives no pageSize: assumed " + page + " for " + arch);
        }
        String release;
        if (options.kernelRelease() != null) release = options.kernelRelease();
        else if (props.kernelRelease().isPresent()) release = props.kernelRelease().get();
        else if (live) release = LiveFacts.kernelRelease();
        else {
            release = "6.1.0";
            notes.add("capture.properties gives no kernelRelease: assumed 6.1 (vfio-pci rules of 4.16-6.14)");
        }
        KernelRelease kernel;
        try {
            kernel = KernelRelease.parse(release);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(options.kernelRelease() != null ? "--kernel" : root.resolve("capture.properties").toString(), 0, e.getMessage());
        }
        Platform platform;
        try {
            platform = new Platform(arch, page);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(options.pageSize() != null ? "--page-size" : root.resolve("capture.properties").toString(), 0, e.getMessage());
        }
        SortedMap<Bdf, PciFunction> functions = readFunctions(root, notes);
        Path iomem = root.resolve("proc/iomem");
        String iomemText = readOptional(iomem);
        Host host = HostBuilder.build(live ? "live host" : root.toString(), platform, kernel, iomem.toString(), iomemText, functions, notes);
        String cmdline = live ? readOptional(root.resolve("proc/cmdline")) : props.cmdline().orElse(null);
        return host.withBlockers(blockers(root, functions, cmdline));
    }

    /** What the input shows stops every passthrough; nothing for what it does not show. */
    static List<Blocker> blockers(Path root, SortedMap<Bdf, PciFunction> functions, String cmdline) {
        var out = new ArrayList<Blocker>();
        if (cmdline != null) {
            for (String p : cmdline.trim().split("\\s+")) {
                // intel_iommu=off (drivers/iommu/intel/iommu.c intel_iommu_setup), amd_iommu=off (amd/init.c parse_amd_iommu_options),
                // iommu=off (arch/x86/kernel/pci-dma.c iommu_setup sets no_iommu, which intel_iommu_init checks)
                if (p.equals("intel_iommu=off") || p.equals("amd_iommu=off") || p.equals("iommu=off")) out.add(new Blocker(Blocker.Kind.IOMMU_OFF, p));
            }
        }
        if (!functions.isEmpty() && functions.values().stream().noneMatch(f -> f.iommuGroup().isPresent())) {
            out.add(new Blocker(Blocker.Kind.NO_IOMMU_GROUPS, "no function under sys/bus/pci/devices has an iommu_group link"));
        }
        // drivers and modules: only when the input records them (a live host does; captures do not)
        Path drivers = root.resolve("sys/bus/pci/drivers"), modules = root.resolve("sys/module");
        boolean boundToVfio = functions.values().stream().anyMatch(f -> f.driver().filter("vfio-pci"::equals).isPresent());
        if (!boundToVfio && Files.isDirectory(drivers) && Files.isDirectory(modules)
                && !Files.exists(drivers.resolve("vfio-pci")) && !Files.exists(modules.resolve("vfio_pci"))) {
            out.add(new Blocker(Blocker.Kind.NO_VFIO_PCI, "neither " + drivers.resolve("vfio-pci") + " nor " + modules.resolve("vfio_pci")));
        }
        return out;
    }

    private static SortedMap<Bdf, PciFunction> readFunctions(Path root, List<String> notes) {
        Path dir = root.resolve("sys/bus/pci/devices");
        SortedMap<Bdf, PciFunction> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            notes.add("no " + dir + ": no PCI functions");
            return out;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(dir.toString(), 0, "cannot list: " + e.getMessage());
        }
        boolean configDenied = false;
        for (Path p : entries) {
            String name = p.getFileName().toString();
            Bdf bdf;
            try {
                bdf = Bdf.parse(name);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(p.toString(), 0, "directory name is not a PCI address (DDDD:BB:DD.F)");
            }
            int vendor = (int) hexFile(p.resolve("vendor"), 0xffff);
            int device = (int) hexFile(p.resolve("device"), 0xffff);
            int cls = (int) hexFile(p.resolve("class"), 0xffffff);
            Path resFile = p.resolve("resource");
            String resText = readOptional(resFile);
            if (resText == null) throw new BadInputException(resFile.toString(), 0, "missing");
            List<Bar> resources = SysfsResource.parse(resFile.toString(), resText);
            Optional<MsixCapability> msix = Optional.empty();
            boolean msixKnown = false;
            Optional<Integer> cfgSize = Optional.empty();
            Path cfgFile = p.resolve("config");
            // Only the first 256 bytes: the MSI-X capability is a standard one (pci_find_capability walks
            // 0x40-0xff), and every config dword read is a real config cycle (a VM exit in a guest): reading
            // 4 KiB per function cost ~5 ms each on a VM (P1). The extended space's presence is the file's
            // size: sysfs sizes 'config' to pdev->cfg_size (drivers/pci/pci-sysfs.c, pci_create_sysfs_dev_files).
            byte[] cfg = readBytesOptional(cfgFile, 256);
            if (cfg != null && cfg.length >= 256) {
                ConfigSpace cs = ConfigSpace.of(cfg);
                if (cs.vendor() != vendor) {
                    throw new BadInputException(cfgFile.toString(), 0, String.format("vendor ID 0x%04x in config space differs from vendor file 0x%04x", cs.vendor(), vendor));
                }
                msix = cs.msix();
                msixKnown = true;
                cfgSize = Optional.of(fileSize(cfgFile) >= 4096 ? 4096 : 256);
            } else if (cfg != null) {
                configDenied = true; // non-root reads only the 64-byte header
            }
            Optional<String> group = linkName(p.resolve("iommu_group"));
            Optional<String> driver = linkName(p.resolve("driver"));
            out.put(bdf, new PciFunction(bdf, vendor, device, cls, resources, msix, msixKnown, cfgSize, group, driver));
        }
        if (configDenied) notes.add("config space shows only its 64-byte header (not root): MSI-X placement unknown");
        return out;
    }

    private static Optional<String> linkName(Path p) {
        try {
            if (Files.isSymbolicLink(p)) return Optional.of(Files.readSymbolicLink(p).getFileName().toString());
            // a capture copied without symlinks keeps the link text in a plain file
            if (Files.isRegularFile(p)) {
                String t = Files.readString(p).trim();
                return t.isEmpty() ? Optional.empty() : Optional.of(Path.of(t).getFileName().toString());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static long hexFile(Path p, long max) {
        String s = readOptional(p);
        if (s == null) throw new BadInputException(p.toString(), 0, "missing");
        String t = s.trim();
        if (!t.startsWith("0x")) throw new BadInputException(p.toString(), 1, "expected a hex number like 0x8086, got '" + t + "'");
        try {
            long v = Long.parseLong(t.substring(2), 16);
            if (v < 0 || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new BadInputException(p.toString(), 1, "expected a hex number up to 0x" + Long.toHexString(max) + ", got '" + t + "'");
        }
    }

    static String readOptional(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new BadInputException(p.toString(), 0, "permission denied");
        } catch (IOException e) {
            throw new BadInputException(p.toString(), 0, "cannot read: " + e.getMessage());
        }
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Up to {@code max} bytes from the start of the file; null when absent, empty when unreadable. */
    private static byte[] readBytesOptional(Path p, int max) {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(max);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
