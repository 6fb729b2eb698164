package dev.barmap.model.pci;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Config-space capability walk: any 64..4096 bytes (what sysfs {@code config} can hold) give an answer,
 * never an exception, and the MSI-X capability found is within the register's bit fields.
 */
class ConfigSpaceFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void msix(byte[] data) {
        if (data.length < 64 || data.length > 4096) return; // ConfigSpace.of's documented precondition; HostReader reads >= 256 only
        ConfigSpace cs = ConfigSpace.of(data);
        int pos = cs.findCapability(ConfigSpace.CAP_ID_MSIX);
        assertTrue(pos == -1 || pos >= 0x40 && pos < 0x100 && pos % 4 == 0, "capability at " + pos);
        cs.msix().ifPresent(m -> {
            assertTrue(m.tableBir() >= 0 && m.tableBir() <= 7 && m.pbaBir() >= 0 && m.pbaBir() <= 7);
            assertTrue(m.entries() >= 1 && m.entries() <= 2048, "entries " + m.entries());
            assertTrue(m.tableOffset() >= 0 && m.tableOffset() % 8 == 0 && m.pbaOffset() % 8 == 0);
        });
        assertTrue(cs.cfgSize() == 256 || cs.cfgSize() == 4096);
    }
}
