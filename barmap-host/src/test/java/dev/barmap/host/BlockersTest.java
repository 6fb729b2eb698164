package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.host.Blocker;
import dev.barmap.model.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a host input shows stops every passthrough; what it does not show stops nothing (three-valued). */
class BlockersTest {
    static final Path CAPTURES = Path.of("../testdata/captures");

    @Test
    void thePpc64leGuestBootedWithIommuOffHasNoGroups() {
        // its capture.properties records the real command line "... iommu=off oracle.noiommu=1", and sysfs has no iommu_group links
        Host h = HostReader.read(CAPTURES.resolve("ppc64le-64k-single-subpage"));
        assertEquals(List.of(Blocker.Kind.IOMMU_OFF, Blocker.Kind.NO_IOMMU_GROUPS), h.blockers().stream().map(Blocker::kind).toList());
        assertEquals("iommu=off", h.blockers().getFirst().evidence());
    }

    @Test
    void theX86GuestWithIntelIommuOnHasNone() {
        // intel_iommu=on, groups present; the capture does not record drivers/ or module/, so vfio-pci is unknown, not missing
        assertTrue(HostReader.read(CAPTURES.resolve("x86_64-4k-linux-packed")).blockers().isEmpty());
    }

    @Test
    void driversAndModulesWithoutVfioPciSayItIsNotLoaded(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("host");
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/pcieport"));
        Files.createDirectories(root.resolve("sys/module/kvm"));
        var none = HostReader.blockers(root, new java.util.TreeMap<>(), "root=/dev/sda1 intel_iommu=off");
        assertEquals(List.of(Blocker.Kind.IOMMU_OFF, Blocker.Kind.NO_VFIO_PCI), none.stream().map(Blocker::kind).toList());
        Files.createDirectories(root.resolve("sys/module/vfio_pci"));
        assertTrue(HostReader.blockers(root, new java.util.TreeMap<>(), null).isEmpty(), "built in or loaded: /sys/module/vfio_pci");
    }
}
