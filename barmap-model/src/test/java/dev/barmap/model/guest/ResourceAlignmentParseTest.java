package dev.barmap.model.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pci=resource_alignment= parsing; the bad-input cases are ResourceAlignmentFuzzTest findings. */
class ResourceAlignmentParseTest {
    @Test
    void ordersDevicesAndBothSeparators() {
        var ra = ResourceAlignment.parse("12@0000:00:03.0;0000:00:05.0, 16@pci:8086:10d3", 0x10000);
        assertEquals(Map.of("0000:00:03.0", 0x1000L, "0000:00:05.0", 0x10000L, "pci:8086:10d3", 0x10000L), ra.alignments());
    }

    @Test
    void orderThatIsNoNumberIsBadInput() { // finding: bare NumberFormatException
        var e = assertThrows(BadInputException.class, () -> ResourceAlignment.parse("x@0000:00:03.0", 4096));
        assertEquals(ResourceAlignment.PARAM, e.file());
        assertTrue(e.problem().contains("'x'"), e.problem());
        assertThrows(BadInputException.class, () -> ResourceAlignment.parse("99999999999@a", 4096));
    }

    @Test
    void orderOutOfRangeIsBadInput() { // finding: 1L << 63 / << -1 / << 64 gave IllegalArgumentException or a wrong alignment
        for (String v : new String[] {"63@a", "64@a", "-1@a", "100@a"}) {
            var e = assertThrows(BadInputException.class, () -> ResourceAlignment.parse(v, 4096), v);
            assertTrue(e.problem().contains("0-62"), e.problem());
        }
        assertEquals(Map.of("a", 1L << 62), ResourceAlignment.parse("62@a", 4096).alignments());
        assertEquals(Map.of("a", 1L), ResourceAlignment.parse("0@a", 4096).alignments());
    }

    @Test
    void entryWithoutDeviceIsBadInput() {
        var e = assertThrows(BadInputException.class, () -> ResourceAlignment.parse("12@", 4096));
        assertTrue(e.problem().contains("no device"), e.problem());
    }
}
