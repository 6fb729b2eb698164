package dev.barmap.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.vfio.RegionCap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Capability chains built byte by byte as vfio_info_add_capability() lays them out. */
class RegionCapsTest {
    static void header(MemorySegment s, long at, int id, int version, int next) {
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) id);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, (short) version);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, next);
    }

    @Test
    void msixMappableAlone() {
        try (Arena a = Arena.ofConfined()) {
            // what 6.1 returns for the MSI-X BAR: argsz 40, cap_offset 32, one 8-byte header
            MemorySegment s = a.allocate(40);
            header(s, 32, 3, 1, 0);
            assertEquals(List.of(new RegionCap.MsixMappable()), RegionCaps.decode(s, 32));
        }
    }

    @Test
    void sparseMmapThenTypeThenUnknown() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(32 + 16 + 32 + 16 + 8);
            header(s, 32, 1, 1, 80);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 32 + 8, 2);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 32 + 16, 0);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 32 + 24, 0x1000);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 32 + 32, 0x3000);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 32 + 40, 0x1000);
            header(s, 80, 2, 1, 96);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 80 + 8, 0x80000000);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 80 + 12, 7);
            header(s, 96, 42, 3, 0);
            var caps = RegionCaps.decode(s, 32);
            assertEquals(List.of(
                    new RegionCap.SparseMmap(List.of(new RegionCap.Area(0, 0x1000), new RegionCap.Area(0x3000, 0x1000))),
                    new RegionCap.Type(0x80000000, 7),
                    new RegionCap.Unknown(42, 3)), caps);
        }
    }

    @Test
    void noChain() {
        try (Arena a = Arena.ofConfined()) {
            assertTrue(RegionCaps.decode(a.allocate(32), 0).isEmpty());
        }
    }

    @Test
    void malformedChainsAreRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(48);
            header(s, 32, 3, 1, 32); // points at itself
            assertTrue(assertThrows(IllegalArgumentException.class, () -> RegionCaps.decode(s, 32)).getMessage().contains("loop"));
            assertThrows(IllegalArgumentException.class, () -> RegionCaps.decode(s, 44)); // header past the end
            assertThrows(IllegalArgumentException.class, () -> RegionCaps.decode(s, 8)); // inside the fixed struct
            MemorySegment t = a.allocate(48);
            header(t, 32, 1, 1, 0);
            t.set(ValueLayout.JAVA_INT_UNALIGNED, 40, 5); // 5 areas do not fit
            assertTrue(assertThrows(IllegalArgumentException.class, () -> RegionCaps.decode(t, 32)).getMessage().contains("areas"));
        }
    }
}
