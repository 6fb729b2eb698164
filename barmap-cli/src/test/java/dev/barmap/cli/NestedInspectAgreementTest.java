package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.model.testing.NestedRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code barmap inspect} offline against itself live: for every dump of every nested QEMU run
 * (testdata/qemu-nested, see NestedQemuAgreementTest) that has {@code D-inspect.json} — what
 * {@code barmap inspect --qmp SOCKET --format json} answered against that running QEMU — inspect run here on the
 * same QEMU's saved {@code info pci}, {@code info mtree} and {@code info mtree -f} text (the same three
 * human-monitor-command answers, in the order inspect asks them) must give the same JSON. Fails when no dump has
 * an inspect.json, or none of them reports a BAR.
 */
class NestedInspectAgreementTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> offlineInspectOfEveryDumpEqualsTheLiveOne() throws java.io.IOException {
        var tests = new ArrayList<DynamicTest>();
        int withBars = 0;
        for (Path run : NestedRuns.runs()) {
            try (var files = Files.list(run)) {
                for (Path live : files.filter(p -> p.getFileName().toString().endsWith("-inspect.json")).sorted().toList()) {
                    String file = live.getFileName().toString();
                    String dump = file.substring(0, file.length() - "-inspect.json".length());
                    if (JSON.readTree(live.toFile()).path("bars").size() > 0) withBars++;
                    tests.add(dynamicTest(NestedRuns.name(run) + " " + dump, () -> agree(run, dump)));
                }
            }
        }
        assertFalse(tests.isEmpty(), "no D-inspect.json in any nested QEMU run under " + NestedRuns.ROOT.toAbsolutePath());
        // a dump where the guest turned decoding off rightly reports no BAR; all of them doing so would be vacuous
        assertTrue(withBars > 0, "no live inspect.json reports a BAR; the comparison would be vacuous");
        return tests;
    }

    static void agree(Path run, String dump) throws Exception {
        JsonNode live = JSON.readTree(NestedRuns.read(run, dump + "-inspect.json"));
        var args = new ArrayList<String>(List.of("inspect", "--format", "json"));
        for (String f : List.of("-info-pci.txt", "-mtree.txt", "-mtree-f.txt")) {
            NestedRuns.read(run, dump + f); // a missing file fails naming it
            args.add(run.resolve(dump + f).toString());
        }
        CliRun offline = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, offline.rc(), offline.err());
        JsonNode mine = JSON.readTree(offline.out());
        // "source" names the input: "qmp:SOCKET" live, the three file names here. Nothing else does.
        assertTrue(live.has("source") && mine.has("source"), "both name their source");
        ((ObjectNode) live).remove("source");
        ((ObjectNode) mine).remove("source");
        assertEquals(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(live), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(mine),
                NestedRuns.name(run) + " " + dump + ": offline inspect differs from the live one");
    }
}
