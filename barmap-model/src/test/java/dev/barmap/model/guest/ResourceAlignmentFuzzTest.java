package dev.barmap.model.guest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;

/** {@code pci=resource_alignment=} value: the per-device alignments or one BadInputException, whatever the text. */
class ResourceAlignmentFuzzTest {
    static final long[] PAGES = {4096, 16384, 65536};

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        long page = PAGES[data.length % 3];
        FuzzContract.onlyBadInput(ResourceAlignment.PARAM, () -> {
            ResourceAlignment ra = ResourceAlignment.parse(FuzzContract.text(data), page);
            ra.alignments().forEach((dev, a) -> {
                assertFalse(dev.isBlank(), "blank device");
                assertTrue(a > 0 && Long.bitCount(a) == 1, "alignment " + a);
            });
        });
    }
}
