package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.barmap.host.QmpClient;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code barmap inspect}: the real QEMU 7.2.22 runs of testdata/qemu as pasted monitor output, a real QEMU over QMP
 * (CI installs qemu-system-x86, .ci/run; without it the QMP test fails under {@code CI=true} and is skipped
 * elsewhere), and bad input. Expected verdicts are worked out from the dumps (see InspectionTest).
 */
class InspectCommandTest {
    static final Path RUNS = Path.of("../testdata/qemu");

    static String[] files(String run, String step) {
        Path d = RUNS.resolve(run);
        return new String[] {d.resolve(step + "-info-pci.txt").toString(), d.resolve(step + "-mtree.txt").toString(), d.resolve(step + "-mtree-f.txt").toString()};
    }

    @Test
    void pastedRunsAnswerPerBarAndPage() {
        CliRun a = CliRun.of(concat("inspect", files("qemu7.2-seabios-own-pages", "s1")));
        assertEquals(0, a.rc(), a.err());
        assertTrue(a.out().contains("0000:00:05.0 BAR0 (guest 00:04.0)  0xfebfa000-0xfebfa00f  16 B  1 of 1 page direct"), a.out());
        assertTrue(a.out().contains("memory BARs: 3 of 3 guest pages direct"), a.out());
        CliRun b = CliRun.of(concat("inspect", files("qemu7.2-linux-packed", "s3")));
        assertEquals(0, b.rc(), b.err());
        assertTrue(b.out().contains("memory BARs: 0 of 3 guest pages direct"), b.out());
        assertTrue(b.out().contains("0000:00:03.0 BAR1 (guest 00:06.0)  0x08001100-0x080011ff  256 B  0 of 1 page direct"), b.out());
        assertTrue(b.out().contains("i6300esb 0x08001210-0x0800121f"), "the emulated neighbour is named: " + b.out());
    }

    /**
     * The prediction for the host's files (--root), text and JSON, on the nested oracle's no-mmap/s1 run (QEMU 7.2.22
     * with x-no-mmap=on on 03:01.0 and 00:08.0, inner-cmd.txt) and its real outer host: 6 memory BAR pages (info pci:
     * 03:01.0 16 B at 0xc0000000, 02:01.0 256 B at 0xc0001000, 00:08.0 16 KiB at 0xc0010000), of which only 02:01.0's
     * agrees (see NestedPredictionTest for the page-by-page reasoning). Without --root no prediction is made.
     */
    @Test
    void predictionForTheHostsFiles() throws IOException {
        Path run = Path.of("../testdata/qemu-nested/qemu-7.2");
        String[] dump = Stream.of("-info-pci.txt", "-mtree.txt", "-mtree-f.txt").map(f -> run.resolve("no-mmap/s1" + f).toString()).toArray(String[]::new);
        String root = run.resolve("host-capture").toString();
        CliRun t = CliRun.of(concat("inspect", concat("--root", concat(root, dump))));
        assertEquals(0, t.rc(), t.err());
        assertTrue(t.out().contains("\nbarmap's prediction for this host (" + root + "): 1 of 6 pages agree\n"), t.out());
        assertTrue(t.out().contains("  0000:03:01.0 BAR0 0xc0000000 1 page: QEMU trapped (QEMU has no mmap of this BAR"), t.out());
        String line = t.out().lines().filter(l -> l.startsWith("  0000:03:01.0 BAR0 0xc0000000 1 page:")).findFirst().orElseThrow();
        assertTrue(line.contains("; barmap predicted direct. Possibly: x-no-mmap=on on this device, "), line);
        assertEquals(4, t.out().lines().filter(l -> l.matches("^  0000:\\S+ BAR\\d 0x[0-9a-f]{8} \\d+ pages?: QEMU .*")).count(), t.out());

        CliRun j = CliRun.of(concat("inspect", concat("--format", concat("json", concat("--root", concat(root, dump))))));
        assertEquals(0, j.rc(), j.err());
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out());
        SchemaTest.valid("inspect", doc, "no-mmap/s1 with --root");
        var p = doc.get("prediction");
        assertTrue(p.get("made").asBoolean());
        assertEquals(root, p.get("host").asText());
        assertEquals(6, p.get("pages").asLong());
        assertEquals(1, p.get("agreeingPages").asLong());
        assertEquals(4, p.get("differences").size());
        var first = p.get("differences").get(0);
        assertEquals("0000:00:08.0", first.get("hostBdf").asText());
        assertEquals(0xc0010000L, first.get("guestStart").asLong());
        assertEquals(0xc0011fffL, first.get("guestEnd").asLong());
        assertEquals("not-mmapped", first.get("real").get("causes").get(0).get("kind").asText());
        assertEquals("direct", first.get("predicted").get("verdict").asText());
        assertEquals("x-no-mmap", first.get("possibly").get(0).get("kind").asText());

