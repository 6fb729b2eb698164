package dev.barmap.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary directories that live as long as the test JVM (caches shared by several tests, where
 * {@code @TempDir} would delete them after the first): created under the temp dir and deleted, with
 * everything in them, when the JVM exits, so a test run leaves nothing behind in {@code /tmp}.
 */
public final class TempTrees {
    private static final List<Path> TREES = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempTrees::deleteAll, "barmap-temp-cleanup"));
    }

    private TempTrees() {}

    /** A new directory {@code <tmp>/<prefix>…}, deleted with its contents at JVM exit. */
    public static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        synchronized (TREES) {
            TREES.add(dir);
        }
        return dir;
    }

    /** Deletes {@code dir} and everything under it (no-op when it does not exist). */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteAll() {
        synchronized (TREES) {
            for (Path d : TREES) {
                try {
                    delete(d);
                } catch (UncheckedIOException e) {
                    System.err.println("barmap tests: could not delete " + d + ": " + e.getCause());
                }
            }
        }
    }
}
