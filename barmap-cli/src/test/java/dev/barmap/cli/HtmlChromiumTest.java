package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.barmap.cli.report.ScanHtml;
import dev.barmap.host.HostReader;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the HTML report of the x86_64-4k-linux-packed capture in headless Chromium (Debian's
 * {@code chromium} package): the screenshot must not be blank and the DOM Chromium built must hold one
 * span per memory BAR. Installs nothing: CI installs chromium (.ci/run); without it the test fails under
 * {@code CI=true} and is skipped elsewhere.
 */
class HtmlChromiumTest {
    static final Path PACKED = Path.of("../testdata/captures/x86_64-4k-linux-packed");

    static String chromium() {
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p.toString();
            }
        }
        return null;
    }

    static List<String> command(String chromium, Path profile, String... extra) {
        var c = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--user-data-dir=" + profile));
        c.addAll(List.of(extra));
        return c;
    }

    static String run(List<String> cmd, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(log));
        return new String(out, StandardCharsets.UTF_8);
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void packedCaptureRendersInHeadlessChromium(@TempDir Path tmp) throws Exception {
        String chromium = chromium();
        if (chromium == null) {
            if ("true".equals(System.getenv("CI"))) fail("chromium is not installed: .ci/run must apt-get install chromium");
            Assumptions.abort("chromium not installed (apt-get install chromium); skipped outside CI");
        }
        ScanResult s = Scanner.scan(HostReader.read(PACKED));
        Path html = tmp.resolve("report.html");
        Files.writeString(html, ScanHtml.render(s));
        Path png = tmp.resolve("report.png");
        run(command(chromium, tmp.resolve("profile1"), "--screenshot=" + png, "--window-size=1280,1600", html.toUri().toString()), tmp.resolve("shot.log"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        var colours = new HashSet<Integer>();
        long nonWhite = 0;
        boolean green = false, red = false;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) nonWhite++;
                if (rgb == 0x2da44e) green = true; // a PASS span
                if (rgb == 0xcf222e) red = true;   // a FAIL span
            }
        }
        assertTrue(colours.size() >= 16, "a blank or flat screenshot: " + colours.size() + " colours");
        assertTrue(nonWhite > img.getWidth() * (long) img.getHeight() / 50, "almost all white: " + nonWhite + " non-white pixels");
        assertTrue(green && red, "PASS and FAIL spans visible in the first screen");
        // the DOM Chromium built from the page: one span per memory BAR and ROM, per device
        String dom = run(command(chromium, tmp.resolve("profile2"), "--dump-dom", html.toUri().toString()), tmp.resolve("dom.log"));
        int expected = 0;
        for (DeviceResult d : s.devices()) {
            int n = ReportsTest.memSpans(d);
            expected += n;
            var m = Pattern.compile("(?s)<svg class=\"pagemap\" data-bdf=\"" + Pattern.quote(d.function().bdf().toString()) + "\".*?</svg>").matcher(dom);
            assertTrue(m.find(), "svg of " + d.function().bdf() + " in the rendered DOM");
            assertEquals(n, Pattern.compile("<rect class=\"bar ").matcher(m.group()).results().count(), d.function().bdf().toString());
        }
        assertEquals(expected, Pattern.compile("<rect class=\"bar ").matcher(dom).results().count());
        assertTrue(expected >= 20, "the packed capture has many memory BARs: " + expected);

        // readable at any BAR size: every sub-page BAR too narrow at page scale is drawn again in a zoom strip,
        // at least ScanHtml.MIN_W px wide, and every neighbour in a strip is labeled there
        int zoomed = 0;
        Matcher svg = Pattern.compile("(?s)<svg class=\"pagemap\" data-bdf=\"([^\"]+)\".*?</svg>").matcher(dom);
        while (svg.find()) {
            String bdf = svg.group(1);
            var widths = new java.util.HashMap<String, Double>();
            Matcher bar = Pattern.compile("<rect class=\"bar [a-z]+\" data-bar=\"([^\"]+)\"[^>]* width=\"([0-9.]+)\"").matcher(svg.group());
            while (bar.find()) widths.put(bar.group(1), Double.parseDouble(bar.group(2)));
            Matcher g = Pattern.compile("(?s)<g class=\"zoom\".*?</g>").matcher(svg.group());
            var inStrips = new java.util.HashMap<String, Double>();
            while (g.find()) {
                String strip = g.group();
                Matcher z = Pattern.compile("<rect class=\"zbar [a-z]+\" data-bar=\"([^\"]+)\"[^>]* width=\"([0-9.]+)\"").matcher(strip);
                while (z.find()) inStrips.merge(z.group(1), Double.parseDouble(z.group(2)), Math::max);
                Matcher other = Pattern.compile("<rect class=\"other\"[^>]*><title>([0-9a-f]{4}):([^ ]+) (\\w+) ").matcher(strip);
                while (other.find()) {
                    String label = (other.group(1).equals("0000") ? "" : other.group(1) + ":") + other.group(2) + " " + other.group(3);
                    assertTrue(strip.contains(">" + label + "</text>"), bdf + ": neighbour " + label + " labeled in its zoom strip");
                }
            }
            for (var e : widths.entrySet()) {
                if (e.getValue() >= ScanHtml.MIN_W) continue;
                assertTrue(inStrips.getOrDefault(e.getKey(), 0.0) >= ScanHtml.MIN_W, bdf + " " + e.getKey() + " is " + e.getValue() + " px at page scale and "
                        + inStrips.get(e.getKey()) + " px in a zoom strip");
                zoomed++;
            }
        }
        assertTrue(zoomed >= 10, "the packed capture's sub-page BARs are zoomed: " + zoomed);
        assertTrue(dom.contains("class=\"legend\"") && dom.contains("zoom: a stretch of a page enlarged"), "a legend, with the zoom strip");
        // and in the pixels: the 16- to 256-byte trapped BARs are 0.5-7.5 px wide at page scale; a zoom strip shows
        // one as a block of FAIL red at least MIN_W px wide
        int longestRed = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            int run = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                run = (img.getRGB(x, y) & 0xffffff) == 0xcf222e ? run + 1 : 0;
                longestRed = Math.max(longestRed, run);
            }
        }
        assertTrue(longestRed >= ScanHtml.MIN_W, "a zoomed sub-page BAR visible in the screenshot: longest red run " + longestRed + " px");
    }
}
