package dev.barmap.model.testing;

import dev.barmap.model.vmm.qemu.scenario.ScenarioReplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The nested QEMU oracle's committed runs: {@code testdata/qemu-nested/qemu-VERSION/SCENARIO/} with
 * {@code scenario.scn}, {@code qemu-version.txt} and, per dump D, {@code D-info-pci.txt}, {@code D-mtree.txt},
 * {@code D-mtree-f.txt} (QEMU's HMP text), {@code D-inspect.json} (barmap inspect live); the outer host's
 * capture is {@code qemu-VERSION/host-capture/}. Shared by the agreement tests of barmap-host and barmap-cli.
 */
public final class NestedRuns {
    /**
     * Where the runs are: the system property {@code barmap.nested.runs} when set (oracle/run-ci.sh points it at
     * the fresh runs of oracle/qemu/run.sh, same layout), else the committed testdata/qemu-nested.
     */
    public static final Path ROOT = root(System.getProperty("barmap.nested.runs"));

    static Path root(String property) {
        return property == null || property.isBlank() ? TestCaptures.TESTDATA.resolve("qemu-nested") : Path.of(property);
    }

    private NestedRuns() {}

    /** Every run directory (one holding scenario.scn), sorted; empty when there is none. */
    public static List<Path> runs() {
        if (!Files.isDirectory(ROOT)) return List.of();
        try (Stream<Path> s = Files.list(ROOT)) {
            var out = new ArrayList<Path>();
            for (Path version : s.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> r = Files.list(version)) {
                    r.filter(p -> Files.isRegularFile(p.resolve("scenario.scn"))).sorted().forEach(out::add);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "qemu-10.0/own-pages" for a run directory. */
    public static String name(Path run) {
        return run.getParent().getFileName() + "/" + run.getFileName();
    }

    /** A run's file; an AssertionError naming the file when the harness did not write it (a failed step). */
    public static String read(Path run, String file) {
        Path p = run.resolve(file);
        if (!Files.isRegularFile(p)) throw new AssertionError(name(run) + ": missing " + file + " (the harness did not write it; see the run's stderr)");
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The lines of the flat view of AS "memory" (the FlatView listing {@code AS "memory", root: system}) in
     * {@code info mtree -f} text whose start is in [lo, hi); AssertionError when there is no such flat view.
     */
    public static List<String> flatWindow(String mtreeF, String file, long lo, long hi) {
        var lines = mtreeF.lines().toList();
        int i = 0;
        while (i < lines.size() && !lines.get(i).contains("AS \"memory\", root: system")) i++;
        while (i < lines.size() && !lines.get(i).contains("Root memory region: system")) i++;
        if (i >= lines.size()) throw new AssertionError(file + ": no flat view of AS \"memory\" with root system");
        var out = new ArrayList<String>();
        for (i++; i < lines.size() && !lines.get(i).isBlank(); i++) out.add(lines.get(i).strip());
        return ScenarioReplay.window(out, lo, hi);
    }

    /** The lines of {@code info mtree}'s "memory-region: pci" listing whose start is in [lo, hi), indent kept. */
    public static List<String> pciWindow(String mtree, String file, long lo, long hi) {
        var lines = mtree.lines().toList();
        int i = lines.indexOf("memory-region: pci");
        if (i < 0) throw new AssertionError(file + ": no \"memory-region: pci\" listing");
        var out = new ArrayList<String>();
        for (i++; i < lines.size() && !lines.get(i).isBlank(); i++) out.add(lines.get(i));
        return ScenarioReplay.window(out, lo, hi);
    }

    /**
     * A readable line diff (longest common subsequence): "  " same, "- " only in {@code real}, "+ " only in
     * {@code model}; "" when equal.
     */
    public static String diff(List<String> real, List<String> model) {
        if (real.equals(model)) return "";
        int n = real.size(), m = model.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int a = n - 1; a >= 0; a--) {
            for (int b = m - 1; b >= 0; b--) {
                lcs[a][b] = real.get(a).equals(model.get(b)) ? lcs[a + 1][b + 1] + 1 : Math.max(lcs[a + 1][b], lcs[a][b + 1]);
            }
        }
        var sb = new StringBuilder("(- real QEMU, + model)\n");
        int a = 0, b = 0;
        while (a < n || b < m) {
            if (a < n && b < m && real.get(a).equals(model.get(b))) {
                sb.append("  ").append(real.get(a++)).append('\n');
                b++;
            } else if (a < n && (b == m || lcs[a + 1][b] >= lcs[a][b + 1])) {
                sb.append("- ").append(real.get(a++)).append('\n');
            } else {
                sb.append("+ ").append(model.get(b++)).append('\n');
            }
        }
        return sb.toString();
    }
}
