package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import org.junit.jupiter.api.Test;

class CapturePropertiesTest {
    @Test
    void readsTheKeysTheReaderUses() {
        var p = CaptureProperties.parse("c", "# x\npageSize=65536\nkernelRelease=6.1.0-50-powerpc64le\narch=ppc64le\nother=1\n");
        assertEquals(65536L, p.pageSize().orElseThrow());
        assertEquals("6.1.0-50-powerpc64le", p.kernelRelease().orElseThrow());
        assertEquals("ppc64le", p.arch().orElseThrow());
    }

    /** Fuzz finding (CapturePropertiesFuzzTest): a release number past int range was accepted, then broke KernelRelease.parse with a bare NumberFormatException. */
    @Test
    void kernelReleaseWithAnOverlongNumberIsOneBadInput() {
        String text = "pgeSize=4096\nkernelRelease=6.1.4" + "4".repeat(48) + "0onsole_ii\n";
        var e = assertThrows(BadInputException.class, () -> CaptureProperties.parse("capture.properties", text));
        assertEquals("capture.properties", e.file());
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("too large"), e.problem());
    }

    @Test
    void pageSizeOverflowIsOneBadInput() {
        var e = assertThrows(BadInputException.class, () -> CaptureProperties.parse("c", "pageSize=99999999999999999999\n"));
        assertEquals(1, e.line());
    }
}
