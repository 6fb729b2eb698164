package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code barmap completion}: picocli's script, run in a real bash, completes commands and each command's --format. */
class CompletionTest {
    static String complete(Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "\"\"" : line;
        String cmd = "source " + script + " 2>/dev/null; COMP_WORDS=(" + words + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_barmap 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void bashCompletesCommandsAndFormats(@TempDir Path tmp) throws Exception {
        CliRun r = CliRun.of("completion");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("complete -F _complete_barmap"), "a bash completion script");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "bash not installed");
        Path script = tmp.resolve("barmap.bash");
        Files.writeString(script, r.out());
        assertEquals(List.of("scan", "plan", "hotplug", "audit", "inspect", "fleet", "capture", "completion", "help"), List.of(complete(script, "barmap ").split(" ")),
                "visible commands (generate is hidden)");
        assertEquals("text json html", complete(script, "barmap scan --format "));
        assertEquals("text json html", complete(script, "barmap audit --format "));
        assertEquals("text json", complete(script, "barmap hotplug --format "));
        assertEquals("text json", complete(script, "barmap inspect --format "));
        assertTrue(List.of(complete(script, "barmap plan --").split(" ")).containsAll(List.of("--format", "--vmm", "--guest", "--root")));
    }
}
