package dev.barmap.vfio.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.host.CaptureProperties;
import dev.barmap.host.HostReader;
import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.vfio.NativePlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture writer on a fake machine root built from a real capture (testdata/captures/
 * x86_64-4k-linux-packed, copied from /work/shared/oracle/captures): what it writes reads back as the
 * same host, and bad output directories are refused before anything is written. (--probe needs VFIO:
 * OracleIT covers it.)
 */
class CaptureWriterTest {
    static final Path SOURCE = Path.of("../testdata/captures/x86_64-4k-linux-packed");

    /** A root with proc/ and sys/ as a live machine has them, from the capture's files. */
    static Path fakeRoot(Path dir) throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.copy(SOURCE.resolve("proc/iomem"), root.resolve("proc/iomem"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "6.1.0-56-amd64\n");
        Files.writeString(root.resolve("proc/cmdline"), "console=ttyS0 intel_iommu=on\n");
        Path devs = SOURCE.resolve("sys/bus/pci/devices");
        try (Stream<Path> s = Files.list(devs)) {
            for (Path d : s.toList()) {
                Path o = Files.createDirectories(root.resolve("sys/bus/pci/devices").resolve(d.getFileName()));
                for (String f : List.of("vendor", "device", "class", "resource", "config")) Files.copy(d.resolve(f), o.resolve(f));
                // live sysfs has symlinks; the shared capture keeps the link text in a file
                String group = Files.readString(d.resolve("iommu_group")).trim();
                Files.createSymbolicLink(o.resolve("iommu_group"), Path.of(group));
                if (d.getFileName().toString().equals("0000:00:05.0")) {
                    Files.createSymbolicLink(o.resolve("driver"), Path.of("../../../../bus/pci/drivers/vfio-pci"));
                }
            }
        }
        return root;
    }

