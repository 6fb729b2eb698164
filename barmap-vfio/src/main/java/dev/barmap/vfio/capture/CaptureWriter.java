package dev.barmap.vfio.capture;

import dev.barmap.host.ProbeJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.vfio.Probe;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.vfio.FfmVfioDevice;
import dev.barmap.vfio.NativePlatform;
import dev.barmap.vfio.Vfio;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the live host as a capture directory (the layout barmap reads like a machine, and the shared
 * real-kernel captures use): {@code proc/iomem}, per PCI function {@code sys/bus/pci/devices/BDF/
 * {resource,config,vendor,device,class}} and the {@code iommu_group} and {@code driver} symlinks,
 * {@code capture.properties} (pageSize, kernelRelease, arch, and of the kernel command line only the
 * passthrough parameters: {@link #passthroughParameters}).
 *
 * <p>With {@code probe}: every non-bridge function (class not 0x0600/0x0601/0x0604/0x0609) bound to
 * vfio-pci is opened through the FFM binding in BDF order and kept open, {@link Probe} runs on each,
 * and {@code expected/vfio.json} plus {@code expected/iomem-open} (/proc/iomem while all are open) are
 * written. Everything goes to a temporary sibling first and is renamed into place at the end, so a
 * failure leaves nothing half-written.
 */
public final class CaptureWriter {
    private static final Pattern RESERVED = Pattern.compile("(?m)^\\s*([0-9a-f]+)-([0-9a-f]+) : vfio sub-page reserved$");

    /** What was captured. */
    public record Result(Path dir, int functions, List<String> probed, List<String> partial) {}

    private final Path root;

    /** Captures the machine whose procfs and sysfs are under {@code root} ({@code /} for this one). */
    public CaptureWriter(Path root) {
        this.root = root;
    }

    /**
     * Writes the capture layout barmap reads (procfs and sysfs files, {@code capture.properties}) into
     * {@code out}, and with {@code probe} also opens every function bound to vfio-pci and records the
     * kernel's answers ({@code expected/vfio.json}, {@code expected/iomem-open}).
     *
     * @param out   the capture directory to create: missing or empty, not a symbolic link
     * @param probe whether to probe the vfio-pci functions through the binding (needs root and VFIO)
     * @return what was captured
     */
    public Result write(Path out, boolean probe) {
        if (Files.isSymbolicLink(out)) {
            // never follow it (it may point anywhere) nor replace it (issue 14)
            throw new BadInputException(out.toString(), 0, "is a symbolic link: refusing to write through it or replace it");
        }
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) throw new BadInputException(out.toString(), 0, "exists and is not empty: refusing to overwrite a capture");
            } catch (IOException e) {
                throw new BadInputException(out.toString(), 0, "exists and cannot be listed: " + e.getMessage());
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        String tmpPrefix = "." + out.getFileName() + ".tmp-";
        Path tmp = parent.resolve(tmpPrefix + ProcessHandle.current().pid());
        try {
            Files.createDirectories(parent);
            removeStale(parent, tmpPrefix);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Result r = writeInto(tmp, probe);
            Files.deleteIfExists(out);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return new Result(out, r.functions(), r.probed(), r.partial());
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException fs
                    ? fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName()) : String.valueOf(e.getMessage());
            throw new UncheckedIOException("capture to " + out + ": " + why, e);
        } finally {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private Result writeInto(Path out, boolean probe) throws IOException {
        Path iomem = root.resolve("proc/iomem");
        Files.createDirectories(out.resolve("proc"));
        Files.writeString(out.resolve("proc/iomem"), read(iomem));

        Path devices = root.resolve("sys/bus/pci/devices");
        int shortConfig = 0;
        Map<Bdf, String> drivers = new TreeMap<>();
        Map<Bdf, Integer> classes = new TreeMap<>();
        if (Files.isDirectory(devices)) {
            try (Stream<Path> s = Files.list(devices)) {
                for (Path d : s.sorted().toList()) {
                    String name = d.getFileName().toString();
                    Bdf bdf;
                    try {
                        bdf = Bdf.parse(name);
                    } catch (IllegalArgumentException e) {
                        throw new BadInputException(d.toString(), 0, "directory name is not a PCI address (DDDD:BB:DD.F)");
                    }
                    Path o = Files.createDirectories(out.resolve("sys/bus/pci/devices").resolve(name));
                    for (String f : List.of("vendor", "device", "class", "resource")) {
                        Files.writeString(o.resolve(f), read(d.resolve(f)));
                    }
                    byte[] cfg = Files.readAllBytes(d.resolve("config"));
                    if (cfg.length < 256) shortConfig++;
                    Files.write(o.resolve("config"), cfg);
                    Path grp = d.resolve("iommu_group");
                    if (Files.isSymbolicLink(grp)) {
                        Files.createSymbolicLink(o.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups").resolve(Files.readSymbolicLink(grp).getFileName()));
                    }
                    Path drv = d.resolve("driver");
                    String driver = null;
                    if (Files.isSymbolicLink(drv)) {
                        driver = Files.readSymbolicLink(drv).getFileName().toString();
                        Files.createSymbolicLink(o.resolve("driver"), Path.of("../../../../bus/pci/drivers").resolve(driver));
                    }
                    drivers.put(bdf, driver);
                    classes.put(bdf, Integer.decode(read(d.resolve("class")).trim()));
                }
            }
        }
        long page = NativePlatform.pageSize();
        String release = read(root.resolve("proc/sys/kernel/osrelease")).trim();
        String cmdline = passthroughParameters(read(root.resolve("proc/cmdline")));
        // Without root, /proc/iomem shows every address as 0 (kernel/resource.c r_show, CAP_SYS_ADMIN) and sysfs
        // 'config' only the 64-byte header (drivers/pci/pci-sysfs.c pci_read_config, CAP_SYS_ADMIN): say so.
        var partial = new ArrayList<String>();
        if (hiddenAddresses(read(iomem))) partial.add("proc/iomem shows no addresses (not root): every address is 0");
        if (shortConfig > 0) partial.add(shortConfig + " config files hold only the 64-byte header (not root): MSI-X placement unknown");
        Files.writeString(out.resolve("capture.properties"),
                "pageSize=" + page + "\nkernelRelease=" + release + "\narch=" + NativePlatform.arch() + "\ncmdline=" + cmdline + "\n"
                        + (partial.isEmpty() ? "" : "partial=" + String.join("; ", partial) + "\n"));

        var probed = new ArrayList<String>();
        if (probe) {
            for (var e : drivers.entrySet()) {
                int cs = classes.get(e.getKey()) >>> 8;
                boolean bridge = cs == 0x0600 || cs == 0x0601 || cs == 0x0604 || cs == 0x0609;
                if (!bridge && "vfio-pci".equals(e.getValue())) probed.add(e.getKey().toString());
            }
            Files.createDirectories(out.resolve("expected"));
            try (Arena arena = Arena.ofConfined()) {
                Vfio vfio = Vfio.open(arena);
                var probeRun = new Probe(page);
                Map<String, ProbeReport.Device> results = new LinkedHashMap<>();
                for (String bdf : probed) {
                    FfmVfioDevice dev = vfio.device(bdf);
                    results.put(bdf, probeRun.probe(dev));
                }
                String open = read(iomem);
                Files.writeString(out.resolve("expected/iomem-open"), open);
                var report = new ProbeReport(release, page, results, subPageReserved(open));
                ProbeJson.write(report, out.resolve("expected/vfio.json"));
            }
        }
        return new Result(out, drivers.size(), probed, partial);
    }

    /** Every line of the iomem text has start and end 0 (and there is a line). */
    static boolean hiddenAddresses(String iomem) {
        boolean any = false;
        for (String l : iomem.split("\n")) {
            String t = l.strip();
            if (t.isEmpty()) continue;
            any = true;
            int colon = t.indexOf(" : ");
            if (colon < 0 || !t.substring(0, colon).replace("0", "").equals("-")) return false;
        }
        return any;
    }

    /** Removes temporary directories {@code PREFIX<pid>} left by a capture that was killed (its process is gone). */
    private static void removeStale(Path parent, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(prefix)) continue;
                try {
                    long pid = Long.parseLong(n.substring(prefix.length()));
                    if (ProcessHandle.of(pid).isEmpty()) deleteTree(p);
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
        }
    }

    /** The {@code vfio sub-page reserved} ranges in a /proc/iomem text, in order. */
    public static List<ProbeReport.Range> subPageReserved(String iomem) {
        var out = new ArrayList<ProbeReport.Range>();
        Matcher m = RESERVED.matcher(iomem);
        while (m.find()) out.add(new ProbeReport.Range(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)));
        return out;
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /**
     * The kernel command line people may not want to share (root=UUID, hostnames, tokens) cut down to what
     * decides passthrough: {@code pci=} (resource_alignment, realloc, ...), the IOMMU switches
     * ({@code intel_iommu=}, {@code amd_iommu=}, {@code iommu=}, {@code iommu.*=}), {@code vfio*} module
     * parameters ({@code vfio-pci.ids=}, {@code vfio_iommu_type1.*}) and {@code pcie_acs_override=} (which
     * changes IOMMU groups). Kernel parameter names treat '-' and '_' alike (Documentation/admin-guide/kernel-parameters.rst).
     */
    public static String passthroughParameters(String cmdline) {
        var kept = new java.util.ArrayList<String>();
        for (String p : cmdline.trim().split("\\s+")) {
            String name = (p.contains("=") ? p.substring(0, p.indexOf('=')) : p).replace('-', '_');
            if (name.equals("pci") || name.equals("intel_iommu") || name.equals("amd_iommu") || name.equals("iommu")
                    || name.startsWith("iommu.") || name.startsWith("vfio") || name.equals("pcie_acs_override")) {
                kept.add(p);
            }
        }
        return String.join(" ", kept);
    }
}
