package dev.barmap.model.vmm.qemu.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.BadInputException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    static final String GOOD = """
            # a scenario as oracle/qemu writes it
            window 0xc0000000 0xc0100000        # compared range
            vfio 04.0 host=0000:00:03.0
            vfio 05.0 host=0000:00:04.0 x-no-mmap=on
            emulated 07.0 i6300esb

            write 04.0 0x04 2 0x0003
            write 04.0 0x10 4 0xc0000000
            dump s1
            write 07.0 0x10 4 0xc0001000
            dump s2
            """;

    @Test
    void readsEveryKindOfLine() {
        Scenario s = Scenario.parse("scenario.scn", GOOD);
        assertEquals(0xc0000000L, s.lo());
        assertEquals(0xc0100000L, s.hi());
        assertEquals(List.of(
                new Scenario.Vfio(new Scenario.Slot(4, 0), "0000:00:03.0", List.of(), 3),
                new Scenario.Vfio(new Scenario.Slot(5, 0), "0000:00:04.0", List.of(new Scenario.Option("x-no-mmap", "on")), 4),
                new Scenario.Emulated(new Scenario.Slot(7, 0), "i6300esb", 5)), s.devices());
        assertEquals(List.of(
                new Scenario.Write(new Scenario.Slot(4, 0), 4, 2, 3, 7),
                new Scenario.Write(new Scenario.Slot(4, 0), 0x10, 4, 0xc0000000L, 8),
                new Scenario.Dump("s1", 9),
                new Scenario.Write(new Scenario.Slot(7, 0), 0x10, 4, 0xc0001000L, 10),
                new Scenario.Dump("s2", 11)), s.steps());
        assertEquals("1f.3", new Scenario.Slot(0x1f, 3).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "window 0x10 0x10|1|the window's end is not above its start",
            "window 0x10|1|expected: window LO HI",
            "vfio 4.0 host=0000:00:03.0|1|a slot is DD.F",
            "vfio 20.0 host=0000:00:03.0|1|device number above 1f",
            "vfio 1f.2 host=0000:00:03.0|1|slot 1f.2 is a q35 built-in function",
            "vfio 04.0 0000:00:03.0|1|expected host=DDDD:BB:DD.F",
            "vfio 04.0 host=0000:00:03.0 x-no-mmap|1|option 1 is not KEY=VALUE",
            "emulated 07.0 e1000|1|emulated device type not modelled (known: i6300esb)",
            "write 04.0 0x10 4 0|1|no device at 04.0",
            "frob|1|unknown keyword",
            "dump|1|expected: dump NAME",
    })
    void aBadLineIsNamedWithItsFileAndLine(String line, int no, String problem) {
        var e = assertThrows(BadInputException.class, () -> Scenario.parse("x.scn", line + "\nwindow 0 1\ndump d\n"));
        assertTrue(e.getMessage().startsWith("x.scn:" + no + ": " + problem), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "write 04.0 0x10 3 0|size must be 1, 2 or 4 bytes",
            "write 04.0 0xfff 2 0|offset outside the 4 KiB config space",
            "write 04.0 0x10 1 0x100|value wider than 1 bytes",
            "write 04.0 0x10 4 zz|value is not a number (decimal or 0x hex, at most 64 bits)",
            "vfio 04.0 host=0000:00:04.0|slot 04.0 used twice",
            "dump d|dump name used twice",
            "window 0 2|a second window line",
    })
    void aBadWriteOrRepeatIsNamedOnItsLine(String line, String problem) {
        String text = "window 0 1\nvfio 04.0 host=0000:00:03.0\ndump d\n" + line + "\n";
        var e = assertThrows(BadInputException.class, () -> Scenario.parse("x.scn", text));
        assertEquals("x.scn:4: " + problem, e.getMessage());
    }

    @Test
    void everyScenarioOfTheNestedOracleParses() throws java.io.IOException {
        // oracle/qemu/scenarios: what the harness runs next; a line the model cannot read shows here before a run
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("../oracle/qemu/scenarios"))) {
            var scns = files.filter(p -> p.toString().endsWith(".scn")).sorted().toList();
            assertTrue(scns.size() >= 5, "scenarios " + scns);
            for (var p : scns) {
                Scenario s = Scenario.parse(p.toString(), java.nio.file.Files.readString(p));
                assertTrue(s.steps().stream().anyMatch(x -> x instanceof Scenario.Dump), p.toString());
            }
        }
    }

    @Test
    void windowAndADumpAreRequired() {
        assertEquals("x.scn: no window line", assertThrows(BadInputException.class, () -> Scenario.parse("x.scn", "dump a\n")).getMessage());
        assertEquals("x.scn: no dump line", assertThrows(BadInputException.class, () -> Scenario.parse("x.scn", "window 0 1\n")).getMessage());
    }
}