    @Test
    void writesAHostThatReadsBackTheSame(@TempDir Path dir) throws IOException {
        Path root = fakeRoot(dir);
        Path out = dir.resolve("capture");
        var r = new CaptureWriter(root).write(out, false);
        assertEquals(out, r.dir());
        assertTrue(r.probed().isEmpty());
        assertEquals(Files.readString(SOURCE.resolve("proc/iomem")), Files.readString(out.resolve("proc/iomem")));
        var props = CaptureProperties.read(out.resolve("capture.properties"));
        assertEquals("6.1.0-56-amd64", props.kernelRelease().orElseThrow());
        assertEquals(NativePlatform.pageSize(), props.pageSize().orElseThrow());
        assertEquals("intel_iommu=on", props.cmdline().orElseThrow(), "only the passthrough parameters of 'console=ttyS0 intel_iommu=on'");
        assertFalse(Files.exists(out.resolve("expected")), "no expected/ without --probe");

        Host expected = HostReader.read(SOURCE);
        Host actual = HostReader.read(out);
        assertEquals(expected.functions().keySet(), actual.functions().keySet());
        assertEquals(r.functions(), actual.functions().size());
        for (Bdf b : expected.functions().keySet()) {
            var e = expected.functions().get(b);
            var a = actual.functions().get(b);
            assertEquals(e.resources(), a.resources(), b + " resources");
            assertEquals(e.iommuGroup(), a.iommuGroup(), b + " iommu group");
            assertEquals(e.msix(), a.msix(), b + " MSI-X");
            String dev = "sys/bus/pci/devices/" + b;
            assertArrayEquals(Files.readAllBytes(SOURCE.resolve(dev + "/config")), Files.readAllBytes(out.resolve(dev + "/config")));
            assertTrue(Files.isSymbolicLink(out.resolve(dev + "/iommu_group")));
        }
        assertEquals("vfio-pci", actual.functions().get(Bdf.parse("0000:00:05.0")).driver().orElseThrow());
        assertTrue(actual.functions().get(Bdf.parse("0000:00:03.0")).driver().isEmpty());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("capture", "root"), s.map(p -> p.getFileName().toString()).sorted().toList(), "temporary directory left behind");
        }
    }

    @Test
    void refusesANonEmptyOutputDirectory(@TempDir Path dir) throws IOException {
        Path root = fakeRoot(dir);
        Path out = Files.createDirectories(dir.resolve("capture"));
        Files.writeString(out.resolve("keep"), "x");
        var e = assertThrows(BadInputException.class, () -> new CaptureWriter(root).write(out, false));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals(List.of(out.resolve("keep")), Files.list(out).toList());
    }

    /** Issue 14, section 8: a symlinked --out is neither followed nor replaced. */
    @Test
    void refusesASymlinkedOutput(@TempDir Path dir) throws IOException {
        Path root = fakeRoot(dir);
        Path target = Files.createDirectories(dir.resolve("elsewhere"));
        Path out = Files.createSymbolicLink(dir.resolve("capture"), target);
        var e = assertThrows(BadInputException.class, () -> new CaptureWriter(root).write(out, false));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(out), "the link is left as it was");
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(0, s.count(), "nothing written through the link");
        }
    }

    /** Issue 14, section 3: a sysfs directory whose name is not a PCI address is bad input naming it, nothing left behind. */
    @Test
    void aNonBdfDirectoryIsNamed(@TempDir Path dir) throws IOException {
        Path root = fakeRoot(dir);
        Files.createDirectories(root.resolve("sys/bus/pci/devices/junk"));
        Path out = dir.resolve("capture");
        var e = assertThrows(BadInputException.class, () -> new CaptureWriter(root).write(out, false));
        assertTrue(e.getMessage().contains("junk") && e.getMessage().contains("not a PCI address"), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("root"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Issue 14, section 8: the temporary directory a killed capture left (its process gone) is removed by the next one. */
    @Test
    void aKilledRunsTemporaryDirectoryIsRemoved(@TempDir Path dir) throws Exception {
        Path root = fakeRoot(dir);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.createDirectories(dir.resolve(".capture.tmp-" + gone.pid()));
        Files.writeString(stale.resolve("half-written"), "x");
        new CaptureWriter(root).write(dir.resolve("capture"), false);
        assertFalse(Files.exists(stale), "stale temporary directory of a dead process left behind");
        assertTrue(Files.isDirectory(dir.resolve("capture")));
    }

    @Test
    void aMissingSysfsFileLeavesNothingBehind(@TempDir Path dir) throws IOException {
        Path root = fakeRoot(dir);
        Files.delete(root.resolve("sys/bus/pci/devices/0000:00:05.0/resource"));
        Path out = dir.resolve("capture");
        assertThrows(RuntimeException.class, () -> new CaptureWriter(root).write(out, false));
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("root"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void reservedRangesComeFromIomem() throws IOException {
        String open = Files.readString(Path.of("../testdata/captures/x86_64-4k-firmware-padded/expected/iomem-open"));
        var reserved = CaptureWriter.subPageReserved(open);
        assertEquals(new ProbeReport.Range(0xfd102100L, 0xfd102fffL), reserved.get(0));
        assertEquals(open.lines().filter(l -> l.endsWith(": vfio sub-page reserved")).count(), reserved.size());
    }

    @Test
    void capturePropertiesKeepsOnlyThePassthroughParametersOfTheCommandLine() {
        assertEquals("intel_iommu=on iommu=pt vfio-pci.ids=10de:1f91 pci=resource_alignment=0000:00:03.0 pcie_acs_override=downstream",
                CaptureWriter.passthroughParameters("BOOT_IMAGE=/boot/vmlinuz-6.1.0 root=UUID=3a99c6a2-d04c-47d9 ro intel_iommu=on iommu=pt"
                        + " vfio-pci.ids=10de:1f91 quiet pci=resource_alignment=0000:00:03.0 hostname=secret pcie_acs_override=downstream\n"));
        assertEquals("", CaptureWriter.passthroughParameters("quiet splash"));
    }
}
