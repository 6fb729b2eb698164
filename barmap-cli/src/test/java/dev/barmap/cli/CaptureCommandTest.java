package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code barmap capture} through the command (issue 14, section 8), on a machine laid out under {@code --root}
 * (hidden, for tests) from a real capture: what a non-root run sees, a failure with its reason, a directory that is
 * not a PCI address. Nothing is half-written: on failure {@code --out} does not exist afterwards.
 */
class CaptureCommandTest {
    static final Path BASE = Path.of("../testdata/captures/x86_64-4k-linux-packed");

    /** A machine under {@code src}: the capture's proc/iomem and sysfs, plus the procfs files capture reads. */
    static Path machine(Path tmp) throws IOException {
        Path src = tmp.resolve("src");
        try (Stream<Path> s = Files.walk(BASE)) {
            for (Path f : s.toList()) {
                String rel = BASE.relativize(f).toString();
                if (!(rel.startsWith("proc") || rel.startsWith("sys"))) continue;
                Path to = src.resolve(rel);
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        Files.createDirectories(src.resolve("proc/sys/kernel"));
        Files.writeString(src.resolve("proc/sys/kernel/osrelease"), "6.1.0-57-amd64\n");
        Files.writeString(src.resolve("proc/cmdline"), "BOOT_IMAGE=/vmlinuz-6.1.0-57-amd64 root=UUID=0 ro intel_iommu=on\n");
        return src;
    }

    @Test
    void asNonRootTheCaptureIsWrittenAndSaysItIsPartial(@TempDir Path tmp) throws IOException {
        Path src = machine(tmp);
        // what a non-root reader sees: kernel/resource.c r_show prints every address as 0 without CAP_SYS_ADMIN
        String zeroed = Files.readAllLines(src.resolve("proc/iomem")).stream()
                .map(l -> l.replaceFirst("^(\\s*)[0-9a-f]+-[0-9a-f]+ :", "$100000000-00000000 :")).collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(src.resolve("proc/iomem"), zeroed);
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("capture", "--root", src.toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("barmap: warning: the capture is partial: proc/iomem shows no addresses (not root)"), r.err());
        assertTrue(Files.readString(out.resolve("capture.properties")).contains("partial="), "the capture itself says so");
    }

    @Test
    void aFailureGivesItsReasonAndWritesNothing(@TempDir Path tmp) throws IOException {
        Path src = machine(tmp);
        Files.delete(src.resolve("proc/iomem"));
        failsNaming(src, tmp.resolve("out"), "proc/iomem");
    }

    @Test
    void aDirectoryThatIsNotAPciAddressIsNamed(@TempDir Path tmp) throws IOException {
        Path src = machine(tmp);
        Files.createDirectories(src.resolve("sys/bus/pci/devices/not-a-bdf"));
        failsNaming(src, tmp.resolve("out"), "not-a-bdf");
    }

    /** capture of {@code src} fails with exit 2 or 3, one error line naming {@code what}, and no {@code out}. */
    static void failsNaming(Path src, Path out, String what) {
        CliRun r = CliRun.of("capture", "--root", src.toString(), "--out", out.toString());
        assertTrue(r.rc() == 2 || r.rc() == 3, r.rc() + " " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("barmap: error: ") && r.err().contains(what), "names " + what + ": " + r.err());
        assertFalse(Files.exists(out), "nothing half-written");
    }
}
