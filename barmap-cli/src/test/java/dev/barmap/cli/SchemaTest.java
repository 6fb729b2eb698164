package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON barmap writes is valid against its schema in docs/schema (networknt json-schema-validator, draft
 * 2020-12), on every real capture and hot-add run in testdata; each schema rejects a broken document (so none is
 * vacuous); and the ranges follow the one convention the README documents: end is the last byte, inclusive.
 */
class SchemaTest {
    static final Path SCHEMAS = Path.of("../docs/schema").toAbsolutePath().normalize();
    static final Path CAPTURES = Path.of("../testdata/captures");
    static final Path HOTPLUG = Path.of("../testdata/hotplug");
    static final ObjectMapper M = new ObjectMapper();
    static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mapPrefix("https://barmap.dev/schema/", SCHEMAS.toUri().toString())));

    static JsonSchema schema(String name) {
        return FACTORY.getSchema(SchemaLocation.of("https://barmap.dev/schema/" + name + ".schema.json"));
    }

    static void valid(String schema, JsonNode doc, String what) {
        Set<ValidationMessage> errors = schema(schema).validate(doc);
        assertTrue(errors.isEmpty(), what + " against " + schema + ".schema.json: " + errors);
    }

    static void invalid(String schema, JsonNode doc, String what) {
        assertFalse(schema(schema).validate(doc).isEmpty(), what + " must be rejected by " + schema + ".schema.json");
    }

    static List<Path> captures() throws IOException {
        try (Stream<Path> s = Files.list(CAPTURES)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    static JsonNode json(String... args) throws IOException {
        CliRun r = CliRun.of(args);
        assertTrue(r.rc() == 0 || r.rc() == 1, String.join(" ", args) + " -> " + r.rc() + ": " + r.err());
        return M.readTree(r.out());
    }

    @Test
    void everySchemaIsInTheRepositoryAndParses() throws IOException {
        for (String name : List.of("vfio", "scan", "plan", "audit", "hotplug", "fleet-line", "inspect")) {
            Path p = SCHEMAS.resolve(name + ".schema.json");
            assertTrue(Files.isRegularFile(p), p.toString());
            assertEquals("https://barmap.dev/schema/" + name + ".schema.json", M.readTree(p.toFile()).get("$id").asText());
            schema(name).initializeValidators();
        }
    }

    @Test
    void realCapturesExpectedVfioJson() throws IOException {
        for (Path c : captures()) {
            Path f = c.resolve("expected/vfio.json");
            if (Files.exists(f)) valid("vfio", M.readTree(f.toFile()), f.toString());
        }
    }

    @Test
    void scanJsonOnEveryCaptureAndLspciFixture() throws IOException {
        var hosts = new ArrayList<String>();
        for (Path c : captures()) hosts.add(c.toString());
        try (Stream<Path> s = Files.list(Path.of("../testdata/lspci"))) {
            s.filter(Files::isDirectory).sorted().forEach(p -> hosts.add(p.toString()));
        }
        for (String h : hosts) {
            JsonNode doc = json("scan", "--root", h, "--format", "json");
            valid("scan", doc, h);
            // the range convention: hostEnd is the BAR's last byte
            doc.get("devices").forEach(d -> d.get("regions").forEach(r -> {
                if (r.has("hostStart") && r.get("size").asLong() > 0) {
                    assertEquals(r.get("size").asLong(), r.get("hostEnd").asLong() - r.get("hostStart").asLong() + 1, h + " " + r);
                }
            }));
        }
        // 64K pages and an old kernel era: other verdicts and caps, same shape
        valid("scan", json("scan", "--root", CAPTURES.resolve("x86_64-4k-msix-firmware-padded").toString(), "--kernel", "4.15", "--page-size", "64K",
                "--format", "json"), "4.15/64K");
    }

    @Test
    void planJsonOnEveryCaptureUnderEachGuestPlacement() throws IOException {
        long page;
        for (Path c : captures()) {
            for (String guest : List.of("seabios", "linux")) {
                JsonNode doc = json("plan", "--root", c.toString(), "--guest", guest, "--format", "json");
                valid("plan", doc, c + " " + guest);
                page = doc.get("pageSize").asLong();
                for (JsonNode bar : doc.get("bars")) {
                    for (JsonNode v : bar.get("verdicts")) {
                        for (JsonNode run : v.get("pages")) {
                            if (!run.has("guestStart")) continue;
                            long len = run.get("guestEnd").asLong() - run.get("guestStart").asLong() + 1;
                            // memory runs are whole guest pages; an I/O BAR's run is the BAR's own port range
                            boolean io = "io".equals(bar.path("type").asText());
                            assertTrue(len > 0 && (io ? len == bar.get("hostSize").asLong() : len % page == 0),
                                    c + " " + guest + ": a run, end inclusive: " + run);
                        }
                    }
                }
            }
        }
    }

    @Test
    void auditJsonOnEveryCapture() throws IOException {
        for (Path c : captures()) valid("audit", json("audit", "--root", c.toString(), "--format", "json"), c.toString());
    }

    @Test
    void hotplugJsonOnTheRealRuns() throws IOException {
        for (String run : List.of("x86_64-4k-q35br-open", "x86_64-4k-q35br-closed", "x86_64-4k-q35br-none")) {
            var args = new ArrayList<>(List.of("hotplug", "--console", HOTPLUG.resolve(run).resolve("console.log").toString(),
                    "--add", "0000:02:256", "--as", "0000:02:02.0", "--format", "json"));
            if (run.endsWith("open")) args.addAll(List.of("--open", "0000:02:01.0"));
            if (run.endsWith("closed")) args.addAll(List.of("--close", "0000:02:01.0"));
            JsonNode doc = json(args.toArray(String[]::new));
            valid("hotplug", doc, run);
            for (JsonNode b : doc.get("bars")) {
                JsonNode a = b.get("assigned");
                assertEquals(b.get("size").asLong(), a.get("end").asLong() - a.get("start").asLong() + 1, run);
            }
        }
        // a BAR that finds no space: the failed placement's shape
        JsonNode full = json("hotplug", "--console", HOTPLUG.resolve("x86_64-4k-q35br-none/console.log").toString(), "--add", "0000:02:1G",
                "--format", "json");
        valid("hotplug", full, "no space");
        assertFalse(full.get("bars").get(0).get("assigned").get("ok").asBoolean());
    }

    @Test
    void fleetJsonLinesIncludingASkippedHost(@TempDir Path tmp) throws IOException {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken.resolve("sys/bus/pci/devices"));
        Files.writeString(broken.resolve("capture.properties"), "pageSize=5000\n");
        Path out = tmp.resolve("out.jsonl");
        CliRun.of("fleet", CAPTURES.toString(), broken.toString(), "--jsonl", out.toString());
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.size() >= 8, "7 captures and the broken host: " + lines.size());
        boolean error = false;
        for (String l : lines) {
            JsonNode doc = M.readTree(l);
            valid("fleet-line", doc, l.substring(0, Math.min(80, l.length())));
            error |= doc.has("error");
        }
        assertTrue(error, "the broken host is a line with an error");
    }

    @Test
    void schemasRejectBrokenDocuments() throws IOException {
        String c = CAPTURES.resolve("x86_64-4k-linux-packed").toString();
        ObjectNode scan = (ObjectNode) json("scan", "--root", c, "--format", "json");
        ObjectNode bad = scan.deepCopy();
        ((ObjectNode) bad.get("devices").elements().next().get("regions").get(0)).put("verdict", "maybe");
        invalid("scan", bad, "an unknown verdict");
        bad = scan.deepCopy();
        ((ObjectNode) bad.get("devices").elements().next().get("regions").get(0)).remove("hostEnd");
        invalid("scan", bad, "a range without its end");
        bad = scan.deepCopy();
        bad.remove("pageSize");
        invalid("scan", bad, "no page size");
        ObjectNode plan = (ObjectNode) json("plan", "--root", c, "--format", "json");
        bad = plan.deepCopy();
        ((ObjectNode) bad.get("bars").get(0).get("verdicts").elements().next()).put("summary", "fine");
        invalid("plan", bad, "an unknown plan summary");
        ObjectNode audit = (ObjectNode) json("audit", "--root", c, "--format", "json");
        bad = audit.deepCopy();
        ((ObjectNode) bad.get("findings").get(0)).put("severity", "PASS");
        invalid("audit", bad, "an audit finding with severity PASS");
        ObjectNode hot = (ObjectNode) json("hotplug", "--console", HOTPLUG.resolve("x86_64-4k-q35br-none/console.log").toString(),
                "--add", "0000:02:256", "--format", "json");
        bad = hot.deepCopy();
        ((ObjectNode) bad.get("bars").get(0).get("assigned")).remove("window");
        invalid("hotplug", bad, "an assigned BAR without its window");
        ObjectNode vfio = (ObjectNode) M.readTree(CAPTURES.resolve("x86_64-4k-linux-packed/expected/vfio.json").toFile());
        bad = vfio.deepCopy();
        bad.putArray("subPageReserved").addArray().add(1);
        invalid("vfio", bad, "a reserved range with one bound");
    }

    @Test
    void inspectJsonOnTheRealQemuRuns() throws IOException {
        for (String[] run : new String[][] {{"qemu7.2-seabios-own-pages", "s1"}, {"qemu7.2-linux-packed", "s3"}}) {
            Path d = Path.of("../testdata/qemu").resolve(run[0]);
            String p = run[1];
            JsonNode doc = json("inspect", d.resolve(p + "-info-pci.txt").toString(), d.resolve(p + "-mtree.txt").toString(),
                    d.resolve(p + "-mtree-f.txt").toString(), "--format", "json");
            valid("inspect", doc, run[0]);
            assertEquals(4, doc.get("bars").size(), run[0]);
        }
        // with a prediction for the host (the nested oracle's runs and their real outer host), differences included
        Path nested = Path.of("../testdata/qemu-nested/qemu-7.2");
        for (String run : List.of("own-pages/s1", "msix-relocation/s1", "no-mmap/s1")) {
            JsonNode doc = json("inspect", "--root", nested.resolve("host-capture").toString(), nested.resolve(run + "-info-pci.txt").toString(),
                    nested.resolve(run + "-mtree.txt").toString(), nested.resolve(run + "-mtree-f.txt").toString(), "--format", "json");
            valid("inspect", doc, run);
            assertTrue(doc.get("prediction").get("made").asBoolean(), run);
        }
        invalid("inspect", M.readTree("{\"source\": \"x\", \"pageSize\": 4096, \"sizesKnown\": true, \"bars\": [{\"hostBdf\": \"a\", \"bar\": 0, "
                + "\"space\": \"memory\", \"guestStart\": 0, \"guestEnd\": 1, \"sizeKnown\": true, \"mmapped\": true, \"runs\": [{\"guestStart\": 0, "
                + "\"guestEnd\": 4095, \"pages\": 1, \"verdict\": \"trapped\"}]}], \"directPages\": 0, \"memoryPages\": 1}"), "a trapped run without causes");
    }
}
