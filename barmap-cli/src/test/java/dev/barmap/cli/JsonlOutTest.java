package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet --jsonl FILE} (issue 14, section 6): FILE is not truncated when the run starts, and a run stopped
 * part-way (here: lines written, never committed, as when the JVM is killed) leaves FILE as it was and no line of
 * the unfinished run in it; a finished run replaces it whole.
 */
class JsonlOutTest {
    @Test
    void anUnfinishedRunLeavesTheFileAsItWas(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("fleet.jsonl");
        Files.writeString(file, "{\"old\":1}\n");
        var out = FleetCommand.JsonlOut.file(file);
        out.line("{\"host\":\"a\"}");
        out.line("{\"host\":\"b\",\"partial\":");
        assertEquals("{\"old\":1}\n", Files.readString(file), "not truncated while the run goes on");
        out.abandon(); // what the failure path and the shutdown hook do
        assertEquals("{\"old\":1}\n", Files.readString(file), "an unfinished run leaves the file as it was");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left beside it");
        }
        var done = FleetCommand.JsonlOut.file(file);
        done.line("{\"host\":\"a\"}");
        done.commit();
        assertEquals("{\"host\":\"a\"}\n", Files.readString(file), "a finished run replaces it whole");
    }

    @Test
    void aSymlinkedTemporaryNameIsNeverFollowed(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("fleet.jsonl");
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, "keep\n");
        Files.createSymbolicLink(tmp.resolve(".fleet.jsonl.tmp-" + ProcessHandle.current().pid()), victim);
        CliRun r = CliRun.of("fleet", "../testdata/captures/x86_64-4k-linux-packed", "--no-progress", "--jsonl", file.toString());
        assertEquals(3, r.rc(), r.err());
        assertTrue(r.err().startsWith("barmap: error: could not write --jsonl " + file), r.err());
        assertEquals("keep\n", Files.readString(victim));
        assertFalse(Files.exists(file));
    }
}
