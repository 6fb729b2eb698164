package dev.barmap.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelReleaseTest {
    @Test
    void parsesMajorMinorPatch() {
        var k = KernelRelease.parse("6.1.0-56-amd64");
        assertEquals(6, k.major());
        assertEquals(1, k.minor());
        assertTrue(k.atLeast(5, 8) && !k.atLeast(6, 2));
    }

    /** Fuzz finding (CapturePropertiesFuzzTest): 6.1.<50 digits> threw a bare NumberFormatException ("For input string"). */
    @Test
    void overlongVersionNumberIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelRelease.parse("6.1.4" + "4".repeat(48) + "0"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelRelease.parse("99999999999.1"));
    }
}
