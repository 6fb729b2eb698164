package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.barmap.host.GuestConsole;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.alloc.HotAdd;
import java.util.List;
import org.junit.jupiter.api.Test;

class HotplugCommandTest {
    static final String OPEN_RUN = "../testdata/hotplug/x86_64-4k-q35br-open/console.log";

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void jsonReproducesTheOpenRunAndShowsWhatTheReservationPrevents() throws Exception {
        CliRun r = run("hotplug", "--console", OPEN_RUN, "--open", "0000:02:01.0", "--add", "0000:02:256", "--as", "0000:02:02.0", "--format", "json");
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
        CliRun r = run("hotplug", "--console", OPEN_RUN, "--add", "02:256");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("sub-page reservations held: none"), r.out());
        assertTrue(r.out().contains("assigned:              40000100-400001ff"), r.out());
        assertFalse(r.out().contains("moved it"), r.out());
    }

    @Test
    void noSpaceIsExitCode1WithTheKernelsWords() {
        CliRun r = run("hotplug", "--console", OPEN_RUN, "--add", "02:1M");
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("BAR 0 [mem size 0x00100000]: can't assign; no space"), r.out());
    }

    @Test
    void badInputIsExitCode2NamingTheOption() {
        CliRun r = run("hotplug", "--console", OPEN_RUN, "--add", "02:300");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("--add") && r.err().contains("power of two"), r.err());
        CliRun r2 = run("hotplug", "--console", OPEN_RUN, "--open", "0000:05:00.0", "--add", "02:256");
        assertEquals(2, r2.rc());
        assertTrue(r2.err().contains("--open"), r2.err());
        CliRun r3 = run("hotplug", "--console", OPEN_RUN, "--add", "09:256");
        assertEquals(2, r3.rc());
        assertTrue(r3.err().contains("no memory window"), r3.err());
        CliRun r4 = run("hotplug", "--console", OPEN_RUN, "--add", "02:256", "--as", "0000:02:01.0");
        assertEquals(2, r4.rc());
        assertTrue(r4.err().contains("--as") && r4.err().contains("already exists"), r4.err());
    }

    /** Issue 14: a malformed --as is reported as --as (it was reported as --add). */
    @Test
    void badAsNamesAs() {
        for (String as : List.of("zz", "0000:02:20.0", "0000:02:02.9")) {
            CliRun r = run("hotplug", "--console", OPEN_RUN, "--add", "02:256", "--as", as);
            assertEquals(2, r.rc(), as + ": " + r.err());
            assertTrue(r.err().startsWith("barmap: error: --as: not a PCI address"), as + ": " + r.err());
            assertFalse(r.err().contains("--add"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("", r.out());
        }
    }

    /**
     * Issue 14: a BAR spanning the 64-bit space (start + size > 2^64, i.e. an end below its start) in the hot-add run
     * -- the hot-added BAR as the kernel printed it, or a function's sysfs resource line -- is one error line naming
     * the console file and line, exit 2.
     */
    @Test
    void barSpanningThe64BitSpaceIsOneErrorLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        var real = java.nio.file.Files.readAllLines(java.nio.file.Path.of(OPEN_RUN));
        int assigned = -1, res = -1;
        for (int i = 0; i < real.size(); i++) {
            if (real.get(i).contains("pci 0000:02:02.0: BAR 0 [mem 0x40001000-0x400010ff]: assigned")) assigned = i;
            if (res < 0 && real.get(i).startsWith("GUEST: dev 0000:02:01.0 ")) res = i + 1;
        }
        assertTrue(assigned > 0 && res > 0 && real.get(res).contains("res[0] 0x0000000040000000"), "the open run's lines moved");
        var hotAdded = new java.util.ArrayList<>(real);
        hotAdded.set(assigned, real.get(assigned).replace("0x40001000-0x400010ff", "0xffffffffffffff00-0x00000000000000ff"));
        var sysfs = new java.util.ArrayList<>(real);
        sysfs.set(res, real.get(res).replace("0x0000000040000000 0x000000004000000f", "0xfffffffffffffff0 0x000000000000000f"));
        int[] lines = {assigned + 1, res + 1};
        int k = 0;
        for (var text : List.of(hotAdded, sysfs)) {
            var f = tmp.resolve("console-" + k + ".log");
            java.nio.file.Files.write(f, text);
            CliRun r = run("hotplug", "--console", f.toString(), "--add", "02:256");
            assertEquals(2, r.rc(), r.err());
            assertTrue(r.err().startsWith("barmap: error: " + f + ":" + lines[k] + ": end 0x"), r.err());
            assertTrue(r.err().contains("below start"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("", r.out());
            k++;
        }
    }

    static final java.nio.file.Path RUNS = java.nio.file.Path.of("../testdata/hotplug");

    /** Each real run as the command line that reproduces it, checked against the run's expected.json and console.log. */
    @Test
    void closeReproducesTheClosedRunAndIomemAfterIsTheRealOne() throws Exception {
        for (String run : List.of("x86_64-4k-q35br-open", "x86_64-4k-q35br-closed", "x86_64-4k-q35br-none")) {
            JsonNode exp = ProbeJson.MAPPER.readTree(RUNS.resolve(run).resolve("expected.json").toFile());
            String mode = exp.get("mode").asText(), dev = exp.get("openedDevice").get("bdf").asText();
            var args = new java.util.ArrayList<>(List.of("hotplug", "--console", RUNS.resolve(run).resolve("console.log").toString(),
                    "--add", "0000:02:" + exp.get("hotAdded").get("size").asLong(), "--as", exp.get("hotAdded").get("bdf").asText(), "--format", "json"));
            if (!mode.equals("none")) args.addAll(List.of(mode.equals("open") ? "--open" : "--close", dev));
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(0, r.rc(), run + ": " + r.err());
            JsonNode j = ProbeJson.MAPPER.readTree(r.out());
            JsonNode assigned = j.get("bars").get(0).get("assigned");
            assertEquals(exp.get("hotAdded").get("assigned").get(0).asLong(), assigned.get("start").asLong(), run);
            assertEquals(exp.get("hotAdded").get("assigned").get(1).asLong(), assigned.get("end").asLong(), run);
            assertEquals(exp.get("heldOpenAtHotAdd").asBoolean(), !j.get("reservations").isEmpty(), run);
            assertEquals(mode.equals("closed") ? List.of(dev) : List.of(), ProbeJson.MAPPER.convertValue(j.get("closed"), List.class), run);
            // /proc/iomem after the hot-add: the real one, as the run's guest printed it
            String real = GuestConsole.read(RUNS.resolve(run).resolve("console.log")).iomemAfterHotAdd().orElseThrow();
            assertEquals(real, j.get("iomemAfter").asText(), run);
            // and in the text form, line for line
            args.removeAll(List.of("--format", "json"));
            String text = run(args.toArray(String[]::new)).out();
            assertTrue(text.contains("/proc/iomem after the hot-add (with the reservations):\n" + real), run + "\n" + text);
            if (mode.equals("closed")) assertTrue(text.contains("opened, then closed before the hot-add: " + dev), text);
        }
        CliRun twice = run("hotplug", "--console", OPEN_RUN, "--open", "0000:02:01.0", "--close", "0000:02:01.0", "--add", "02:256");
        assertEquals(2, twice.rc());
        assertTrue(twice.err().contains("--close"), twice.err());
    }

    @Test
    void rootBusWindowsAreNumberedAndFlaggedAsTheKernelPrintsThem() throws Exception {
        // hot-add on the root bus: its windows are host bridge windows; the kernel's pci_bus_dump_res printed them
        // at boot as "pci_bus 0000:00: resource N [mem ... window]" (console.log), I/O windows 4 and 5 counted
        CliRun r = run("hotplug", "--console", OPEN_RUN, "--add", "0000:00:4K", "--format", "json");
        assertEquals(0, r.rc(), r.err());
        String console = java.nio.file.Files.readString(java.nio.file.Path.of(OPEN_RUN));
        JsonNode wins = ProbeJson.MAPPER.readTree(r.out()).get("busWindows");
        assertEquals(4, wins.size(), wins.toString());
        var numbers = new java.util.ArrayList<String>();
        for (JsonNode w : wins) {
            String label = w.get("from").asText();
            assertTrue(label.matches("root bus resource \\d+"), label);
            String n = label.substring("root bus resource ".length());
            numbers.add(n);
            String pR = String.format("[mem %#010x-%#010x%s]", w.get("start").asLong(), w.get("end").asLong(), w.get("flags").asText().substring(3));
            assertTrue(console.contains("pci_bus 0000:00: resource " + n + " " + pR), "console has resource " + n + " " + pR);
            assertTrue(w.get("flags").asText().endsWith(" window"), w.toString());
        }
        assertEquals(List.of("6", "7", "8", "9"), numbers.stream().sorted().toList());
        // the text form uses the same words
        String text = run("hotplug", "--console", OPEN_RUN, "--add", "0000:00:4K").out();
        assertTrue(text.contains("[mem 0x40000000-0xafffffff window]  root bus resource 7"), text);
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
