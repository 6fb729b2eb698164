package dev.barmap.model.vmm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.barmap.model.BadInputException;
import org.junit.jupiter.api.Test;

class QemuVersionTest {
    @Test
    void readsTheVersionBanner() {
        // qemu-version.txt of the nested runs: qemu-system-x86_64 --version
        assertEquals(new QemuVersion(10, 0, 13), QemuVersion.parse("v.txt",
                "QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)\nCopyright (c) 2003-2025 Fabrice Bellard and the QEMU Project developers\n"));
        assertEquals("v.txt:1: no 'QEMU emulator version X.Y.Z'",
                assertThrows(BadInputException.class, () -> QemuVersion.parse("v.txt", "qemu 10\n")).getMessage());
    }

    @Test
    void theUnalignedSectionReporterMovedToAHelperIn8_0() {
        // hw/vfio/common.c: vfio_listener_region_add/_del up to 7.2; vfio_listener_valid_section from 8.0 (2023-03)
        assertEquals("vfio_listener_region_add", QemuVersion.V7_2.unalignedReporter(true));
        assertEquals("vfio_listener_region_del", QemuVersion.V7_2.unalignedReporter(false));
        assertEquals("vfio_listener_valid_section", new QemuVersion(8, 0, 0).unalignedReporter(false));
        assertEquals("vfio_listener_valid_section", new QemuVersion(11, 1, 3).unalignedReporter(true));
    }
}
