package dev.barmap.host;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzArchive;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.testing.TempTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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
        if (root == null) root = TempTrees.create("barmap-fuzz");
        Path dir = root.resolve("capture");
        TempTrees.delete(dir);
        return Files.createDirectories(dir);
    }
}
