package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;

/** capture.properties: values it accepts are usable as they are (page size, kernel release). */
class CapturePropertiesFuzzTest {
    static final String FILE = "capture.properties";

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        FuzzContract.onlyBadInput(FILE, () -> {
            CaptureProperties p = CaptureProperties.parse(FILE, FuzzContract.text(data));
            p.pageSize().ifPresent(ps -> assertTrue(new Platform("x", ps).pageSize() == ps));
            p.kernelRelease().ifPresent(KernelRelease::parse);
        });
    }
}
