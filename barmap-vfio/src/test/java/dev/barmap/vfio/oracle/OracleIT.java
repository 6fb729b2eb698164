package dev.barmap.vfio.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.host.ProbeJson;
import dev.barmap.model.vfio.ProbeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-kernel oracle: for each scenario booted by oracle/boot.sh, what the real vfio-pci answered
 * through the FFM binding ({@code capture/expected/vfio.json}, {@code iomem-open}, written in the guest by
 * {@code barmap capture --probe}) must equal the model's prediction for the same host directory; and the
 * guest's selftest facts (sub-page segment bounds, no leaks over the open/close cycles) must hold.
 *
 * <p>Run by oracle/run-ci.sh ({@code mvn -Poracle -pl barmap-vfio verify}); the results directory is
 * {@code barmap.oracle.results}, the scenarios that must be there {@code barmap.oracle.scenarios}.
 */
class OracleIT {
    static final Path RESULTS = Path.of(System.getProperty("barmap.oracle.results", "../oracle/work/results"));
    static final List<String> SCENARIOS = Arrays.stream(System.getProperty("barmap.oracle.scenarios",
            "firmware-padded,linux-packed,msix-firmware-padded").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();

    static Stream<String> scenarios() {
        return SCENARIOS.stream();
    }

    static Path capture(String scenario) {
        Path c = RESULTS.resolve(scenario).resolve("capture");
        assertTrue(Files.isRegularFile(c.resolve("expected/vfio.json")), "no capture for " + scenario + " under " + c.toAbsolutePath() + " (run oracle/boot.sh " + scenario + ")");
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theBindingAndTheModelAgree(String scenario) throws IOException {
        Path c = capture(scenario);
        ProbeReport real = ProbeJson.read(c.resolve("expected/vfio.json"));
        var model = OracleComparison.predict(c);
        // the capture must be a real probe, not an empty one
        assertFalse(real.devices().isEmpty(), "no device was probed in " + scenario);
        long tries = real.devices().values().stream().flatMap(d -> d.regions().stream()).mapToLong(r -> r.tries().size()).sum();
        assertTrue(tries > 20, "only " + tries + " tries in " + scenario);
        List<String> diffs = OracleComparison.diff(real, model.report(), Files.readString(c.resolve("expected/iomem-open")), model.iomemOpen());
        assertEquals(List.of(), diffs, scenario + ": the model disagrees with the real kernel");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenarioShowsWhatItIsFor(String scenario) {
        ProbeReport real = ProbeJson.read(capture(scenario).resolve("expected/vfio.json"));
        var regions = real.devices().values().stream().flatMap(d -> d.regions().stream()).filter(r -> !r.failed()).toList();
        long subPageMmap = regions.stream().filter(r -> r.index() <= 5 && r.info().size() > 0 && r.info().size() < real.pageSize() && r.info().mmappable()).count();
        long subPageTrapped = regions.stream().filter(r -> r.index() <= 5 && r.info().size() > 0 && r.info().size() < real.pageSize()
                && (r.info().flags() & 1) != 0 && !r.info().mmappable() && !r.name().isEmpty()).count();
        switch (kind(scenario)) {
            case "firmware-padded" -> {
                assertTrue(subPageMmap >= 8, "SeaBIOS pads small BARs: expected many mmappable sub-page BARs, got " + subPageMmap);
                assertFalse(real.subPageReserved().isEmpty());
            }
            case "linux-packed" -> assertTrue(subPageTrapped > subPageMmap,
                    "Linux packs small BARs: expected most sub-page BARs trapped, got " + subPageMmap + " mmappable, " + subPageTrapped + " not");
            case "msix-firmware-padded" -> {
                assertTrue(regions.stream().anyMatch(r -> r.info().caps().stream().anyMatch(c -> c.name().equals("MSIX_MAPPABLE"))),
                        "expected an MSIX_MAPPABLE BAR");
                // reads inside an MSI-X table are values the model knows (all ones): the value comparison must have run
                long known = OracleComparison.predict(capture(scenario)).report().devices().values().stream()
                        .flatMap(d -> d.regions().stream()).flatMap(r -> r.tries().stream()).filter(t -> t.value().isPresent()).count();
                assertTrue(known > 0, "no read whose value the model knows");
            }
            default -> { }
        }
    }

    /** The scenario without its kernel: {@code linux-packed@6.12} is a {@code linux-packed} guest on 6.12. */
    static String kind(String scenario) {
        int at = scenario.indexOf('@');
        return at < 0 ? scenario : scenario.substring(0, at);
    }

    /** Every result records the exact kernel package it came from, and the guest really ran that kernel. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void resultRecordsTheKernelItRan(String scenario) throws IOException {
        Properties run = props(RESULTS.resolve(scenario).resolve("oracle-run.properties"));
        String release = run.getProperty("kernel.release", "");
        assertFalse(release.isEmpty(), scenario + ": no kernel.release in oracle-run.properties");
        assertFalse(run.getProperty("kernel.package.version", "unknown").equals("unknown"), scenario + ": no kernel package version");
        ProbeReport real = ProbeJson.read(capture(scenario).resolve("expected/vfio.json"));
        assertEquals(release, real.kernelRelease(), scenario + ": the guest ran another kernel than the one recorded");
        if (scenario.contains("@")) {
            String gen = scenario.substring(scenario.indexOf('@') + 1);
            assertTrue(release.startsWith(gen + "."), scenario + ": kernel " + release + " is not of generation " + gen);
        }
    }

    static Properties props(Path p) throws IOException {
        assertTrue(Files.isRegularFile(p), "missing " + p.toAbsolutePath());
        // key=value lines split at the first '=' (keys hold PCI addresses, whose ':' java.util.Properties would split at)
        var pr = new Properties();
        for (String l : Files.readAllLines(p)) {
            int eq = l.indexOf('=');
            if (eq > 0) pr.setProperty(l.substring(0, eq), l.substring(eq + 1));
        }
        return pr;
    }

    /** Selftest facts from the first scenario that ran it (firmware-padded: its sub-page BARs are mmappable). */
    static Properties selftest() throws IOException {
        // only firmware-padded runs the selftest: a run of other scenarios alone has nothing to check here
        Assumptions.assumeTrue(SCENARIOS.stream().anyMatch(s -> kind(s).equals("firmware-padded")),
                "no firmware-padded scenario in this run");
        for (String s : SCENARIOS) {
            Path p = RESULTS.resolve(s).resolve("selftest.properties");
            if (Files.isRegularFile(p)) return props(p);
        }
        throw new AssertionError("no scenario under " + RESULTS.toAbsolutePath() + " has selftest.properties");
    }

    @Test
    void subPageSegmentsAreBoundedToTheBar() throws IOException {
        Properties p = selftest();
        int bars = Integer.parseInt(p.getProperty("subpageBars", "0"));
        assertTrue(bars > 0, "the selftest found no mmappable sub-page BAR");
        long page = Long.parseLong(p.getProperty("pageSize"));
        int seen = 0;
        for (String k : p.stringPropertyNames()) {
            if (!k.startsWith("subpage.") || !k.endsWith(".size")) continue;
            String base = k.substring(0, k.length() - "size".length());
            long size = Long.parseLong(p.getProperty(k));
            assertTrue(size < page, base + " is not sub-page");
            assertEquals(size, Long.parseLong(p.getProperty(base + "byteSize")), base + ": segment byteSize must equal the BAR size, not the mapped page");
            assertEquals("true", p.getProperty(base + "pastEndRefused"), base + ": the segment must refuse the byte at offset = size");
            assertEquals("true", p.getProperty(base + "accessorPastEndRefused"), base + ": read32 at size must be refused");
            assertEquals("true", p.getProperty(base + "lastDwordReadable"), base + ": the last dword must be readable");
            assertEquals(p.getProperty(base + "preadDword0"), p.getProperty(base + "mappedDword0"), base + ": the mapping must reach the registers pread reaches");
            seen++;
        }
        assertEquals(bars, seen);
    }

    @Test
    void openCloseCyclesLeaveNoFdMappingOrReservation() throws IOException {
        Properties p = selftest();
        assertEquals(1000, Integer.parseInt(p.getProperty("cycles", "0")), "cycles run");
        assertEquals(p.getProperty("fdsBefore"), p.getProperty("fdsAfter"), "fds left open after the cycles");
        assertEquals("0", p.getProperty("vfioMappingsBefore"));
        assertEquals("0", p.getProperty("vfioMappingsAfter"), "VFIO mappings left after the cycles");
        assertTrue(Integer.parseInt(p.getProperty("vfioMappingsWhileOpen")) >= 1, "the cycle's mapping was not visible in /proc/self/maps");
        // the dummy is taken at open and released at the last close (vfio_pci_probe_mmaps / vfio_pci_core_disable, 6.1)
        assertTrue(Integer.parseInt(p.getProperty("reservedWhileOpen")) > Integer.parseInt(p.getProperty("reservedBefore")),
                "no vfio sub-page reserved while the device was open");
        assertEquals(p.getProperty("reservedBefore"), p.getProperty("reservedAfter"), "reservations left after the cycles");
    }

    /** The edu driver's facts from the first scenario that ran it (firmware-padded boots an edu at 00:0d.0). */
    static Properties driver() throws IOException {
        return props(driverRun().resolve("driver.properties"));
    }

    /** The results directory of the scenario that ran the edu driver. */
    static Path driverRun() {
        // only firmware-padded runs the edu driver (oracle/boot.sh): a run of other scenarios alone has nothing to check here
        Assumptions.assumeTrue(SCENARIOS.stream().anyMatch(s -> kind(s).equals("firmware-padded")),
                "no firmware-padded scenario in this run");
        for (String s : SCENARIOS) {
            if (Files.isRegularFile(RESULTS.resolve(s).resolve("driver.properties"))) return RESULTS.resolve(s);
        }
        throw new AssertionError("no scenario under " + RESULTS.toAbsolutePath() + " has driver.properties (did the driver JVM crash? see driver.log)");
    }

    /**
     * The Java edu driver (dev.barmap.vfio.edu.EduDevice) against QEMU's hw/misc/edu.c: the expected values
     * are the device's, not barmap's (edu_mmio_read: 0x00 reads 0x010000ed; 0x04 reads ~written; the
     * factorial thread computes n!; edu_raise_irq ORs FACT_IRQ 0x1, DMA_IRQ 0x100 or the 0x60 value into
     * the interrupt status; edu_dma_timer copies cnt bytes between RAM and the device buffer).
     */
    @Test
    void theEduDriverWorksThroughTheLibrary() throws IOException {
        Properties p = driver();
        assertEquals("0000:00:0d.0", p.getProperty("edu.bdf"), "the edu function");
        assertEquals("TYPE1V2", p.getProperty("edu.iommu"));
        assertEquals("true", p.getProperty("edu.bar0Mapped"), "edu's 1 MiB BAR0 is mmappable");
        assertEquals(4, Integer.parseInt(p.getProperty("edu.command"), 16) & 4, "Bus Master Enable set through the config region");
        assertEquals("10000ed", p.getProperty("edu.id"), "identification register");
        assertEquals("edcba987", p.getProperty("edu.liveness.12345678"), "liveness: ~0x12345678");
        assertEquals("3628800", p.getProperty("edu.factorial.polling.10"), "10! by polling the status register");
        // INTx: factorial completion interrupt, a raised one, and the eventfd loopback
        assertEquals("479001600", p.getProperty("edu.intx.factorial.12"), "12! with the INTx interrupt");
        assertEquals("1", p.getProperty("edu.intx.factorial.irqStatus"), "FACT_IRQ");
        assertEquals("40", p.getProperty("edu.intx.raise.irqStatus"));
        assertTrue(Long.parseLong(p.getProperty("edu.intx.loopbackSignals")) >= 1, "software trigger reached the INTx eventfd");
        // DMA through the IOMMU: 4095 bytes of a Java page to the device and back into another page, byte for byte
        assertEquals("100", p.getProperty("dma.toDevice.irqStatus"), "DMA_IRQ after RAM -> edu");
        assertEquals("100", p.getProperty("dma.toRam.irqStatus"), "DMA_IRQ after edu -> RAM");
        assertEquals("4095", p.getProperty("dma.bytes"), "QEMU 7.2's edu takes at most 4095 bytes (edu_check_range)");
        assertEquals("0", p.getProperty("dma.byteAfterTransfer"), "the device wrote past the transfer");
        assertEquals("0", p.getProperty("dma.mismatches"), "bytes differing after the round trip");
        assertEquals("true", p.getProperty("dma.dstNonZero"), "the destination page was written by the device");
        assertEquals("2", p.getProperty("dma.mappings"));
        assertEquals("1", p.getProperty("dma.mappingsAfterClose"));
        assertTrue(p.getProperty("dma.overlapRefused").startsWith("errno 17:"), "overlap: EEXIST as vfio_dma_do_map() answers; " + p.getProperty("dma.overlapRefused"));
        assertTrue(p.getProperty("dma.outOfRangeRefused", "errno 22:").startsWith("errno 22:"), "outside the IOVA ranges: EINVAL; " + p.getProperty("dma.outOfRangeRefused"));
        assertTrue(p.getProperty("dma.unalignedRefused").startsWith("errno 22:"), "unaligned IOVA: EINVAL; " + p.getProperty("dma.unalignedRefused"));
        // MSI: msi_init(pdev, 0, 1, ...): one vector
        assertEquals("1", p.getProperty("edu.irq1.count"), "one MSI vector");
        assertEquals("479001600", p.getProperty("edu.msi.factorial.12"), "12! with the MSI interrupt");
        assertEquals("1", p.getProperty("edu.msi.factorial.irqStatus"));
        assertEquals("20000", p.getProperty("edu.msi.raise.irqStatus"));
        assertTrue(Long.parseLong(p.getProperty("edu.msi.virtualThreadSignals")) >= 1, "a virtual thread woke on the MSI");
        assertEquals("8", p.getProperty("edu.msi.virtualThreadIrqStatus"));
    }

    @Test
    void driverCyclesLeaveNoFdEventfdMappingOrPin() throws IOException {
        Properties p = driver();
        // boot.sh records the cycles it asked for (BARMAP_ORACLE_DRIVER_CYCLES: 500 on CI, 10,000 for the
        // record in BENCHMARKS.md); every one of them must have run, and never fewer than CI's 500
        int asked = Integer.parseInt(props(driverRun().resolve("oracle-run.properties")).getProperty("driver.cycles", "500"));
        assertTrue(asked >= 500, "fewer cycles asked for than CI's 500: " + asked);
        assertEquals(asked, Integer.parseInt(p.getProperty("cycles", "0")), "open/map/DMA-map/IRQ-arm/close cycles run");
        assertEquals(p.getProperty("cycles.fdsBefore"), p.getProperty("cycles.fdsAfter"), "fds left open");
        assertEquals(p.getProperty("cycles.eventfdsBefore"), p.getProperty("cycles.eventfdsAfter"), "eventfds left open");
        assertEquals(p.getProperty("cycles.vfioMappingsBefore"), p.getProperty("cycles.vfioMappingsAfter"), "VFIO mmaps left");
        assertEquals(p.getProperty("cycles.lockedKbBefore"), p.getProperty("cycles.lockedKbAfter"), "DMA-pinned memory left (VmLck)");
        assertTrue(Long.parseLong(p.getProperty("cycles.eventfdsWhileOpen")) > Long.parseLong(p.getProperty("cycles.eventfdsBefore")), "the MSI eventfd was not seen while open");
        assertTrue(Long.parseLong(p.getProperty("cycles.vfioMappingsWhileOpen")) > Long.parseLong(p.getProperty("cycles.vfioMappingsBefore")), "the BAR mapping was not seen while open");
        assertTrue(Long.parseLong(p.getProperty("cycles.lockedKbWhileOpen")) > Long.parseLong(p.getProperty("cycles.lockedKbBefore")), "the DMA page was not pinned while mapped");
    }
}
