package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.barmap.model.alloc.Assignment;
import dev.barmap.model.alloc.HotAdd;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.vfio.ModelVfioDevice;
import dev.barmap.model.vfio.VfioPciModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three real-kernel hot-add runs (testdata/hotplug): the host is rebuilt from the run's console.log
 * at boot, the 16-byte BAR's device is opened through the model (and mmapped, as the run's /hold did),
 * closed, or never opened; then the sdhci-pci device is hot-added on bus 02. The model must put its BAR
 * where the real kernel did (expected.json, and the console's "BAR 0 [...]: assigned" line), must say
 * where it would have gone without the reservation, and /proc/iomem after the hot-add must be the real
 * one byte for byte.
 */
class HotplugRunTest {
    static final Path RUNS = Path.of("../testdata/hotplug");

    static Stream<Path> runs() throws IOException {
        try (var s = Files.list(RUNS)) {
            List<Path> all = s.filter(Files::isDirectory).sorted().toList();
            assertEquals(3, all.size(), "hot-add runs under " + RUNS.toAbsolutePath());
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void hotAddedBarLandsWhereTheRealKernelPutIt(Path run) throws IOException {
        JsonNode exp = ProbeJson.MAPPER.readTree(run.resolve("expected.json").toFile());
        GuestConsole console = GuestConsole.read(run.resolve("console.log"));
        String mode = exp.get("mode").asText();
        Bdf opened = Bdf.parse(exp.get("openedDevice").get("bdf").asText());
        int openedBar = exp.get("openedDevice").get("bar").asInt();
        JsonNode hot = exp.get("hotAdded");

        // the boot-time host has the opened device's BAR where expected.json says
        Bar b = console.functions().get(opened).resource(openedBar);
        assertEquals(exp.get("openedDevice").get("start").asLong(), b.start());
        assertEquals(exp.get("openedDevice").get("end").asLong(), b.end());

        VfioPciModel model = new VfioPciModel(console.host());
        switch (mode) {
            case "open", "closed" -> {
                ModelVfioDevice d = model.open(opened);
                d.tryMmap((long) openedBar << ModelVfioDevice.OFFSET_SHIFT, 0x1000, true); // "mmap BAR0 len=0x1000 -> OK"
                assertEquals(List.of("40000010-40000fff"), model.subPageReserved().stream().map(r -> String.format("%x-%x", r.start(), r.end())).toList(),
                        "the console's 'vfio sub-page lines after open'");
                if (mode.equals("closed")) d.close();
            }
            case "none" -> { }
            default -> fail("unknown mode " + mode);
        }
        assertEquals(exp.get("heldOpenAtHotAdd").asBoolean(), !model.subPageReserved().isEmpty());

        // the new device's BARs as the kernel found them
        assertEquals(Bdf.parse(hot.get("bdf").asText()), console.hotAdded().orElseThrow());
        var newBars = new ArrayList<HotAdd.NewBar>();
        for (Bar f : console.hotAddedFound()) newBars.add(new HotAdd.NewBar(f.index(), f.resourceSize(), f.is64(), f.prefetch()));
        assertEquals(1, newBars.size());
        assertEquals(hot.get("size").asLong(), newBars.get(0).size());

        HotAdd.Result r = HotAdd.run(model, console.rootWindows(), "0000:02", hot.get("bdf").asText(), newBars);
        var outcome = r.bars().get(0);
        var with = assertInstanceOf(Assignment.Assigned.class, outcome.withReservations());
        assertEquals(hot.get("assigned").get(0).asLong(), with.start(), "assigned start (expected.json)");
        assertEquals(hot.get("assigned").get(1).asLong(), with.end(), "assigned end (expected.json)");
        Bar real = console.hotAddedAssigned().get(0);
        assertEquals(real.start(), with.start(), "the console's 'BAR 0 [...]: assigned'");
        assertEquals("PCI Bus 0000:02", with.window().node().name());

        var without = assertInstanceOf(Assignment.Assigned.class, outcome.withoutReservations());
        assertEquals(0x40000100L, without.start(), "without the dummy: inside the 16-byte BAR's page");
        assertEquals(exp.get("heldOpenAtHotAdd").asBoolean(), outcome.moved());

        assertEquals(console.iomemAfterHotAdd().orElseThrow(), r.iomemAfter(), "/proc/iomem after the hot-add");
    }
}
