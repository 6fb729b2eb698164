package dev.barmap.vfio.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.barmap.host.HostReader;
import dev.barmap.host.ModelOracle;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.vfio.ProbeReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The random topologies of oracle/fuzz.sh against the model: for every {@code seed-S/capture} under
 * {@code barmap.oracle.fuzz} (oracle/work/fuzz/results), what the real kernel answered (the static C
 * probe's output, turned into {@code expected/vfio.json} and {@code iomem-open} by console2capture.py)
 * must equal {@link dev.barmap.host.ModelOracle#predict} for the same directory, compared by
 * {@link OracleComparison#diff} exactly as {@link OracleIT} compares the fixed scenarios, and its MSI-X
 * reads by {@link ModelOracle#msixReadDiffs} as {@code CaptureAgreementTest} checks them. Each result
 * gets {@code comparison.txt}: {@code AGREE}, or one line per difference. Without the property there is
 * nothing to compare (the fixed scenarios' run).
 */
class FuzzAgreementIT {
    static final String ROOT = System.getProperty("barmap.oracle.fuzz", "");

    static List<Path> results() {
        if (ROOT.isBlank()) return List.of();
        try (Stream<Path> s = Files.list(Path.of(ROOT))) {
            return s.filter(p -> p.getFileName().toString().matches("seed-[0-9]+"))
                    .filter(p -> Files.isRegularFile(p.resolve("capture/expected/vfio.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRandomTopologyAgreesWithTheModel() {
        return results().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> compare(dir)));
    }

    static void compare(Path dir) throws IOException {
        Path c = dir.resolve("capture");
        ProbeReport real = ProbeJson.read(c.resolve("expected/vfio.json"));
        var diffs = new ArrayList<String>();
        // the result must be a real probe of the kernel that oracle-run.properties names
        if (real.devices().isEmpty()) diffs.add("no device was probed");
        var run = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("oracle-run.properties"))) {
            run.load(in);
        }
        if (!real.kernelRelease().equals(run.getProperty("kernel.release"))) {
            diffs.add("the guest ran " + real.kernelRelease() + ", not the recorded " + run.getProperty("kernel.release"));
        }
        var model = OracleComparison.predict(c);
        diffs.addAll(OracleComparison.diff(real, model.report(), Files.readString(c.resolve("expected/iomem-open")), model.iomemOpen()));
        // as CaptureAgreementTest: every read inside an MSI-X table predicted with its value, none elsewhere
        diffs.addAll(ModelOracle.msixReadDiffs(ModelOracle.asProbed(HostReader.read(c)), real, model.report()));
        Files.writeString(dir.resolve("comparison.txt"), diffs.isEmpty() ? "AGREE\n" : String.join("\n", diffs) + "\n");
        assertFalse(real.devices().isEmpty(), dir + ": no device was probed");
        assertEquals(List.of(), diffs, dir.getFileName() + ": the model disagrees with the real kernel");
    }
}
