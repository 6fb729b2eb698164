package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import org.junit.jupiter.api.Test;

/** Inputs GuestConsoleFuzzTest found crashing the parser with something other than BadInputException. */
class GuestConsoleFuzzFindingsTest {
    static final String HEAD = "GUEST: kernel 6.1.0-56-amd64; cmdline: x\nGUEST: ----- PCI devices at boot -----\n";

    /** A res[] value longer than 64 bits threw NumberFormatException ("exceeds range of unsigned long"). */
    @Test
    void resourceValuePast64BitsIsOneBadInput() {
        String text = HEAD + "GUEST: dev 0000:00:04.0 vendor=0x1b36 device=0x0010 class=0x010802 driver=- iommu_group=1\n"
                + "GUEST:   res[0] 0x" + "e".repeat(56) + "0000000040000000 0x0 0x0\n";
        var e = assertThrows(BadInputException.class, () -> GuestConsole.parse("console.log", text));
        assertEquals(4, e.line());
        assertTrue(e.problem().startsWith("number out of range"), e.problem());
    }

    /** The same for the other digit fields: an IDs past int, a resource index past int. */
    @Test
    void idAndIndexPastIntAreOneBadInput() {
        assertEquals(3, assertThrows(BadInputException.class, () -> GuestConsole.parse("c", HEAD
                + "GUEST: dev 0000:00:04.0 vendor=0x1b3600000000 device=0x0010 class=0x010802 driver=- iommu_group=1\n")).line());
        assertEquals(4, assertThrows(BadInputException.class, () -> GuestConsole.parse("c", HEAD
                + "GUEST: dev 0000:00:04.0 vendor=0x1b36 device=0x0010 class=0x010802 driver=- iommu_group=1\n"
                + "GUEST:   res[99999999999] 0x0 0x0 0x0\n")).line());
    }
}
