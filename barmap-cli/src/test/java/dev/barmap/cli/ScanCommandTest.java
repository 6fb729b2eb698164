package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScanCommandTest {
    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(rc, out.toString(), err.toString());
    }

    static Stream<Path> captures() {
        return dev.barmap.model.testing.TestCaptures.all().stream();
    }

    /** The JSON contract: the shapes and names of expected/vfio.json, plus verdict and reason on BARs. */
    @ParameterizedTest
    @MethodSource("captures")
    void jsonHasTheShapeOfExpectedVfioJson(Path capture) throws IOException {
        Run r = run("scan", "--root", dev.barmap.model.testing.TestCaptures.root(capture).toString(), "--format", "json");
        assertEquals(0, r.rc(), r.err());
        var m = new ObjectMapper();
        JsonNode got = m.readTree(r.out());
        JsonNode exp = m.readTree(capture.resolve("expected/vfio.json").toFile());
        assertEquals(exp.get("pageSize"), got.get("pageSize"));
        assertEquals(exp.get("kernelRelease"), got.get("kernelRelease"));
        assertEquals(exp.get("subPageReserved"), got.get("subPageReserved"));
        var names = exp.get("devices").fieldNames();
        int regions = 0;
        while (names.hasNext()) {
            String bdf = names.next();
            JsonNode er = exp.get("devices").get(bdf).get("regions");
            JsonNode gr = got.get("devices").get(bdf).get("regions");
            assertEquals(er.size(), gr.size(), bdf);
            for (int i = 0; i < er.size(); i++) {
                JsonNode e = er.get(i), g = gr.get(i);
                for (String k : new String[] {"index", "name", "size", "offset", "error"}) {
                    assertEquals(e.get(k), g.get(k), bdf + " region " + i + " " + k);
                }
                assertEquals(e.get("flags"), g.get("flags"), bdf + " region " + i + " flags");
                assertEquals(e.get("caps"), g.get("caps"), bdf + " region " + i + " caps");
                if (i <= 6 && !e.has("error") && e.get("size").asLong() > 0) {
                    assertTrue(g.has("verdict") && g.has("reason"), bdf + " region " + i + " has a verdict");
                    boolean mmap = e.get("flags").toString().contains("MMAP");
                    assertEquals(mmap ? "direct" : "trapped", g.get("verdict").asText(), bdf + " region " + i);
                }
                regions++;
            }
        }
        assertTrue(regions > 0);
    }

    @Test
    void textTableHasARowPerPresentBarWithVerdictAndReason() {
        Run r = run("scan", "--root", "../testdata/captures/x86_64-4k-firmware-padded");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("0000:00:05.0"), r.out());
        String row = r.out().lines().filter(l -> l.startsWith("0000:00:05.0") && l.contains("BAR0")).findFirst().orElseThrow();
        assertTrue(row.contains("direct") && row.contains("reserved as 'vfio sub-page reserved'"), row);
        String packed = run("scan", "--root", "../testdata/captures/x86_64-4k-linux-packed").out();
        String row2 = packed.lines().filter(l -> l.startsWith("0000:00:03.0") && l.contains("BAR1")).findFirst().orElseThrow();
        assertTrue(row2.contains("trapped") && row2.contains("'0000:00:06.0'"), row2);
    }

    @Test
    void pageSizeOverrideAnswersWhatIf() {
        // the firmware-padded x86 host at 64K pages: BARs padded to 4K now share 64K pages
        Run r = run("scan", "--root", "../testdata/captures/x86_64-4k-firmware-padded", "--page-size", "64K", "--format", "json");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("\"pageSize\" : 65536"), r.out());
        Run four = run("scan", "--root", "../testdata/captures/x86_64-4k-firmware-padded");
        long direct4 = four.out().lines().filter(l -> l.contains(" direct ")).count();
        long direct64 = run("scan", "--root", "../testdata/captures/x86_64-4k-firmware-padded", "--page-size", "65536").out().lines().filter(l -> l.contains(" direct ")).count();
        assertTrue(direct64 < direct4, direct64 + " vs " + direct4);
    }

    @Test
    void badInputIsOneErrorLineWithExitCode2AndNothingOnStdout(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path dev = tmp.resolve("sys/bus/pci/devices/0000:00:03.0");
        Files.createDirectories(dev);
        Files.writeString(dev.resolve("vendor"), "0x8086\n");
        Files.writeString(dev.resolve("device"), "0x1234\n");
        Files.writeString(dev.resolve("class"), "0x020000\n");
        Files.writeString(dev.resolve("resource"), "0x0 0x0 0x0\n");
        Run r = run("scan", "--root", tmp.toString());
        assertEquals(2, r.rc());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("barmap: error: ") && r.err().contains("resource") && r.err().contains("1 lines"), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = run("scan", "--frobnicate");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("Unknown option"), r.err());
    }
}
