package dev.barmap.model.vmm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.barmap.model.BadInputException;
import org.junit.jupiter.api.Test;

/** {@link QemuVersion#parse} on a file that is not a version banner (the real banners: QemuVersionsTest). */
class QemuVersionTest {
    @Test
    void aFileWithoutTheBannerIsNamed() {
        assertEquals("v.txt:1: no 'QEMU emulator version X.Y.Z'",
                assertThrows(BadInputException.class, () -> QemuVersion.parse("v.txt", "qemu 10\n")).getMessage());
    }
}
