package dev.barmap.model.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.resource.IoResource;
import java.util.List;

/** sysfs {@code resource} parser: a list of resources, one per line, or one BadInputException. */
class SysfsResourceFuzzTest {
    static final String FILE = "sys/bus/pci/devices/0000:00:03.0/resource";

    @FuzzTest(maxDuration = "15s")
    void parse(byte[] data) {
        FuzzContract.onlyBadInput(FILE, () -> {
            List<Bar> bars = SysfsResource.parse(FILE, FuzzContract.text(data));
            assertTrue(List.of(7, 11, 13, 17).contains(bars.size()), "line count " + bars.size());
            for (int i = 0; i < bars.size(); i++) {
                Bar b = bars.get(i);
                assertEquals(i, b.index());
                assertEquals(0, b.flags() & ~IoResource.KNOWN, "unknown flags passed");
                assertTrue(b.empty() || b.len() == 0 || Long.compareUnsigned(b.end(), b.start()) >= 0, "end below start: " + b);
                b.name(); // total for every index the parser returns
            }
        });
    }
}
