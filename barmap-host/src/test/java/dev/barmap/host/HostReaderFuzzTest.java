package dev.barmap.host;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzArchive;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.scan.Scanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fuzzed capture directory (a {@link FuzzArchive} unpacked to disk) read by {@link HostReader} and
 * scanned: every bad file is one BadInputException naming a file under the capture.
 */
class HostReaderFuzzTest {
    private static Path root;

    @FuzzTest(maxDuration = "15s")
    void readAndScan(byte[] data) throws IOException {
        Map<String, String> files = FuzzArchive.unpack(FuzzContract.text(data));
        Path dir = fresh();
        for (var e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            try {
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue().getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException ex) {
                return; // a path clashing with a file written before (a/b then a/b/c): not a capture
            }
        }
        FuzzContract.onlyBadInput(dir.toString(), () -> Scanner.scan(HostReader.read(dir)));
    }

    private static Path fresh() throws IOException {
        if (root == null) root = Files.createTempDirectory("barmap-fuzz");
        Path dir = root.resolve("capture");
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        return Files.createDirectories(dir);
    }
}
