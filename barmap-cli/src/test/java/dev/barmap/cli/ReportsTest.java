package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.cli.report.ScanHtml;
import dev.barmap.cli.report.ScanText;
import dev.barmap.host.HostReader;
import dev.barmap.model.audit.Audit;
import dev.barmap.model.audit.Finding;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.scan.Check;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Text table words, the HTML page map's structure, and the audit's findings on real captures and fixtures. */
class ReportsTest {
    static final Path PACKED = Path.of("../testdata/captures/x86_64-4k-linux-packed");

    static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {String.valueOf(r.rc()), r.out(), r.err()};
    }

    /** Memory BARs and ROMs with a verdict: what the page map must draw, one span each. */
    static int memSpans(DeviceResult d) {
        int n = 0;
        for (RegionResult r : d.regions()) {
            if (r.index() > Bar.ROM || Check.of(r, d.function().resource(r.index())) == null) continue;
            if (d.function().resource(r.index()).isMem()) n++;
        }
        return n;
    }

    @Test
    void textTableUsesCheckWordsAndNoColourOffATerminal() {
        String[] r = run("scan", "--root", PACKED.toString());
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertFalse(out.contains("\u001b["), "no ANSI codes when not on a terminal");
        assertTrue(out.lines().anyMatch(l -> l.startsWith("0000:00:04.0") && l.contains(" FAIL ") && l.contains("BAR1")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("0000:00:0d.0") && l.contains(" PASS ") && l.contains("direct")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("0000:00:03.0") && l.contains(" INFO ") && l.contains("ROM")), out);
        ScanResult s = Scanner.scan(HostReader.read(PACKED));
        assertTrue(out.contains(ScanText.summary(s)), out);
        assertEquals(s.count(dev.barmap.model.scan.Verdict.DIRECT) + " PASS", ScanText.summary(s).split(",")[0]);
        // columns are aligned: CHECK starts at the same column on every row
        int col = out.lines().filter(l -> l.startsWith("DEVICE")).findFirst().orElseThrow().indexOf("CHECK");
        out.lines().filter(l -> l.startsWith("0000:")).forEach(l -> assertTrue(l.substring(col).matches("(PASS|WARN|FAIL|INFO) .*"), l));
    }

    @Test
    void htmlIsSelfContainedWithOneSpanPerBar() {
        ScanResult s = Scanner.scan(HostReader.read(PACKED));
        String html = ScanHtml.render(s);
        assertFalse(html.matches("(?s).*(src=|href=|@import|url\\(http).*"), "no external assets");
        for (DeviceResult d : s.devices()) {
            String bdf = d.function().bdf().toString();
            Matcher m = Pattern.compile("(?s)<svg class=\"pagemap\" data-bdf=\"" + Pattern.quote(bdf) + "\".*?</svg>").matcher(html);
            assertTrue(m.find(), bdf);
            String svg = m.group();
            int spans = (int) Pattern.compile("<rect class=\"bar ").matcher(svg).results().count();
            assertEquals(memSpans(d), spans, bdf);
            if (spans > 0) assertTrue(svg.contains("<title>"), "hover text");
            else assertTrue(svg.contains("no memory BARs"), svg);
        }
        // 0000:00:0f.0 carries its MSI-X table; the trapped 256-byte BAR of 0000:00:03.0 tints its page
        assertTrue(html.contains("MSI-X table 43103000-4310301f"), "MSI-X table hover text with addresses");
        assertTrue(html.contains("page 43106000-43106fff: holds a trapped BAR"));
    }

    @Test
    void htmlShowsSubPageReservations() {
        ScanResult s = Scanner.scan(dev.barmap.host.LspciReader.readAny(Path.of("../testdata/lspci/ch-7939-nvme-64k"), HostReader.Options.NONE));
        String html = ScanHtml.render(s);
        assertTrue(html.contains("<rect class=\"dummy\""), "the 'vfio sub-page reserved' dummy is drawn");
        assertTrue(html.contains("630040014000-63004001ffff"), "with its addresses");
    }

    @Test
    void auditOfPackedCaptureFailsWithFixes() {
        String[] r = run("audit", "--root", PACKED.toString());
        assertEquals("1", r[0], "FAIL findings give exit status 1");
        Audit.Report a = Audit.run(HostReader.read(PACKED));
        Finding shared = a.findings().stream().filter(f -> f.kind().equals("shared-page") && f.message().startsWith("page 43106000-43106fff"))
                .findFirst().orElseThrow();
        assertEquals(Check.FAIL, shared.severity());
        assertTrue(shared.devices().containsAll(java.util.List.of("0000:00:03.0", "0000:00:06.0")));
        Finding bar = a.findings().stream().filter(f -> f.kind().equals("trapped-bar") && f.devices().getFirst().equals("0000:00:04.0")).findFirst().orElseThrow();
        assertEquals("BAR1", bar.bar());
        assertEquals("pci=resource_alignment=0000:00:04.0", bar.fix());
        assertTrue(a.findings().stream().anyMatch(f -> f.kind().equals("msix-shared-page") && f.fix().matches(".*x-msix-relocation=bar\\d .*")));
        assertTrue(a.findings().stream().anyMatch(f -> f.kind().equals("page-size") && f.devices().getFirst().equals("0000:00:0f.0")));
        assertTrue(a.resourceAlignment().orElseThrow().contains("0000:00:04.0;"));
        assertEquals(a.findings().getFirst().severity(), Check.FAIL, "worst first");
        assertTrue(r[1].contains("fix: pci=resource_alignment=0000:00:04.0"), r[1]);
        // every trapped memory BAR of the scan has a trapped-bar finding
        long trapped = a.scan().devices().stream().flatMap(d -> d.regions().stream().filter(x -> Check.of(x, d.function().resource(x.index())) == Check.FAIL)).count();
        assertEquals(trapped, a.findings().stream().filter(f -> f.kind().equals("trapped-bar")).count());
    }

    @Test
    void auditOfResourceAlignedCaptureHasNoFail() {
        String[] r = run("audit", "--root", "../testdata/captures/x86_64-4k-resource-alignment", "--format", "json");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("\"FAIL\" : 0"), r[1]);
    }

    @Test
    void auditOfLspciFixturesSaysWhatItCannotKnow(@org.junit.jupiter.api.io.TempDir Path tmp) throws java.io.IOException {
        Audit.Report rocm = Audit.run(dev.barmap.host.LspciReader.readAny(Path.of("../testdata/lspci/rocm-679-nonroot"), HostReader.Options.NONE));
        assertEquals(1, rocm.findings().stream().filter(f -> f.kind().equals("msix-unknown")).count());
        // synthetic input (not a report): two 256-byte BARs in one page, IOMMU groups not given
        java.nio.file.Files.writeString(tmp.resolve("lspci.txt"), """
                00:12.2 USB controller: Synthetic EHCI (prog-if 20 [EHCI])
                \tRegion 0: Memory at fe7ff800 (32-bit, non-prefetchable) [size=256]
                \tKernel driver in use: ehci-pci

                00:13.2 USB controller: Synthetic EHCI (prog-if 20 [EHCI])
                \tRegion 0: Memory at fe7ffc00 (32-bit, non-prefetchable) [size=256]
                \tKernel driver in use: ehci-pci
                """);
        Audit.Report packed = Audit.run(dev.barmap.host.LspciReader.readAny(tmp, HostReader.Options.NONE));
        Finding shared = packed.findings().stream().filter(f -> f.kind().equals("shared-page")).findFirst().orElseThrow();
        assertEquals(Check.WARN, shared.severity(), "groups unknown: cannot say it crosses groups");
        Audit.Report i350 = Audit.run(dev.barmap.host.LspciReader.readAny(Path.of("../testdata/lspci/rpi-315-i350"), HostReader.Options.NONE));
        Finding m = i350.findings().stream().filter(f -> f.kind().equals("msix-shared-page")).findFirst().orElseThrow();
        assertEquals("BAR3", m.bar());
        // 4096 - 160 (TabSize 10 x 16 B): exact, not "3.8 KiB"
        assertTrue(m.message().contains("3936 B of other BAR3 space"), m.message());
        // a 16K BAR on 64K pages: sub-page but page-aligned and alone in its page, so no page-size warning
        assertTrue(i350.findings().stream().noneMatch(f -> f.kind().equals("page-size")));
    }

    @Test
    void scanReadsLspciFilesFromTheCommandLine() {
        String[] r = run("scan", "--lspci", "../testdata/lspci/acrn-4443-x722-sriov/lspci.txt", "--format", "json");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"hostStart\" : 3154116608"), "BAR0 at bc000000");
        String[] bad = run("scan", "--lspci", "../testdata/lspci/README.md");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("README.md") && bad[2].contains("no lspci device line"), bad[2]);
    }
}
