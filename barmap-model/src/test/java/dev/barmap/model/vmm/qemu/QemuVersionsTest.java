package dev.barmap.model.vmm.qemu;

import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.VmmPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU releases the model covers, against the nested oracle's real runs ({@code testdata/qemu-nested}): the
 * build each {@link QemuVersion} cites is the one that ran, and what barmap models — the "memory" flat view of
 * {@code info mtree -f} and the "pci" container of {@code info mtree} — is the same line for line in 7.2.22,
 * 10.0.13 and 11.1.3 for every scenario and dump point: the finding that lets the three policies share one model.
 */
class QemuVersionsTest {
    static final Path NESTED = TestCaptures.TESTDATA.resolve("qemu-nested");

    @Test
    void policiesNameTheVersionsTheOracleRan() throws IOException {
        assertEquals(List.of("qemu-7.2", "qemu-10.0", "qemu-11.1"), Qemu.versions().stream().map(Qemu::id).toList());
        assertEquals(List.of("QEMU 7.2", "QEMU 10.0", "QEMU 11.1"), Qemu.versions().stream().map(Qemu::label).toList());
        assertEquals(Qemu.versions(), VmmPolicy.registry().stream().filter(p -> p.family().equals("qemu")).toList(),
                "registry lists every QEMU version, oldest first");
        assertEquals(Qemu.V11_1, Qemu.DEFAULT);
        for (QemuVersion v : QemuVersion.all()) {
            List<Path> scenarios = scenarios(v);
            assertTrue(scenarios.size() >= 5, v + ": " + scenarios);
            for (Path s : scenarios) {
                // "QEMU emulator version 11.1.3 (Debian 1:11.1.3+ds-1~bpo13+1)" (qemu-system-x86_64 --version)
                Path banner = s.resolve("qemu-version.txt");
                assertEquals(v, QemuVersion.parse(banner.toString(), Files.readString(banner)), s.toString());
            }
        }
    }

    @Test
    void flatViewAndPciContainerAreTheSameInEveryVersion() throws IOException {
        int points = 0;
        for (Path s7 : scenarios(QemuVersion.V7_2)) {
            List<String> dumps;
            try (Stream<Path> files = Files.list(s7)) {
                dumps = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("-mtree-f.txt"))
                        .map(n -> n.substring(0, n.length() - "-mtree-f.txt".length())).sorted().toList();
            }
            assertFalse(dumps.isEmpty(), s7.toString());
            for (String d : dumps) {
                String flat = memoryFlatView(Files.readString(s7.resolve(d + "-mtree-f.txt")));
                String pci = pciContainer(Files.readString(s7.resolve(d + "-mtree.txt")));
                assertTrue(flat.lines().count() > 5 && pci.lines().count() > 3, s7 + " " + d);
                for (QemuVersion v : List.of(QemuVersion.V10_0, QemuVersion.V11_1)) {
                    Path sv = NESTED.resolve("qemu-" + v.series()).resolve(s7.getFileName());
                    String where = sv.getFileName() + "/" + d + ": QEMU " + v + " vs 7.2.22";
                    assertEquals(flat, memoryFlatView(Files.readString(sv.resolve(d + "-mtree-f.txt"))), where + " (info mtree -f)");
                    assertEquals(pci, pciContainer(Files.readString(sv.resolve(d + "-mtree.txt"))), where + " (info mtree, pci)");
                }
                points++;
            }
        }
        assertTrue(points >= 11, "dump points compared: " + points);
    }

    /**
     * The one stderr difference in a mapping situation: the vfio DMA listener's report of a section not aligned to
     * the host page names vfio_listener_region_add / _del in 7.2.22 and vfio_listener_valid_section in 10.0.13 and
     * 11.1.3 (b92f23763505, QEMU 8.0), as {@link QemuVersion#unalignedReporter} says; every run has such lines.
     */
    @Test
    void unalignedSectionReportsNameTheVersionsFunction() throws IOException {
        Pattern line = Pattern.compile("^qemu-system-x86_64: (\\w+) received unaligned region ", Pattern.MULTILINE);
        for (QemuVersion v : QemuVersion.all()) {
            var seen = new java.util.TreeSet<String>();
            for (Path s : scenarios(v)) {
                try (Stream<Path> files = Files.list(s)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith("-stderr.txt")).toList()) {
                        Matcher m = line.matcher(Files.readString(f));
                        while (m.find()) seen.add(m.group(1));
                    }
                }
            }
            var expected = new java.util.TreeSet<>(List.of(v.unalignedReporter(true), v.unalignedReporter(false)));
            assertEquals(expected, seen, "QEMU " + v);
        }
    }

    /** The scenario directories of one version's run (every directory but the outer host's capture). */
    static List<Path> scenarios(QemuVersion v) throws IOException {
        try (Stream<Path> s = Files.list(NESTED.resolve("qemu-" + v.series()))) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().equals("host-capture")).sorted().toList();
        }
    }

    /**
     * The ranges of the flat view whose " AS" lines include "memory" (system/memory.c mtree_print_flatview: "FlatView #N",
     * " AS \"NAME\", root: ROOT" lines, " Root memory region: ROOT", then the ranges). The FlatView numbers and the
     * other address spaces sharing it differ between releases and are left out.
     */
    static String memoryFlatView(String text) {
        var out = new ArrayList<String>();
        boolean inView = false, memory = false;
        for (String line : text.lines().toList()) {
            if (line.startsWith("FlatView #")) {
                if (memory) break;
                inView = true;
                out.clear();
                continue;
            }
            if (!inView) continue;
            if (line.startsWith(" AS ")) memory |= line.startsWith(" AS \"memory\",");
            else if (line.startsWith("  ")) out.add(line);
        }
        assertTrue(memory, "no flat view of AS \"memory\"");
        return String.join("\n", out);
    }

    private static final Pattern PCI_REGION = Pattern.compile("(?ms)^memory-region: pci\\n(.*?)(?:\\n\\n|\\z)");

    /** The "memory-region: pci" listing of {@code info mtree} (mtree_print for an alias target); the monitor ends lines with CR LF. */
    static String pciContainer(String text) {
        Matcher m = PCI_REGION.matcher(text.replace("\r\n", "\n"));
        assertTrue(m.find(), "no 'memory-region: pci' listing");
        return m.group(1);
    }
}