        CliRun none = CliRun.of(concat("inspect", dump));
        assertEquals(0, none.rc(), none.err());
        assertTrue(none.out().endsWith("\nbarmap's prediction for this host: not made (no host files given; --root DIR names them: /, a capture "
                + "directory or lspci output)\n"), none.out());
        CliRun noneJ = CliRun.of(concat("inspect", concat("--format", concat("json", dump))));
        var nd = new com.fasterxml.jackson.databind.ObjectMapper().readTree(noneJ.out());
        SchemaTest.valid("inspect", nd, "no-mmap/s1 without --root");
        assertEquals("{\"made\":false,\"why\":{\"kind\":\"no-host-given\",\"text\":\"no host files given; --root DIR names them: /, a capture directory "
                + "or lspci output\"}}", nd.get("prediction").toString());

        // --root names input: a bad one is an error naming it, nothing printed
        CliRun bad = CliRun.of(concat("inspect", concat("--root", concat("/nonexistent-barmap-root", dump))));
        assertEquals(2, bad.rc());
        assertTrue(bad.out().isEmpty(), bad.out());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("barmap: error: /nonexistent-barmap-root"), bad.err());
    }

    static String[] concat(String first, String[] rest) {
        String[] a = new String[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    @Test
    void badInputIsOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        CliRun missing = CliRun.of("inspect", tmp.resolve("nope.txt").toString());
        assertEquals(2, missing.rc());
        assertEquals("barmap: error: " + tmp.resolve("nope.txt") + ": no such file", missing.err().strip());
        Path bad = tmp.resolve("paste.txt");
        Files.writeString(bad, "(qemu) info mtree -f\nFlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000000000fff (prio high, ram): pc.ram\n");
        CliRun line = CliRun.of("inspect", bad.toString());
        assertEquals(2, line.rc());
        assertTrue(line.err().startsWith("barmap: error: " + bad + ":4: not an 'info mtree' range line"), line.err());
        assertEquals(1, line.err().strip().lines().count());
        CliRun page = CliRun.of(concat("inspect", concat("--page-size=3000", files("qemu7.2-linux-packed", "s3"))));
        assertEquals(2, page.rc());
        assertTrue(page.err().contains("--page-size: 3000 is not a host page size"), page.err());
        CliRun both = CliRun.of("inspect", "--qmp", tmp.resolve("s").toString(), bad.toString());
        assertEquals(2, both.rc(), "--qmp and files are exclusive");
        assertTrue(both.out().isEmpty());
    }

    @Test
    void qmpThatIsNotQmpOrNeverAnswers(@TempDir Path tmp) throws Exception {
        Path sock = tmp.resolve("fake.sock");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = Thread.ofVirtual().start(() -> {
                try (var c = server.accept()) {
                    c.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
                    Thread.sleep(5000);
                } catch (IOException | InterruptedException e) {
                    // the client hung up
                }
            });
            CliRun r = CliRun.of("inspect", "--qmp", sock.toString());
            assertEquals(2, r.rc());
            assertTrue(r.err().startsWith("barmap: error: qmp:" + sock + ": not QMP (not JSON): 'hello'"), r.err());
            t.interrupt();
        }
        Files.delete(sock);
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = Thread.ofVirtual().start(() -> {
                try (var c = server.accept()) {
                    Thread.sleep(10_000); // says nothing
                } catch (IOException | InterruptedException e) {
                    // done
                }
            });
            CliRun r = CliRun.of("inspect", "--qmp", sock.toString(), "--qmp-timeout", "1");
            assertEquals(2, r.rc());
            assertTrue(r.err().contains("no answer from QEMU within 1 s"), r.err());
            t.interrupt();
        }
    }

    static Path qemu() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Test
    void aRealQemuOverQmp(@TempDir Path tmp) throws Exception {
        Path q = qemu();
        if (q == null) {
            if ("true".equals(System.getenv("CI"))) fail("qemu-system-x86_64 is not installed: .ci/run must apt-get install qemu-system-x86");
            Assumptions.abort("qemu-system-x86_64 not installed; skipped outside CI");
        }
        Path sock = tmp.resolve("qmp.sock");
        // a stopped q35 guest (-S: no firmware has run, so nothing is placed) with two emulated devices; no vfio
        Process p = new ProcessBuilder(q.toString(), "-machine", "q35,accel=tcg", "-S", "-nodefaults", "-display", "none",
                "-qmp", "unix:" + sock + ",server=on,wait=off", "-device", "i6300esb").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("qemu.log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(sock); i++) Thread.sleep(100);
            assertTrue(Files.exists(sock), "QEMU made its QMP socket: " + Files.readString(tmp.resolve("qemu.log")));
            List<String> out = QmpClient.hmp(sock, InspectCommand.COMMANDS, 30_000);
            assertTrue(out.get(0).contains("Bus  0, device"), "info pci through human-monitor-command: " + out.get(0));
            assertTrue(out.get(2).contains("AS \"memory\", root: system"), "info mtree -f: " + out.get(2));
            CliRun r = CliRun.of("inspect", "--qmp", sock.toString(), "--qmp-timeout", "30");
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.out().contains("no vfio-pci BARs in this map"), r.out());
            CliRun j = CliRun.of("inspect", "--qmp", sock.toString(), "--qmp-timeout", "30", "--format", "json");
            assertEquals(0, j.rc(), j.err());
            SchemaTest.valid("inspect", new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out()), "live QEMU");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
