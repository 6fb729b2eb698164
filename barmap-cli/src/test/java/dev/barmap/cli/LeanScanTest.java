package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code barmap scan}'s lean argument path (issue 16) against picocli's parse of the same arguments:
 * same exit code, same output, same error line. Arguments the lean path does not take are left to
 * picocli (it returns null), so help and usage errors stay picocli's.
 */
class LeanScanTest {
    static final String CAP = Path.of("..", "testdata", "captures").toString();
    static final String LSPCI = Path.of("..", "testdata", "lspci").toString();

    static List<List<String>> accepted() {
        var l = new ArrayList<List<String>>();
        String c = CAP + "/x86_64-4k-msix-firmware-padded";
        l.add(List.of("--root", c));
        l.add(List.of("--root=" + c));
        l.add(List.of("--root", c, "--format", "json"));
        l.add(List.of("--format=html", "--root", c));
        l.add(List.of("--root", c, "--kernel", "4.15"));
        l.add(List.of("--root", c, "--page-size", "64K"));
        l.add(List.of("--root", CAP + "/ppc64le-64k-single-subpage", "--page-size=4096", "--kernel=6.1"));
        l.add(List.of("--root", LSPCI + "/ch-7939-nvme-64k"));
        l.add(List.of("--root", "/nonexistent-barmap-test")); // bad input: exit 2, one line
        return l;
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void leanPathAnswersAsPicocliDoes(List<String> args) {
        var lean = CliRun.of(prepend("scan", args));
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = new CommandLine(ScanCommand.class);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> Main.badInput((dev.barmap.model.BadInputException) ex, cmd.getErr()));
        int rc = cl.execute(args.toArray(String[]::new));
        cl.getErr().flush();
        assertEquals(rc, lean.rc(), "exit code");
        assertEquals(out.toString(), lean.out());
        assertEquals(err.toString(), lean.err());
        assertFalse(lean.out().isEmpty() && lean.err().isEmpty(), "some output");
    }

    static List<List<String>> refused() {
        return List.of(List.of("--help"), List.of("-h"), List.of("--version"), List.of("--root"),
                List.of("--root", "a", "--root", "b"), List.of("--format", "yaml"), List.of("--page-size", "lots"),
                List.of("--bogus"), List.of("extra"), List.of("--root", "--format"), List.of("--root="),
                List.of("@args.txt"), List.of("--kernel", "@k"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void everythingElseIsLeftToPicocli(List<String> args) {
        assertNull(ScanCommand.lean(args.toArray(String[]::new), new PrintWriter(new StringWriter())));
    }

    @Test
    void picocliStillReportsUsageErrors() {
        var r = CliRun.of("scan", "--format", "yaml");
        assertEquals(2, r.rc());
        assertFalse(r.err().isEmpty());
        assertEquals("", r.out());
        var h = CliRun.of("scan", "--help");
        assertEquals(0, h.rc());
        assertFalse(h.out().isEmpty());
    }

    private static String[] prepend(String first, List<String> rest) {
        var a = new ArrayList<String>();
        a.add(first);
        a.addAll(rest);
        return a.toArray(String[]::new);
    }
}
