package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad host input gives one BadInputException naming the file and line. */
class BadHostInputTest {
    static final Path GOOD = Path.of("../testdata/captures/x86_64-4k-linux-packed");
    static final String DEV = "sys/bus/pci/devices/0000:00:03.0/";

    @TempDir
    Path tmp;

    Path copy() throws IOException {
        try (Stream<Path> s = Files.walk(GOOD)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path to = tmp.resolve(GOOD.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        return tmp;
    }

    BadInputException bad(Path root) {
        return assertThrows(BadInputException.class, () -> HostReader.read(root));
    }

    @Test
    void truncatedResourceFile() throws IOException {
        Path r = copy();
        Path f = r.resolve(DEV + "resource");
        Files.writeString(f, Files.readString(f).lines().limit(5).map(l -> l + "\n").reduce("", String::concat));
        var e = bad(r);
        assertTrue(e.file().endsWith(DEV + "resource"), e.file());
        assertTrue(e.problem().contains("5 lines"), e.getMessage());
    }

    @Test
    void malformedResourceLine() throws IOException {
        Path r = copy();
        Path f = r.resolve(DEV + "resource");
        Files.writeString(f, Files.readString(f).replaceFirst("0x0000000043106000", "0x43106zzz"));
        var e = bad(r);
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("not a hex number"), e.getMessage());
    }

    @Test
    void unknownFlags() throws IOException {
        Path r = copy();
        Path f = r.resolve(DEV + "resource");
        Files.writeString(f, Files.readString(f).replaceFirst("0x0000000000040200", "0x0000010000040200"));
        var e = bad(r);
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("unknown resource flag bits"), e.getMessage());
    }

    @Test
    void overlappingResourcesInIomem() throws IOException {
        Path r = copy();
        Path f = r.resolve("proc/iomem");
        Files.writeString(f, Files.readString(f).replace("  43106100-431061ff : 0000:00:06.0", "  431060f0-431061ff : 0000:00:06.0"));
        var e = bad(r);
        assertTrue(e.file().endsWith("proc/iomem"));
        assertTrue(e.line() > 0);
        assertTrue(e.problem().contains("overlaps"), e.getMessage());
    }

    @Test
    void badCaptureProperties() throws IOException {
        Path r = copy();
        Files.writeString(r.resolve("capture.properties"), "pageSize=4096\nkernelRelease=6.1.0\npageSize=3000\n");
        var e = bad(r);
        assertEquals(3, e.line());
        assertTrue(e.problem().contains("power of two"), e.getMessage());
    }

    @Test
    void badVendorFile() throws IOException {
        Path r = copy();
        Files.writeString(r.resolve(DEV + "vendor"), "intel\n");
        var e = bad(r);
        assertTrue(e.file().endsWith(DEV + "vendor"));
    }

    @Test
    void configSpaceOfAnotherDevice() throws IOException {
        Path r = copy();
        Files.copy(r.resolve("sys/bus/pci/devices/0000:00:04.0/config"), r.resolve(DEV + "config"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        var e = bad(r);
        assertTrue(e.problem().contains("vendor ID"), e.getMessage());
    }

    @Test
    void withoutIomemTheTreeIsRebuiltFromSysfsAndSaysSo() throws IOException {
        Path r = copy();
        Files.delete(r.resolve("proc/iomem"));
        var h = HostReader.read(r);
        assertTrue(h.iomemHidden());
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("rebuilt from sysfs")));
        // without iomem the same BARs are still judged: 09.0 BAR0 is a full page
        var s = dev.barmap.model.scan.Scanner.scan(h);
        assertTrue(s.devices().stream().anyMatch(d -> d.function().bdf().toString().equals("0000:00:09.0")
                && d.regions().get(0).verdict() == dev.barmap.model.scan.Verdict.DIRECT));
    }

    @Test
    void iomemReadWithoutRootFallsBackToSysfs() throws IOException {
        Path r = copy();
        Path f = r.resolve("proc/iomem");
        Files.writeString(f, Files.readString(f).replaceAll("[0-9a-f]+-[0-9a-f]+ :", "00000000-00000000 :"));
        var h = HostReader.read(r);
        assertTrue(h.iomemHidden());
        assertTrue(h.notes().stream().anyMatch(n -> n.contains("without root")));
        // the packed neighbours are still seen through sysfs: 03.0 BAR1 shares its page with 06.0
        var s = dev.barmap.model.scan.Scanner.scan(h);
        var r31 = s.devices().getFirst().regions().get(1);
        assertEquals(dev.barmap.model.scan.Verdict.TRAPPED, r31.verdict());
        assertTrue(r31.reason().contains("0000:00:06.0"), r31.reason());
    }
}
