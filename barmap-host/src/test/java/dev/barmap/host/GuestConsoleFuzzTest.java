package dev.barmap.host;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;

/** The oracle's guest console log (hot-add runs): a parsed console or one BadInputException. */
class GuestConsoleFuzzTest {
    static final String FILE = "console.log";

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        FuzzContract.onlyBadInput(FILE, () -> GuestConsole.parse(FILE, FuzzContract.text(data)));
    }
}
