package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.vfio.ProbeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.barmap.model.testing.TestCaptures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model against the real kernel: for every capture in testdata/captures, the model's probe of every
 * non-bridge function must give the region info, every try's outcome and the reserved ranges the real
 * vfio-pci gave, and /proc/iomem afterwards must equal the real one byte for byte.
 */
class CaptureAgreementTest {
    static Stream<Path> captures() {
        List<Path> all = TestCaptures.all();
        assertFalse(all.isEmpty(), "no captures under " + TestCaptures.CAPTURES.toAbsolutePath());
        return all.stream();
    }

    /** The capture as barmap reads it, with its supplement (real config space recaptured) overlaid. */
    static Path hostRoot(Path capture) {
        return TestCaptures.root(capture);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void regionInfoTriesAndReservationsMatchTheRealKernel(Path capture) {
        ProbeReport expected = ProbeJson.read(capture.resolve("expected/vfio.json"));
        ModelOracle.Prediction p = ModelOracle.predict(hostRoot(capture));
        ProbeReport actual = p.report();
        assertEquals(expected.pageSize(), actual.pageSize());
        assertEquals(expected.kernelRelease(), actual.kernelRelease());
        assertEquals(expected.devices().keySet(), actual.devices().keySet(), "devices opened");
        var diffs = new ArrayList<String>();
        int tries = 0;
        for (var e : expected.devices().values()) {
            var a = actual.devices().get(e.bdf());
            assertEquals(e.regions().size(), a.regions().size(), e.bdf() + " region count");
            for (int i = 0; i < e.regions().size(); i++) {
                var er = e.regions().get(i);
                var ar = a.regions().get(i);
                String where = e.bdf() + " " + er.name();
                if (er.failed() != ar.failed() || er.error() != ar.error()) {
                    diffs.add(where + ": error " + er.error() + " vs model " + ar.error());
                    continue;
                }
                if (er.failed()) continue;
                if (er.info().size() != ar.info().size()) diffs.add(where + ": size " + er.info().size() + " vs model " + ar.info().size());
                if (er.info().offset() != ar.info().offset()) diffs.add(where + ": offset");
                if (!er.info().flagNames().equals(ar.info().flagNames())) diffs.add(where + ": flags " + er.info().flagNames() + " vs model " + ar.info().flagNames());
                var ec = er.info().caps().stream().map(c -> c.name()).toList();
                var ac = ar.info().caps().stream().map(c -> c.name()).toList();
                if (!ec.equals(ac)) diffs.add(where + ": caps " + ec + " vs model " + ac);
                if (er.tries().size() != ar.tries().size()) {
                    diffs.add(where + ": " + er.tries().size() + " tries vs model " + ar.tries().size());
                    continue;
                }
                for (int t = 0; t < er.tries().size(); t++) {
                    var et = er.tries().get(t);
                    var at = ar.tries().get(t);
                    tries++;
                    String tw = where + " try '" + et.what() + "'";
                    if (!et.op().equals(at.op()) || !et.what().equals(at.what()) || et.offset() != at.offset() || !et.length().equals(at.length())) {
                        diffs.add(tw + ": different try " + at);
                    } else if (et.ok() != at.ok() || et.errno() != at.errno()) {
                        diffs.add(tw + ": real " + (et.ok() ? "ok" : "errno " + et.errno()) + " vs model " + (at.ok() ? "ok" : "errno " + at.errno()));
                    } else if (at.value().isPresent() && (et.value().isEmpty() || (et.value().getAsLong() & 0xffffffffL) != (at.value().getAsLong() & 0xffffffffL))) {
                        diffs.add(tw + ": value real " + et.value() + " vs model " + at.value());
                    }
                }
            }
        }
        assertEquals(expected.subPageReserved(), actual.subPageReserved(), "vfio sub-page reserved ranges");
        assertTrue(tries > 0, "no tries compared");
        assertEquals(List.of(), diffs, "disagreements with the real kernel");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void iomemWhileOpenMatchesByteForByte(Path capture) throws IOException {
        String expected = Files.readString(capture.resolve("expected/iomem-open"));
        assertEquals(expected, ModelOracle.predict(hostRoot(capture)).iomemOpen());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void msixAllOnesReadsArePredicted(Path capture) {
        // ModelOracle.msixReadDiffs: every read inside an MSI-X table predicted with its value, no value elsewhere
        var host = ModelOracle.asProbed(HostReader.read(hostRoot(capture)));
        ProbeReport real = ProbeJson.read(capture.resolve("expected/vfio.json"));
        ProbeReport model = ModelOracle.predict(hostRoot(capture)).report();
        assertEquals(List.of(), ModelOracle.msixReadDiffs(host, real, model), "reads inside MSI-X tables");
    }
}
