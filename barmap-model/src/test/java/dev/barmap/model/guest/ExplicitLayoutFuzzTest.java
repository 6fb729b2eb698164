package dev.barmap.model.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;
import java.util.ArrayList;

/** Guest layout file ({@code barmap plan --guest FILE}): a layout or one BadInputException, whatever the text. */
class ExplicitLayoutFuzzTest {
    static final String FILE = "guest-layout.txt";

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        FuzzContract.onlyBadInput(FILE, () -> {
            ExplicitLayout l = ExplicitLayout.parse(FILE, FuzzContract.text(data));
            assertEquals("file:" + FILE, l.id());
            var bars = new ArrayList<GuestBar>();
            l.addresses().forEach((k, a) -> {
                assertTrue(k.index() >= 0 && k.index() <= 5, "BAR index " + k.index());
                assertFalse(k.device().isEmpty() || k.device().contains("#") || k.device().matches(".*\\s.*"), "device '" + k.device() + "'");
                bars.add(GuestBar.mem32(k.device(), k.index(), 0x1000));
            });
            // placing the BARs it lists places each at its address or says why not, never throws
            var placed = l.place(bars, GuestPlatform.x86());
            l.addresses().forEach((k, a) -> assertTrue(a.equals(placed.addresses().get(k)) || placed.unassigned().containsKey(k), k.toString()));
        });
    }
}
