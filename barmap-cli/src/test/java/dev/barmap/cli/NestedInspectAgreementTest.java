package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.model.testing.NestedRuns;
import dev.barmap.model.vmm.qemu.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code barmap inspect} offline against itself live: for every dump of every nested QEMU run
 * (testdata/qemu-nested, see NestedQemuAgreementTest), its {@code D-inspect.json} — what
 * {@code barmap inspect --qmp SOCKET --format json} answered against that running QEMU — inspect run here on the
 * same QEMU's saved {@code info pci}, {@code info mtree} and {@code info mtree -f} text (the same three
 * human-monitor-command answers, in the order inspect asks them) and the outer host's capture ({@code --root
 * host-capture}: live, inspect read that same host's sysfs) must give the same JSON, barmap's prediction for the
 * host included (only where the host's files came from differs). A dump without
 * inspect.json (the harness keeps {@code D-inspect-error.txt} when the live inspect failed) fails, naming the
 * file; so does a set of runs where no live inspect reports a BAR.
 */
class NestedInspectAgreementTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> offlineInspectOfEveryDumpEqualsTheLiveOne() throws java.io.IOException {
        var tests = new ArrayList<DynamicTest>();
        int withBars = 0;
        for (Path run : NestedRuns.runs()) {
            Scenario sc = Scenario.parse(run.resolve("scenario.scn").toString(), NestedRuns.read(run, "scenario.scn"));
            for (Scenario.Step step : sc.steps()) {
                if (!(step instanceof Scenario.Dump d)) continue;
                Path live = run.resolve(d.name() + "-inspect.json");
                if (Files.isRegularFile(live) && JSON.readTree(live.toFile()).path("bars").size() > 0) withBars++;
                tests.add(dynamicTest(NestedRuns.name(run) + " " + d.name(), () -> agree(run, d.name())));
            }
        }
        assertFalse(tests.isEmpty(), "no nested QEMU run (a directory with scenario.scn) under " + NestedRuns.ROOT.toAbsolutePath());
        // a dump where the guest turned decoding off rightly reports no BAR; all of them doing so would be vacuous
        assertTrue(withBars > 0, "no live inspect.json reports a BAR; the comparison would be vacuous");
        return tests;
    }

    static void agree(Path run, String dump) throws Exception {
        Path error = run.resolve(dump + "-inspect-error.txt");
        if (Files.isRegularFile(error)) {
            throw new AssertionError(NestedRuns.name(run) + ": the live inspect failed (" + dump + "-inspect-error.txt): " + Files.readString(error).strip());
        }
        JsonNode live = JSON.readTree(NestedRuns.read(run, dump + "-inspect.json"));
        // the live inspect ran in the outer guest, the QEMU host, where sysfs is readable: it read that host live; its
        // capture (barmap capture --probe in the same outer guest) is the run's host-capture/, the same host facts
        var args = new ArrayList<String>(List.of("inspect", "--format", "json", "--root", run.getParent().resolve("host-capture").toString()));
        for (String f : List.of("-info-pci.txt", "-mtree.txt", "-mtree-f.txt")) {
            NestedRuns.read(run, dump + f); // a missing file fails naming it
            args.add(run.resolve(dump + f).toString());
        }
        CliRun offline = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, offline.rc(), offline.err());
        JsonNode mine = JSON.readTree(offline.out());
        // "source" names the input: "qmp:SOCKET" live, the three file names here; the prediction's "host" names where
        // the host's files came from: "live host" live, the host-capture directory here. Nothing else does.
        assertTrue(live.has("source") && mine.has("source"), "both name their source");
        ((ObjectNode) live).remove("source");
        ((ObjectNode) mine).remove("source");
        assertTrue(mine.path("prediction").path("made").asBoolean(), "offline with --root the prediction is made: " + mine.path("prediction"));
        ((ObjectNode) mine.get("prediction")).remove("host");
        // the live inspect read the outer guest's own sysfs: its prediction must have been made, from the same host facts
        assertTrue(live.path("prediction").path("made").asBoolean(), "the live inspect made its prediction: " + live.path("prediction"));
        ((ObjectNode) live.get("prediction")).remove("host");
        String where = NestedRuns.name(run) + " " + dump;
        assertEquals(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(live), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(mine),
                where + ": offline inspect differs from the live one");
    }
}
