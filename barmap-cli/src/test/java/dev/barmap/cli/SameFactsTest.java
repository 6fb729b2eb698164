package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 acceptance 3: the same capture scanned as text, JSON and HTML gives the same facts. Each output is read
 * back the way a person or a script would (the text table's columns, the JSON fields, the HTML tables), through
 * the barmap command, and the facts per BAR - device, BAR, host range, size, verdict, reason - and the notes must
 * be equal across the three, on every real capture and every lspci fixture.
 */
class SameFactsTest {
    static final ObjectMapper M = new ObjectMapper();

    /** One BAR's facts as every format states them. */
    record Fact(String device, String bar, String range, long size, String verdict, String reason) {}

    record Facts(Map<String, Fact> bars, List<String> notes) {}

    static String out(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.rc(), String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    /** "4 KiB", "256 B", "1.5 MiB" back to bytes (ScanText and ScanHtml print sizes with Sizes.human). */
    static long bytes(String human) {
        String[] p = human.trim().split(" ");
        long unit = switch (p[1]) {
            case "B" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            default -> throw new AssertionError("unit " + human);
        };
        return Math.round(Double.parseDouble(p[0]) * unit);
    }

    static Facts fromText(String text) {
        var bars = new TreeMap<String, Fact>();
        var notes = new ArrayList<String>();
        List<String> lines = text.lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("DEVICE ")).findFirst().orElse(null);
        for (String l : lines) if (l.startsWith("note: ")) notes.add(l.substring(6));
        if (header == null) return new Facts(bars, notes);
        int cBar = header.indexOf("BAR "), cRange = header.indexOf("HOST RANGE"), cSize = header.indexOf("SIZE"), cType = header.indexOf("TYPE"),
                cVerdict = header.indexOf("VERDICT"), cReason = header.indexOf("REASON");
        for (String l : lines) {
            if (!l.matches("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*")) continue;
            String dev = l.substring(0, 12), bar = l.substring(cBar, cRange).trim();
            bars.put(dev + " " + bar, new Fact(dev, bar, l.substring(cRange, cSize).trim(), bytes(l.substring(cSize, cType)),
                    l.substring(cVerdict, cReason).trim(), l.substring(cReason)));
        }
        return new Facts(bars, notes);
    }

    static Facts fromJson(String json) throws IOException {
        JsonNode root = M.readTree(json);
        var bars = new TreeMap<String, Fact>();
        for (var e : root.get("devices").properties()) {
            for (JsonNode r : e.getValue().get("regions")) {
                if (!r.has("verdict") || r.get("verdict").asText().equals("absent")) continue;
                String bar = r.get("name").asText();
                bars.put(e.getKey() + " " + bar, new Fact(e.getKey(), bar,
                        Long.toHexString(r.get("hostStart").asLong()) + "-" + Long.toHexString(r.get("hostEnd").asLong()),
                        r.get("size").asLong(), r.get("verdict").asText(), r.get("reason").asText()));
            }
        }
        var notes = new ArrayList<String>();
        root.get("notes").forEach(n -> notes.add(n.asText()));
        return new Facts(bars, notes);
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }

    static Facts fromHtml(String html) {
        var bars = new TreeMap<String, Fact>();
        Matcher sec = Pattern.compile("(?s)<section class=\"device\" id=\"dev-([^\"]+)\">(.*?)</section>").matcher(html);
        Pattern row = Pattern.compile("<tr><td>([^<]*)</td><td class=\"mono\">([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td class=\"check [a-z]+\">[A-Z]+</td>"
                + "<td>([^<]*)</td><td>([^<]*)</td></tr>");
        while (sec.find()) {
            String dev = unescape(sec.group(1));
            Matcher m = row.matcher(sec.group(2));
            while (m.find()) {
                String bar = unescape(m.group(1));
                bars.put(dev + " " + bar, new Fact(dev, bar, m.group(2), bytes(unescape(m.group(3))), unescape(m.group(4)), unescape(m.group(5))));
            }
        }
        var notes = new ArrayList<String>();
        Matcher ul = Pattern.compile("(?s)<ul class=\"notes\">(.*?)</ul>").matcher(html);
        if (ul.find()) {
            Matcher li = Pattern.compile("(?s)<li>(.*?)</li>").matcher(ul.group(1));
            while (li.find()) notes.add(unescape(li.group(1)));
        }
        return new Facts(bars, notes);
    }

    static List<String> hosts() throws IOException {
        var hosts = new ArrayList<String>();
        for (String dir : List.of("../testdata/captures", "../testdata/lspci")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(Files::isDirectory).sorted().forEach(p -> hosts.add(p.toString()));
            }
        }
        return hosts;
    }

    @Test
    void textJsonAndHtmlStateTheSameFacts() throws IOException {
        int barsSeen = 0;
        for (String h : hosts()) {
            for (List<String> extra : List.of(List.<String>of(), List.of("--page-size", "64K", "--kernel", "4.15"))) {
                var base = new ArrayList<>(List.of("scan", "--root", h));
                base.addAll(extra);
                Facts text = fromText(out(base.toArray(String[]::new)));
                base.addAll(List.of("--format", "json"));
                Facts json = fromJson(out(base.toArray(String[]::new)));
                base.set(base.size() - 1, "html");
                Facts html = fromHtml(out(base.toArray(String[]::new)));
                String what = h + " " + extra;
                assertEquals(json.bars(), text.bars(), what + ": text vs JSON");
                assertEquals(json.bars(), html.bars(), what + ": HTML vs JSON");
                assertEquals(json.notes(), text.notes(), what + ": notes, text vs JSON");
                assertEquals(json.notes(), html.notes(), what + ": notes, HTML vs JSON");
                barsSeen += json.bars().size();
            }
        }
        assertTrue(barsSeen > 100, "the fixtures hold many BARs: " + barsSeen);
    }

    /** One audit finding as every format states it. */
    record Finding(String severity, String kind, String message, String fix) {}

    @Test
    void auditTextJsonAndHtmlStateTheSameFindings() throws IOException {
        int seen = 0;
        for (String h : hosts()) {
            CliRun t = CliRun.of("audit", "--root", h), j = CliRun.of("audit", "--root", h, "--format", "json"), x = CliRun.of("audit", "--root", h, "--format", "html");
            assertEquals(t.rc(), j.rc(), h);
            assertEquals(t.rc(), x.rc(), h);
            var json = new ArrayList<Finding>();
            for (JsonNode f : M.readTree(j.out()).get("findings")) {
                json.add(new Finding(f.get("severity").asText(), f.get("kind").asText(), f.get("message").asText(), f.path("fix").asText("")));
            }
            var html = new ArrayList<Finding>();
            Matcher m = Pattern.compile("<tr><td class=\"sev [a-z]+\">([A-Z]+)</td><td>([^<]*)</td><td class=\"mono\">[^<]*</td><td>[^<]*</td><td>([^<]*)</td>"
                    + "<td class=\"mono\">([^<]*)</td></tr>").matcher(x.out());
            while (m.find()) html.add(new Finding(m.group(1), unescape(m.group(2)), unescape(m.group(3)), unescape(m.group(4))));
            // text: "SEV  KIND  DEVICE  message", then an indented "fix: ..." line
            var text = new ArrayList<Finding>();
            List<String> lines = t.out().lines().toList();
            String header = lines.stream().filter(l -> l.contains("KIND") && l.contains("FINDING")).findFirst().orElse("");
            int cKind = header.indexOf("KIND"), cDev = header.indexOf("DEVICE"), cMsg = header.indexOf("FINDING");
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (!l.matches("^(FAIL|WARN|INFO) .*")) continue;
                String fix = i + 1 < lines.size() && lines.get(i + 1).startsWith(" ".repeat(cMsg) + "fix: ") ? lines.get(i + 1).substring(cMsg + 5) : "";
                text.add(new Finding(l.substring(0, 4).trim(), l.substring(cKind, cDev).trim(), l.substring(cMsg), fix));
            }
            assertEquals(json, text, h + ": audit text vs JSON");
            assertEquals(json, html, h + ": audit HTML vs JSON");
            seen += json.size();
        }
        assertTrue(seen > 20, "the fixtures give many findings: " + seen);
    }

    @Test
    void theReadersSeeWhatTheyShould() throws IOException {
        // a check of the test's own parsers on a known row (values from the README's worked example, a real capture)
        String h = "../testdata/captures/x86_64-4k-linux-packed";
        Fact text = fromText(out("scan", "--root", h)).bars().get("0000:00:04.0 BAR1");
        assertEquals(new Fact("0000:00:04.0", "BAR1", "43106600-4310661f", 32, "trapped",
                "sub-page BAR (32 B) does not start its page (it sits at +0x600 in the page)"), text);
        assertFalse(fromHtml(out("scan", "--root", h, "--format", "html")).bars().isEmpty());
    }
}
