package dev.barmap.model.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzArchive;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.ConfigSpace;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.pci.SysfsResource;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.vfio.ModelVfioDevice;
import dev.barmap.model.vfio.Probe;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.VfioPciModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole pure pipeline on a fuzzed host (iomem + sysfs resource/config/class/vendor per function,
 * packed as a {@link FuzzArchive}): HostBuilder, Scanner, the oracle's probe on every function, then
 * close. Besides "only BadInputException", it checks two invariants on every host it accepts: the
 * {@code vfio sub-page reserved} ranges never overlap, and closing every device restores /proc/iomem
 * byte for byte.
 */
class HostModelFuzzTest {
    static final String DEV = "sys/bus/pci/devices/";
    static final String IOMEM = "proc/iomem";

    @FuzzTest(maxDuration = "25s")
    void buildScanProbe(byte[] data) {
        Map<String, String> files = FuzzArchive.unpack(FuzzContract.text(data));
        Map<String, String> props = properties(files.getOrDefault("capture.properties", ""));
        long page = 4096;
        try {
            page = new Platform("x", Long.parseLong(props.getOrDefault("pageSize", "4096"))).pageSize();
        } catch (IllegalArgumentException e) { /* keep 4K: the page-size parser is fuzzed in barmap-host */ }
        if (page > 1 << 20) page = 4096;
        KernelRelease kernel;
        try {
            kernel = KernelRelease.parse(props.getOrDefault("kernelRelease", "6.1.0"));
        } catch (IllegalArgumentException e) {
            kernel = KernelRelease.parse("6.1.0");
        }
        Platform platform = new Platform(props.getOrDefault("arch", "x86_64"), page);
        KernelRelease k = kernel;
        // the archive's files, and proc/iomem, whose name run() hands to HostBuilder even when the archive lacks it
        var names = new java.util.TreeSet<>(files.keySet());
        names.add(IOMEM);
        FuzzContract.onlyBadInput(names, () -> run(files, platform, k));
    }

    static void run(Map<String, String> files, Platform platform, KernelRelease kernel) {
        SortedMap<Bdf, PciFunction> functions = new TreeMap<>();
        files.forEach((path, body) -> {
            if (!path.startsWith(DEV) || !path.endsWith("/resource")) return;
            String name = path.substring(DEV.length(), path.length() - "/resource".length());
            if (!Bdf.isBdf(name)) return;
            Bdf bdf = Bdf.parse(name);
            int cls = hex(files.get(DEV + name + "/class"), 0xffffff, 0x020000);
            int vendor = hex(files.get(DEV + name + "/vendor"), 0xffff, 0x8086);
            var res = SysfsResource.parse(path, body);
            String cfgText = files.get(DEV + name + "/config");
            Optional<ConfigSpace> cfg = cfgText != null && cfgText.length() >= 256
                    ? Optional.of(ConfigSpace.of(cfgText.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))) : Optional.empty();
            functions.put(bdf, new PciFunction(bdf, vendor, 0x1234, cls, res, cfg.flatMap(ConfigSpace::msix), cfg.isPresent(),
                    cfg.map(ConfigSpace::cfgSize), Optional.empty(), Optional.empty()));
        });
        Host host = HostBuilder.build("fuzz", platform, kernel, IOMEM, files.get(IOMEM), functions, List.of());
        Scanner.scan(host);
        VfioPciModel model = new VfioPciModel(host);
        String fresh = model.iomem();
        var probe = new Probe(platform.pageSize());
        var open = new ArrayList<ModelVfioDevice>();
        for (PciFunction f : host.functions().values()) {
            if (!f.passthroughCandidate()) continue;
            ModelVfioDevice d = model.open(f.bdf());
            open.add(d);
            probe.probe(d);
        }
        List<ProbeReport.Range> reserved = model.subPageReserved();
        for (int i = 1; i < reserved.size(); i++) {
            assertTrue(Long.compareUnsigned(reserved.get(i - 1).end(), reserved.get(i).start()) < 0,
                    "sub-page reservations overlap: " + reserved.get(i - 1) + " and " + reserved.get(i));
        }
        for (ModelVfioDevice d : open) d.close();
        assertEquals(fresh, model.iomem(), "closing every device did not restore /proc/iomem");
    }

    static int hex(String text, int max, int dflt) {
        if (text == null) return dflt;
        try {
            String t = text.strip();
            int v = Integer.parseInt(t.startsWith("0x") ? t.substring(2) : t, 16);
            return v < 0 || v > max ? dflt : v;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static Map<String, String> properties(String text) {
        var out = new java.util.HashMap<String, String>();
        for (String l : text.split("\n")) {
            int eq = l.indexOf('=');
            if (eq > 0) out.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return out;
    }
}
