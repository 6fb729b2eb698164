package dev.barmap.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The real-kernel captures in {@code testdata/captures}, each with its supplement from
 * {@code testdata/captures-supplement} overlaid (real config space recaptured for the ppc64le guests;
 * see that folder's README). Tests run from a module directory, so the repository root is {@code ..}.
 */
public final class TestCaptures {
    public static final Path TESTDATA = Path.of("../testdata");
    public static final Path CAPTURES = TESTDATA.resolve("captures");
    public static final Path SUPPLEMENT = TESTDATA.resolve("captures-supplement");
    private static final Map<String, Path> OVERLAID = new ConcurrentHashMap<>();

    private TestCaptures() {}

    /** Every capture directory, sorted. */
    public static List<Path> all() {
        try (Stream<Path> s = Files.list(CAPTURES)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host root to read for a capture: the capture itself, or a temporary copy with its supplement overlaid (deleted at JVM exit). */
    public static Path root(Path capture) {
        String name = capture.getFileName().toString();
        Path sup = SUPPLEMENT.resolve(name);
        if (!Files.isDirectory(sup)) return capture;
        return OVERLAID.computeIfAbsent(name, n -> {
            try {
                Path tmp = TempTrees.create("barmap-capture-" + n);
                copyTree(capture, tmp);
                copyTree(sup, tmp);
                return tmp;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
