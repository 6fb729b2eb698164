package dev.barmap.vfio.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.host.ProbeJson;
import dev.barmap.model.vfio.ProbeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The comparator OracleIT uses, exercised offline on a real-kernel capture from testdata (copied from
 * /work/shared/oracle/captures/x86_64-4k-firmware-padded): the kernel's answers against themselves give
 * no difference, and each kind of disagreement is reported.
 */
class OracleComparisonTest {
    static final Path CAPTURE = Path.of("../testdata/captures/x86_64-4k-firmware-padded");

    @Test
    void aCaptureAgreesWithItself() throws IOException {
        ProbeReport real = ProbeJson.read(CAPTURE.resolve("expected/vfio.json"));
        String iomem = Files.readString(CAPTURE.resolve("expected/iomem-open"));
        assertEquals(List.of(), OracleComparison.diff(real, real, iomem, iomem));
    }

    @Test
    void theModelAgreesWithTheSharedCapture() throws IOException {
        ProbeReport real = ProbeJson.read(CAPTURE.resolve("expected/vfio.json"));
        var p = OracleComparison.predict(CAPTURE);
        assertEquals(List.of(), OracleComparison.diff(real, p.report(), Files.readString(CAPTURE.resolve("expected/iomem-open")), p.iomemOpen()));
    }

    @Test
    void disagreementsAreReported() throws IOException {
        ProbeReport real = ProbeJson.read(CAPTURE.resolve("expected/vfio.json"));
        String iomem = Files.readString(CAPTURE.resolve("expected/iomem-open"));
        // flip the outcome of the first successful mmap, and give a try a value the real one lacks
        var devices = new LinkedHashMap<String, ProbeReport.Device>();
        boolean flipped = false;
        for (var d : real.devices().values()) {
            var regions = new ArrayList<ProbeReport.Region>();
            for (var r : d.regions()) {
                var tries = new ArrayList<ProbeReport.Try>();
                for (var t : r.tries()) {
                    if (!flipped && t.op().equals("mmap") && t.ok()) {
                        t = new ProbeReport.Try(t.op(), t.what(), t.offset(), t.length(), false, 22, OptionalLong.empty());
                        flipped = true;
                    }
                    tries.add(t);
                }
                regions.add(new ProbeReport.Region(r.index(), r.name(), r.info(), r.error(), tries));
            }
            devices.put(d.bdf(), new ProbeReport.Device(d.bdf(), regions));
        }
        assertTrue(flipped);
        var model = new ProbeReport(real.kernelRelease(), real.pageSize(), devices, List.of());
        var diffs = OracleComparison.diff(real, model, iomem, iomem.replace("vfio sub-page reserved", "something else"));
        assertTrue(diffs.stream().anyMatch(s -> s.contains("real ok vs model errno 22")), diffs.toString());
        assertTrue(diffs.stream().anyMatch(s -> s.startsWith("vfio sub-page reserved")), diffs.toString());
        assertTrue(diffs.stream().anyMatch(s -> s.startsWith("/proc/iomem while open differs")), diffs.toString());
    }
}
