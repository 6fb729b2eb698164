package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input corpus ({@code testdata/hostile/cases}, issue 14) and the exit-code contract.
 *
 * <p>Each case is an overlay on a real capture ({@code x86_64-4k-linux-packed}) plus a {@code case.properties}:
 * the command line, the exit code, and the file (and line) the one error line must name. FIFOs and a sparse
 * 100 MB file are made here (git cannot hold them). {@code testdata/hostile/OUTSIDE} stands for files outside the
 * capture root: its canary text (and {@code /etc/passwd}'s) must never appear in any output.
 *
 * <p>The contract (README "Exit codes"), checked by {@link #everyCommandKeepsTheContract} for every command on
 * every case: exit 0, 1 or 2 (3 only when output cannot be written); a failure is exactly one line on stderr
 * and never a stack trace; no content of a file outside the root.
 */
class HostileInputTest {
    static final Path HOSTILE = Path.of("../testdata/hostile");
    static final Path BASE = Path.of("../testdata/captures/x86_64-4k-linux-packed");
    static final String CANARY = "CANARY-5f3a9e";

    @TempDir
    Path tmp;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(HOSTILE.resolve("cases"))) {
            var l = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(l.size() >= 25, "corpus: " + l);
            return l.stream();
        }
    }

    static Properties props(String name) throws IOException {
        var p = new Properties();
        try (var r = Files.newBufferedReader(HOSTILE.resolve("cases").resolve(name).resolve("case.properties"))) {
            p.load(r);
        }
        return p;
    }

    /** Builds the case under tmp: tmp/OUTSIDE, tmp/cases/NAME (base capture + overlay + specials); returns the root. */
    Path build(String name, Properties p) throws IOException, InterruptedException {
        copyTree(HOSTILE.resolve("OUTSIDE"), tmp.resolve("OUTSIDE"));
        Path root = tmp.resolve("cases").resolve(name);
        copyTree(BASE, root);
        deleteTree(root.resolve("expected"));
        Files.deleteIfExists(root.resolve("console.log"));
        String del = p.getProperty("delete");
        if (del != null) deleteTree(root.resolve(del));
        Path overlay = HOSTILE.resolve("cases").resolve(name);
        try (Stream<Path> s = Files.walk(overlay)) {
            for (Path f : s.sorted().toList()) {
                Path to = root.resolve(overlay.relativize(f).toString());
                if (f.equals(overlay) || f.getFileName().toString().equals("case.properties")) continue;
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(to);
                else {
                    if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) deleteTree(to);
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        String fifo = p.getProperty("fifo");
        if (fifo != null) {
            Files.deleteIfExists(root.resolve(fifo));
            assertEquals(0, new ProcessBuilder("mkfifo", root.resolve(fifo).toString()).start().waitFor());
        }
        String big = p.getProperty("big");
        if (big != null) {
            int c = big.lastIndexOf(':');
            try (var f = new RandomAccessFile(root.resolve(big.substring(0, c)).toFile(), "rw")) {
                f.setLength(Long.parseLong(big.substring(c + 1)));
            }
        }
        return root;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.sorted().toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
                else Files.copy(f, t, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) deleteTree(c);
            }
        }
        Files.delete(p);
    }

    String[] args(String line, Path root) {
        return line.replace("{root}", root.toString()).replace("{tmp}", tmp.toString()).replace("{base}", BASE.toString()).trim().split("\\s+");
    }

    static CliRun run(String[] args, String stdout) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            var err = new StringWriter();
            if (stdout != null) {
                try (var os = new java.io.FileOutputStream(stdout)) {
                    int rc = Main.run(args, new PrintWriter(os), new PrintWriter(err));
                    return new CliRun(rc, "", err.toString());
                }
            }
            var out = new StringWriter();
            int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
            return new CliRun(rc, out.toString(), err.toString());
        }, "no command may hang on hostile input");
    }

    /** Nothing of a file outside the root, no stack trace; a failure is one line naming barmap. */
    static void contract(String what, CliRun r) {
        String all = r.out() + r.err();
        assertFalse(all.contains(CANARY), what + ": printed a file outside the capture root\n" + all);
        assertFalse(all.contains("root:x:0:0"), what + ": printed /etc/passwd\n" + all);
        assertFalse(all.contains("\tat ") || all.contains("Exception in thread") || all.contains("Caused by:"), what + ": stack trace\n" + r.err());
        assertFalse(all.contains("\u001b]") || all.contains("\u0007"), what + ": a control sequence reached the terminal");
        assertTrue(r.rc() >= 0 && r.rc() <= 3, what + ": exit " + r.rc() + " is outside the contract (4 = internal error)\n" + r.err());
        if (r.rc() >= 2) {
            // exactly one error line, the last on stderr (fleet --jsonl - writes its summary to stderr before it)
            var lines = r.err().lines().toList();
            assertEquals(1, lines.stream().filter(l -> l.contains("error")).count(), what + ": exactly one error line\n" + r.err());
            assertTrue(!lines.isEmpty() && lines.getLast().startsWith("barmap: error: "), what + ": " + r.err());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseGivesItsExitCodeAndNamesTheFile(String name) throws Exception {
        Properties p = props(name);
        Path root = build(name, p);
        CliRun r = run(args(p.getProperty("args"), root), p.getProperty("stdout"));
        contract(name, r);
        assertEquals(Integer.parseInt(p.getProperty("rc")), r.rc(), name + ": exit code\n" + r.err() + r.out());
        String error = p.getProperty("error");
        if (error != null) assertTrue(r.err().contains(error), name + ": the error line names " + error + "\n" + r.err());
        String out = p.getProperty("out");
        if (out != null) assertTrue(r.out().contains(out) || r.err().contains(out), name + ": output has " + out + "\n" + r.out() + r.err());
        if ("true".equals(p.getProperty("same-as-base"))) {
            CliRun base = run(args(p.getProperty("args"), BASE), null);
            assertEquals(base.out().replace(BASE.toString(), "ROOT"), r.out().replace(root.toString(), "ROOT"), name + ": same answer as the unmodified capture");
        }
    }

    /** Every command, on every case: exit 0/1/2 (3 only for output), one error line, no stack trace, nothing from outside. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCommandKeepsTheContract(String name) throws Exception {
        Properties p = props(name);
        Path root = build(name, p);
        var commands = new ArrayList<String>(List.of("scan --root {root}", "scan --root {root} --format json", "scan --root {root} --format html",
                "plan --root {root}", "plan --root {root} --guest linux --format json", "plan --root {root} --guest slof",
                "audit --root {root}", "audit --root {root} --format json", "fleet {root} --no-progress", "fleet {root} --jsonl -",
                "hotplug --root {root} --add 00:4K", "hotplug --root {root} --open 0000:00:03.0 --add 00:256+64 --format json",
                "inspect {root}/proc/iomem {root}/sys/bus/pci/devices/0000:00:03.0/vendor", "inspect {root}/capture.properties --format json"));
        commands.add(p.getProperty("args"));
        for (String c : commands) {
            CliRun r = run(args(c, root), null);
            contract(name + ": " + c, r);
            assertTrue(r.rc() <= 2 || c.contains("--jsonl {tmp}"), name + ": " + c + ": exit " + r.rc() + "\n" + r.err());
        }
    }
}
