package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.alloc.HotAdd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class HotplugCommandTest {
    static final String OPEN_RUN = "../testdata/hotplug/x86_64-4k-q35br-open/console.log";

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void jsonReproducesTheOpenRunAndShowsWhatTheReservationPrevents() throws Exception {
        Run r = run("hotplug", "--console", OPEN_RUN, "--open", "0000:02:01.0", "--add", "0000:02:256", "--as", "0000:02:02.0", "--format", "json");
        assertEquals(0, r.rc(), r.err());
        JsonNode j = ProbeJson.MAPPER.readTree(r.out());
        assertEquals("0000:02:02.0", j.get("device").asText());
        assertEquals("0000:02", j.get("bus").asText());
        assertEquals(0x40000010L, j.get("reservations").get(0).get("start").asLong());
        assertEquals("0000:02:01.0", j.get("reservations").get(0).get("owner").asText());
        JsonNode bar = j.get("bars").get(0);
        assertEquals(0x40001000L, bar.get("assigned").get("start").asLong());
        assertEquals(0x400010ffL, bar.get("assigned").get("end").asLong());
        assertEquals(0x40000100L, bar.get("withoutReservations").get("start").asLong());
        assertTrue(bar.get("movedByReservation").asBoolean());
        assertEquals("0000:02:02.0: BAR 0 [mem 0x40001000-0x400010ff]: assigned", bar.get("kernelLog").asText());
    }

    @Test
    void textWithNothingOpenPutsTheBarInsideTheSmallBarsPage() {
        Run r = run("hotplug", "--console", OPEN_RUN, "--add", "02:256");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("sub-page reservations held: none"), r.out());
        assertTrue(r.out().contains("assigned:              40000100-400001ff"), r.out());
        assertFalse(r.out().contains("moved it"), r.out());
    }

    @Test
    void noSpaceIsExitCode1WithTheKernelsWords() {
        Run r = run("hotplug", "--console", OPEN_RUN, "--add", "02:1M");
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("BAR 0 [mem size 0x00100000]: can't assign; no space"), r.out());
    }

    @Test
    void badInputIsExitCode2NamingTheOption() {
        Run r = run("hotplug", "--console", OPEN_RUN, "--add", "02:300");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("--add") && r.err().contains("power of two"), r.err());
        Run r2 = run("hotplug", "--console", OPEN_RUN, "--open", "0000:05:00.0", "--add", "02:256");
        assertEquals(2, r2.rc());
        assertTrue(r2.err().contains("--open"), r2.err());
        Run r3 = run("hotplug", "--console", OPEN_RUN, "--add", "09:256");
        assertEquals(2, r3.rc());
        assertTrue(r3.err().contains("no memory window"), r3.err());
        Run r4 = run("hotplug", "--console", OPEN_RUN, "--add", "02:256", "--as", "0000:02:01.0");
        assertEquals(2, r4.rc());
        assertTrue(r4.err().contains("--as") && r4.err().contains("already exists"), r4.err());
    }

    @Test
    void addSpecParsesSizesAndAttributes() {
        var s = HotplugCommand.parseAdd("0000:02:256,1M+64+pref,4K+pref");
        assertEquals("0000:02", s.bus());
        assertEquals(List.of(new HotAdd.NewBar(0, 256, false, false), new HotAdd.NewBar(1, 1 << 20, true, true), new HotAdd.NewBar(3, 4096, false, true)), s.bars());
        assertThrows(BadInputException.class, () -> HotplugCommand.parseAdd("256"));
        assertThrows(BadInputException.class, () -> HotplugCommand.parseAdd("02:4K+fast"));
        assertThrows(BadInputException.class, () -> HotplugCommand.parseAdd("02:4K,4K,4K,4K+64,4K+64"));
    }
}
