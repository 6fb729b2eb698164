package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.scan.Verdict;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.RegionCap;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each lspci fixture written from a public report gives the verdicts the report describes (testdata/lspci/README.md). */
class LspciFixturesTest {
    static final Path DIR = Path.of("../testdata/lspci");

    static ScanResult scan(String fixture, Long pageSize, String kernel) {
        Host h = LspciReader.readAny(DIR.resolve(fixture), new HostReader.Options(pageSize, kernel));
        return Scanner.scan(h);
    }

    static RegionResult region(ScanResult r, String bdf, int index) {
        DeviceResult d = r.devices().stream().filter(x -> x.function().bdf().equals(Bdf.parse(bdf))).findFirst().orElseThrow();
        return d.regions().get(index);
    }

    @Test
    @DisplayName("cloud-hypervisor #7939: NVMe 16K BAR0 on 64K pages is sub-page but page-aligned: direct, rest of page reserved")
    void cloudHypervisor7939() {
        ScanResult r = scan("ch-7939-nvme-64k", null, null);
        assertEquals(65536, r.host().pageSize());
        RegionResult bar0 = region(r, "0006:01:00.0", 0);
        assertEquals(Verdict.DIRECT, bar0.verdict(), bar0.reason());
        assertEquals(16384, bar0.info().size());
        assertTrue(bar0.reason().contains("sub-page BAR (16 KiB) starts its page"), bar0.reason());
        assertTrue(bar0.info().caps().stream().anyMatch(c -> c instanceof RegionCap.MsixMappable), "6.11: MSIX_MAPPABLE on the MSI-X BAR");
        assertEquals(java.util.List.of(new ProbeReport.Range(0x630040014000L, 0x63004001ffffL)), r.subPageReserved());
        // the same device on 4K pages: a whole-page BAR, no reservation
        ScanResult four = scan("ch-7939-nvme-64k", 4096L, null);
        assertEquals(Verdict.DIRECT, region(four, "0006:01:00.0", 0).verdict());
        assertTrue(four.subPageReserved().isEmpty());
    }

    @Test
    @DisplayName("ACRN #4443: X722 BAR0 is bc000000 (not the SR-IOV VF region c0000000), 32K BAR3 holds the MSI-X table")
    void acrn4443() {
        ScanResult r = scan("acrn-4443-x722-sriov", null, null);
        RegionResult bar0 = region(r, "67:00.0", 0), bar3 = region(r, "67:00.0", 3);
        assertEquals(0xbc000000L, bar0.hostStart());
        assertEquals(16 << 20, bar0.info().size());
        assertEquals(Verdict.DIRECT, bar0.verdict());
        assertEquals(0xc1000000L, bar3.hostStart());
        assertEquals(32 << 10, bar3.info().size());
        assertEquals(Verdict.DIRECT, bar3.verdict());
        assertTrue(bar3.reason().contains("MSI-X table"), bar3.reason());
        // under 4.8-4.15 the table's page is cut out of BAR3's mmap
        assertEquals(Verdict.PARTIAL, region(scan("acrn-4443-x722-sriov", null, "4.15"), "67:00.0", 3).verdict());
    }

    @Test
    @DisplayName("raspberry-pi-pcie-devices #315: I350 BAR3 16K with the MSI-X table; unassigned I/O BAR absent; ROM trapped")
    void rpi315() {
        ScanResult r = scan("rpi-315-i350", null, null);
        assertEquals(Verdict.DIRECT, region(r, "06:00.0", 0).verdict());
        RegionResult bar3 = region(r, "06:00.0", 3);
        assertEquals(Verdict.DIRECT, bar3.verdict());
        assertEquals(16384, bar3.info().size());
        assertEquals(Verdict.ABSENT, region(r, "06:00.0", 2).verdict());
        assertEquals(Verdict.TRAPPED, region(r, "06:00.0", 6).verdict());
        // on a 64K-page kernel BAR3 is sub-page: still mmappable, through a dummy over the rest of its page
        ScanResult big = scan("rpi-315-i350", 65536L, null);
        RegionResult b3 = region(big, "06:00.0", 3);
        assertEquals(Verdict.DIRECT, b3.verdict());
        assertTrue(b3.reason().startsWith("sub-page BAR (16 KiB) starts its page"), b3.reason());
    }

    @Test
    @DisplayName("raspberry-pi-pcie-devices #682 on a Pi 5 (16K pages): RTL8126 64K and 16K BARs both direct; MSI-X unknown")
    void rpi682Pi5() {
        ScanResult r = scan("rpi-682-rtl8126-pi5-16k", null, null);
        assertEquals(16384, r.host().pageSize());
        assertEquals(Verdict.DIRECT, region(r, "0000:01:00.0", 2).verdict());
        RegionResult bar4 = region(r, "0000:01:00.0", 4);
        assertEquals(Verdict.DIRECT, bar4.verdict());
        assertTrue(bar4.reason().contains("at least one 16 KiB page"), bar4.reason());
        assertFalse(r.host().functions().get(Bdf.parse("0000:01:00.0")).msixKnown());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("MSI-X")), r.notes().toString());
    }

    @Test
    @DisplayName("ROCm #679 (lspci without root): 256-byte EHCI BARs trap; Azalia 16K direct; MSI-X unknown everywhere")
    void rocm679() {
        ScanResult r = scan("rocm-679-ehci-nonroot", null, null);
        for (String ehci : new String[] {"00:12.2", "00:13.2"}) {
            RegionResult b = region(r, ehci, 0);
            assertEquals(256, b.info().size());
            assertEquals(Verdict.TRAPPED, b.verdict(), ehci);
            assertTrue(b.reason().contains("does not start its page"), b.reason());
        }
        assertEquals(Verdict.DIRECT, region(r, "00:14.2", 0).verdict());
        assertTrue(r.host().functions().values().stream().noneMatch(f -> f.msixKnown()));
        assertEquals("ehci-pci", r.host().functions().get(Bdf.parse("00:12.2")).driver().orElseThrow());
    }
}
