package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.barmap.cli.report.ScanJson;
import dev.barmap.host.HostReader;
import dev.barmap.host.LspciReader;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real pastes in testdata/lspci (each cited in its README): every BAR, ROM or VF region line a paste shows
 * is accounted for in {@code scan --format json}, either as a region at that address or in a note that names
 * it (its address, its {@code <unassigned>} state, or why its device is not known). Expected addresses are
 * read from the paste text itself by a pattern independent of the parser.
 */
class LspciPastesTest {
    static final Path DIR = Path.of("../testdata/lspci");
    // the BAR and ROM lines of lspci.c show_bases()/show_rom(), with or without "Region N:"
    static final Pattern BAR_LINE = Pattern.compile("(?:Region \\d+: )?(?:Memory|I/O ports) at (\\S+)|Expansion ROM at (\\S+)");

    static JsonNode json(Path fixture) {
        ScanResult r = Scanner.scan(LspciReader.readAny(fixture, HostReader.Options.NONE));
        return ScanJson.toJson(r);
    }

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRegionAPasteShowsIsAccountedFor() throws IOException {
        return fixtures().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            JsonNode j = json(dir);
            var starts = new ArrayList<Long>();
            j.get("devices").forEach(d -> d.get("regions").forEach(r -> {
                if (r.has("hostStart")) starts.add(r.get("hostStart").asLong());
            }));
            String notes = j.get("notes").toString();
            int seen = 0;
            for (Path f : LspciReader.filesIn(dir)) {
                boolean deviceSeen = false, inSriov = false;
                for (String line : Files.readAllLines(f)) {
                    String t = line.replace("**", "").replaceFirst("^(\\s*> ?)+", "").strip();
                    if (t.matches("^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7][ /].*")) {
                        deviceSeen = true;
                        inSriov = false;
                    }
                    if (t.startsWith("Capabilities:")) inSriov = t.contains("SR-IOV");
                    Matcher m = BAR_LINE.matcher(t);
                    if (!m.lookingAt()) continue;
                    seen++;
                    String addr = m.group(1) != null ? m.group(1) : m.group(2);
                    boolean ok;
                    if (!deviceSeen) ok = notes.contains("before the first device line");
                    else if (inSriov) ok = notes.contains("SR-IOV capability");
                    else if (addr.startsWith("<")) ok = notes.contains(addr);
                    else {
                        long a = Long.parseUnsignedLong(addr, 16);
                        ok = starts.contains(a) || notes.contains(" at " + Long.toHexString(a));
                    }
                    assertTrue(ok, f + ": '" + t + "' is neither a JSON region nor named in a note: " + notes);
                }
            }
            seen += hexOnlyBarsAccounted(dir, starts, notes);
            if (!dir.getFileName().toString().contains("iommu-groups") && !dir.getFileName().toString().contains("nnk")
                    && !dir.getFileName().toString().contains("pp-quoted")) {
                assertTrue(seen > 0, dir + " shows BAR lines");
            }
        }));
    }

    /**
     * A device block with a hex dump but no BAR line (lspci -x/-xxx/-xxxx alone): every non-zero BAR register
     * (0x10-0x24 in a normal header, 0x10-0x14 in a bridge, 0x10 in a CardBus bridge; PCI spec header layouts)
     * must be a JSON region or named in a note.
     */
    static int hexOnlyBarsAccounted(Path dir, List<Long> starts, String notes) throws IOException {
        int seen = 0;
        for (Path f : LspciReader.filesIn(dir)) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).matches("^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*")) continue;
                int[] cfg = new int[64];
                int rows = 0;
                boolean barLines = false;
                for (int k = i + 1; k < lines.size() && !lines.get(k).matches("^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*"); k++) {
                    String l = lines.get(k).strip();
                    if (BAR_LINE.matcher(l).lookingAt()) barLines = true;
                    Matcher h = Pattern.compile("^([0-3]0): (.*)$").matcher(l);
                    if (h.matches()) {
                        String[] b = h.group(2).trim().split(" ");
                        int base = Integer.parseInt(h.group(1), 16);
                        for (int x = 0; x < 16; x++) cfg[base + x] = Integer.parseInt(b[x], 16);
                        rows++;
                    }
                }
                if (barLines || rows < 3) continue;
                int type = cfg[0x0e] & 0x7f;
                int count = type == 2 ? 1 : type == 1 ? 2 : 6;
                for (int b = 0; b < count; b++) {
                    int o = 0x10 + 4 * b;
                    long lo = cfg[o] | cfg[o + 1] << 8 | cfg[o + 2] << 16 | (long) cfg[o + 3] << 24;
                    if (lo == 0) continue;
                    long addr = (lo & 1) != 0 ? lo & ~3L : lo & ~0xfL;
                    if ((lo & 1) == 0 && (lo & 6) == 4 && b + 1 < count) {
                        int p = o + 4;
                        addr |= (cfg[p] | cfg[p + 1] << 8 | cfg[p + 2] << 16 | (long) cfg[p + 3] << 24) << 32;
                        b++;
                    }
                    seen++;
                    assertTrue(starts.contains(addr) || notes.contains(" at " + Long.toHexString(addr)),
                            f + ": BAR register " + b + " (" + Long.toHexString(addr) + ") of '" + lines.get(i) + "' is neither a JSON region nor in a note: " + notes);
                }
            }
        }
        return seen;
    }

    @Test
    void markdownBoldRegionsOfAcrn4443AreReadAndTheStrippingIsSaid() {
        JsonNode j = json(DIR.resolve("acrn-4443-issue-markdown"));
        JsonNode regions = j.get("devices").get("0000:67:00.0").get("regions");
        assertEquals(0xbc000000L, regions.get(0).get("hostStart").asLong());
        assertEquals(16 << 20, regions.get(0).get("size").asLong());
        assertEquals(0xc1000000L, regions.get(3).get("hostStart").asLong());
        assertTrue(j.get("notes").toString().contains("markdown bold"), j.get("notes").toString());
    }

    @Test
    void theCutCapabilityListOfSsdGpuDma8GivesMsixUnknownInEveryVerdict() {
        JsonNode j = json(DIR.resolve("ssd-gpu-dma-8-k40c-cut"));
        JsonNode regions = j.get("devices").get("0000:82:00.0").get("regions");
        for (int bar : new int[] {0, 1, 3}) {
            assertEquals("direct", regions.get(bar).get("verdict").asText());
            assertTrue(regions.get(bar).get("reason").asText().contains("MSI-X unknown"), regions.get(bar).toString());
        }
        assertTrue(j.get("notes").toString().contains("MSI-X unknown for 0000:82:00.0"), j.get("notes").toString());
        // and under 4.8-4.15 it says the table's page would be cut out of the mmap
        ScanResult old = Scanner.scan(LspciReader.readAny(DIR.resolve("ssd-gpu-dma-8-k40c-cut"), new HostReader.Options(null, "4.15")));
        assertTrue(old.devices().getFirst().regions().get(0).reason().contains("partial"), old.devices().getFirst().regions().get(0).reason());
    }

    @Test
    void lspciVOfNvtrust128IsRead() {
        JsonNode j = json(DIR.resolve("nvtrust-128-h20-v-nn"));
        JsonNode regions = j.get("devices").get("0000:0a:00.0").get("regions");
        assertEquals(0x18002000000L, regions.get(0).get("hostStart").asLong());
        assertEquals(0x16000000000L, regions.get(2).get("hostStart").asLong());
        assertEquals(128L << 30, regions.get(2).get("size").asLong());
        assertEquals(0x18000000000L, regions.get(4).get("hostStart").asLong());
        assertEquals("0x10de", j.get("devices").get("0000:0a:00.0").get("vendor").asText());
    }

    @Test
    void textAndJsonListTheSameFunctionsWhenNoBarIsShown() {
        // the lore e-mail's lspci -PP line names an NVMe function without any BAR line: the JSON lists it, so must the text
        CliRun text = CliRun.of("scan", "--root", DIR.resolve("lore-kvm-20250702-pp-quoted").toString());
        CliRun js = CliRun.of("scan", "--root", DIR.resolve("lore-kvm-20250702-pp-quoted").toString(), "--format", "json");
        assertEquals(0, text.rc(), text.err());
        assertTrue(js.out().contains("\"0000:02:00.0\""), js.out());
        assertTrue(text.out().contains("no BAR modelled for 0000:02:00.0"), text.out());
        assertFalse(text.out().contains("no PCI functions"), text.out());
        assertTrue(text.out().contains("e-mail quote markers"), text.out());
    }

    @Test
    void theVirtioNetBarWhoseOnlyPageIsTheMsixTableTrapsInEveryVmm() {
        // pciutils tests/cap-vendor-virtio: 00:09.0 BAR1 is 4K, MSI-X table at BAR1+0, PBA at BAR1+0x800
        CliRun js = CliRun.of("scan", "--root", DIR.resolve("pciutils-cap-vendor-virtio-vvxxx").toString(), "--format", "json");
        JsonNode bar1;
        try {
            bar1 = dev.barmap.host.ProbeJson.MAPPER.readTree(js.out()).get("devices").get("0000:00:09.0").get("regions").get(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals("direct", bar1.get("verdict").asText(), "vfio-pci itself mmaps it");
        // the VMM models (vmm/, each citing its source) decide per VMM; QEMU emulates the table, so its one page traps there
        String g = bar1.get("guest").asText();
        assertTrue(g.contains("MSI-X page") && !g.startsWith("direct in every VMM"), g);
        CliRun text = CliRun.of("scan", "--root", DIR.resolve("pciutils-cap-vendor-virtio-vvxxx").toString());
        assertTrue(text.out().lines().anyMatch(l -> l.contains("0000:00:09.0") && l.contains("BAR1") && l.contains("MSI-X page")), text.out());
        // under 4.8-4.15 the sparse mmap leaves out the table's page, which is the whole BAR: trapped, not "partial"
        ScanResult old = Scanner.scan(LspciReader.readAny(DIR.resolve("pciutils-cap-vendor-virtio-vvxxx"), new HostReader.Options(null, "4.15")));
        var oldBar1 = old.devices().stream().filter(d -> d.function().bdf().toString().equals("0000:00:09.0")).findFirst().orElseThrow().regions().get(1);
        assertEquals(dev.barmap.model.scan.Verdict.TRAPPED, oldBar1.verdict(), oldBar1.reason());
        CliRun plain = CliRun.of("scan", "--root", DIR.resolve("pciutils-cap-vendor-virtio-vvxxx").toString(), "--no-guest");
        assertFalse(plain.out().contains("GUEST") || plain.out().contains("in every VMM"), plain.out());
    }

    @Test
    void theBannerSaysWhenTheHostCannotPassDevicesThrough() {
        CliRun ppc = CliRun.of("scan", "--root", "../testdata/captures/ppc64le-64k-single-subpage");
        assertTrue(ppc.out().contains("THIS HOST CANNOT PASS DEVICES THROUGH") && ppc.out().contains("iommu=off"), ppc.out());
        CliRun js = CliRun.of("scan", "--root", "../testdata/captures/ppc64le-64k-single-subpage", "--format", "json");
        assertTrue(js.out().contains("\"NO_IOMMU_GROUPS\""), js.out());
        CliRun x86 = CliRun.of("scan", "--root", "../testdata/captures/x86_64-4k-linux-packed");
        assertFalse(x86.out().contains("CANNOT PASS"), x86.out());
    }
}
