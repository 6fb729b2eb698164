package dev.barmap.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;

/**
 * The training run for the JDK 25 AOT cache ({@code -XX:AOTCacheOutput}, JEP 483/514), run by the build
 * after the jar is shaded: the commands users run most, on the captures given as arguments, output
 * discarded. Classes loaded and linked here start ready from {@code barmap.jar.aot}, which {@code ./barmap}
 * uses when it is newer than the jar. Not part of the CLI.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        var sink = new PrintWriter(OutputStream.nullOutputStream());
        var roots = new ArrayList<Path>();
        for (String a : args) {
            try (Stream<Path> s = Files.list(Path.of(a))) {
                s.filter(p -> Files.isDirectory(p.resolve("sys"))).sorted().forEach(roots::add);
            }
        }
        int bad = 0;
        for (Path root : roots) {
            bad += Main.run(new String[] {"scan", "--root", root.toString()}, sink, sink) != 0 ? 1 : 0;
            bad += Main.run(new String[] {"scan", "--root", root.toString(), "--format", "json"}, sink, sink) != 0 ? 1 : 0;
        }
        Main.run(new String[] {"scan"}, sink, sink); // the live host, whatever it is (bad input is fine here)
        Main.run(new String[] {"--help"}, sink, sink);
        Main.run(new String[] {"scan", "--root", "/nonexistent-barmap-training"}, sink, sink); // the error path
        System.err.println("barmap AOT training: " + roots.size() + " captures" + (bad > 0 ? ", " + bad + " runs failed" : ""));
    }
}
