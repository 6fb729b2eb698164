package dev.barmap.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training runs for the JDK 25 AOT caches ({@code -XX:AOTCacheOutput}, JEP 483/514), run by
 * {@code ./barmap} when it builds: the commands users run most, on the captures given as arguments,
 * output discarded. Classes loaded and linked here start ready from the cache; a JDK 25 cache loads all
 * its classes at start-up, so a cache holds only what its commands use:
 * <ul>
 *   <li>{@code scan}: {@code barmap scan} as text on its lean path (no picocli model, no Jackson) and its
 *       error line: the cache of the command people type at a shell (issue 16);</li>
 *   <li>{@code all}: the above plus help, {@code scan --format json} and {@code plan}: every other run.</li>
 * </ul>
 * Not part of the CLI. Usage: {@code AotTraining scan|all CAPTURES_DIR...}
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !List.of("scan", "all").contains(args[0])) {
            System.err.println("usage: AotTraining scan|all CAPTURES_DIR...");
            System.exit(2);
        }
        boolean all = args[0].equals("all");
        var sink = new PrintWriter(OutputStream.nullOutputStream());
        var roots = new ArrayList<Path>();
        for (String a : List.of(args).subList(1, args.length)) {
            try (Stream<Path> s = Files.list(Path.of(a))) {
                s.filter(p -> Files.isDirectory(p.resolve("sys"))).sorted().forEach(roots::add);
            }
        }
        int bad = 0;
        for (Path root : roots) {
            bad += Main.run(new String[] {"scan", "--root", root.toString()}, sink, sink) != 0 ? 1 : 0;
            if (all) {
                bad += Main.run(new String[] {"scan", "--root", root.toString(), "--format", "json"}, sink, sink) != 0 ? 1 : 0;
                Main.run(new String[] {"plan", "--root", root.toString()}, sink, sink); // exit 1 is a finding
            }
        }
        Main.run(new String[] {"scan"}, sink, sink); // the live host, whatever it is (bad input is fine here)
        if (all) Main.run(new String[] {"scan", "--format", "json"}, sink, sink);
        Main.run(new String[] {"scan", "--root", "/nonexistent-barmap-training"}, sink, sink); // the error path
        if (all) { // picocli's model (help, usage errors) only in the "all" cache: a JDK 25 cache loads every class
            Main.run(new String[] {"--help"}, sink, sink); // it holds at start-up, so "scan" holds only the lean path
            Main.run(new String[] {"scan", "--help"}, sink, sink);
        }
        System.err.println("barmap AOT training (" + args[0] + "): " + roots.size() + " captures"
                + (bad > 0 ? ", " + bad + " runs failed" : ""));
    }
}
