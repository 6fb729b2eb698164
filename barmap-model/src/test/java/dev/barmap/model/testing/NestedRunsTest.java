package dev.barmap.model.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agreement tests' helpers fail loudly: a missing dump file is named, a diff shows which lines differ. */
class NestedRunsTest {
    @Test
    void aMissingFileIsNamed(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("qemu-9.9").resolve("moves"));
        Files.writeString(run.resolve("scenario.scn"), "window 0 1\ndump s1\n");
        var e = assertThrows(AssertionError.class, () -> NestedRuns.read(run, "s1-mtree-f.txt"));
        assertEquals("qemu-9.9/moves: missing s1-mtree-f.txt (the harness did not write it; see the run's stderr)", e.getMessage());
    }

    @Test
    void thePropertyPointsAtOtherRuns() {
        assertEquals(Path.of("/tmp/fresh"), NestedRuns.root("/tmp/fresh"));
        assertEquals(TestCaptures.TESTDATA.resolve("qemu-nested"), NestedRuns.root(null));
        assertEquals(TestCaptures.TESTDATA.resolve("qemu-nested"), NestedRuns.root(" "));
    }

    @Test
    void aDumpWithoutTheMemoryFlatViewIsNamed() {
        var e = assertThrows(AssertionError.class, () -> NestedRuns.flatWindow("FlatView #0\n AS \"I/O\", root: io\n", "s1-mtree-f.txt", 0, 1));
        assertEquals("s1-mtree-f.txt: no flat view of AS \"memory\" with root system", e.getMessage());
        assertThrows(AssertionError.class, () -> NestedRuns.pciWindow("address-space: memory\n", "s1-mtree.txt", 0, 1));
    }

    @Test
    void theDiffMarksRealOnlyAndModelOnlyLines() {
        assertEquals("", NestedRuns.diff(List.of("a", "b"), List.of("a", "b")));
        assertEquals("""
                (- real QEMU, + model)
                  a
                - b
                + x
                  c
                + d
                """, NestedRuns.diff(List.of("a", "b", "c"), List.of("a", "x", "c", "d")));
    }
}
