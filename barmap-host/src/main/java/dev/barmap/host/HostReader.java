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
import java.nio.file.Files;
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
        Jail jail = Jail.of(root);
        boolean live = jail.live();
        var notes = new ArrayList<String>();
        CaptureProperties props = CaptureProperties.read(jail, root.resolve("capture.properties"));
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
        SortedMap<Bdf, PciFunction> functions = readFunctions(jail, root, notes);
        Path iomem = root.resolve("proc/iomem");
        String iomemText = jail.read(iomem, Jail.TEXT_CAP);
        Host host = HostBuilder.build(live ? "live host" : root.toString(), platform, kernel, iomem.toString(), iomemText, functions, notes);
        String cmdline = live ? jail.read(root.resolve("proc/cmdline"), Jail.SYSFS_CAP) : props.cmdline().orElse(null);
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

    private static SortedMap<Bdf, PciFunction> readFunctions(Jail jail, Path root, List<String> notes) {
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
        var spelled = new java.util.HashMap<Bdf, String>();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            Bdf bdf;
            try {
                bdf = Bdf.parse(name);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(p.toString(), 0, "directory name is not a PCI address (DDDD:BB:DD.F)");
            }
            String before = spelled.putIfAbsent(bdf, name);
            if (before != null) {
                // sysfs names each function once, as DDDD:BB:DD.F (drivers/pci/probe.c pci_setup_device, dev_set_name)
                throw new BadInputException(p.toString(), 0, "the same PCI function as " + dir.resolve(before) + " (" + bdf + " spelled twice)");
            }
            int vendor = (int) hexFile(jail, p.resolve("vendor"), 0xffff);
            int device = (int) hexFile(jail, p.resolve("device"), 0xffff);
            int cls = (int) hexFile(jail, p.resolve("class"), 0xffffff);
            Path resFile = p.resolve("resource");
            String resText = jail.read(resFile, Jail.SYSFS_CAP);
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
            byte[] cfg = jail.prefix(cfgFile, 256);
            if (cfg != null && cfg.length >= 256) {
                ConfigSpace cs = ConfigSpace.of(cfg);
                if (cs.vendor() != vendor) {
                    throw new BadInputException(cfgFile.toString(), 0, String.format("vendor ID 0x%04x in config space differs from vendor file 0x%04x", cs.vendor(), vendor));
                }
                msix = cs.msix();
                msixKnown = true;
                cfgSize = Optional.of(jail.size(cfgFile) >= 4096 ? 4096 : 256);
            } else if (cfg != null) {
                configDenied = true; // non-root reads only the 64-byte header
            }
            Optional<String> group = linkName(jail, p.resolve("iommu_group"));
            Optional<String> driver = linkName(jail, p.resolve("driver"));
            out.put(bdf, new PciFunction(bdf, vendor, device, cls, resources, msix, msixKnown, cfgSize, group, driver));
        }
        if (configDenied) notes.add("config space shows only its 64-byte header (not root): MSI-X placement unknown");
        return out;
    }

    /** The last component of a symlink's text (the link is read, never followed), or of a plain file holding that text. */
    private static Optional<String> linkName(Jail jail, Path p) {
        String t;
        try {
            if (Files.isSymbolicLink(p)) t = Files.readSymbolicLink(p).toString();
            else if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) t = jail.read(p, Jail.SYSFS_CAP); // a capture copied without symlinks
            else return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        t = t.strip();
        while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
        String name = t.substring(t.lastIndexOf('/') + 1);
        if (name.isEmpty()) return Optional.empty();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c >= 0x7f) throw new BadInputException(p.toString(), 1, "control or non-ASCII character in " + BadInputException.quote(name));
        }
        return Optional.of(name);
    }

    private static long hexFile(Jail jail, Path p, long max) {
        String s = jail.read(p, Jail.SYSFS_CAP);
        if (s == null) throw new BadInputException(p.toString(), 0, "missing");
        String t = s.trim();
        if (!t.startsWith("0x")) throw new BadInputException(p.toString(), 1, "expected a hex number like 0x8086, got " + BadInputException.quote(t));
        try {
            long v = Long.parseLong(t.substring(2), 16);
            if (v < 0 || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new BadInputException(p.toString(), 1, "expected a hex number up to 0x" + Long.toHexString(max) + ", got " + BadInputException.quote(t));
        }
    }

    /** A file the user named (no jail), regular and within {@link Jail#TEXT_CAP}; null when absent. */
    static String readOptional(Path p) {
        return Jail.NONE.read(p, Jail.TEXT_CAP);
    }
}
