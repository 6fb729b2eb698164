package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.cli.report.Outputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The format registries: what --format's usage lists is exactly what each command writes; the rest is a clean usage error. */
class OutputsTest {
    static final String CAPTURE = "../testdata/captures/x86_64-4k-linux-packed";
    static final String CONSOLE = "../testdata/hotplug/x86_64-4k-q35br-none/console.log";

    static final Map<String, Outputs<?>> REGISTRIES = Map.of("scan", ScanCommand.OUTPUTS, "plan", PlanCommand.OUTPUTS, "audit", AuditCommand.OUTPUTS,
            "hotplug", HotplugCommand.OUTPUTS, "inspect", InspectCommand.OUTPUTS);
    static final String QEMU_RUN = "../testdata/qemu/qemu7.2-linux-packed/s3-";

    static List<String> args(String command, Format f) {
        return switch (command) {
            case "hotplug" -> List.of("hotplug", "--console", CONSOLE, "--add", "0000:02:256", "--format", f.name());
            case "inspect" -> List.of("inspect", QEMU_RUN + "info-pci.txt", QEMU_RUN + "mtree.txt", QEMU_RUN + "mtree-f.txt", "--format", f.name());
            default -> List.of(command, "--root", CAPTURE, "--format", f.name());
        };
    }

    @Test
    void usageListsExactlyTheFormatsEachCommandWrites() {
        for (var e : REGISTRIES.entrySet()) {
            String usage = CliRun.of(e.getKey(), "--help").out().replaceAll("\\s+", " ");
            Matcher m = Pattern.compile("--format=FORMAT ([a-z, ]+);").matcher(usage);
            assertTrue(m.find(), usage);
            List<String> listed = List.of(m.group(1).split(", "));
            List<String> has = java.util.Arrays.stream(Format.values()).filter(e.getValue()::has).map(Enum::name).toList();
            assertEquals(has, listed, e.getKey());
            for (Format f : Format.values()) {
                CliRun r = CliRun.of(args(e.getKey(), f).toArray(String[]::new));
                if (e.getValue().has(f)) {
                    assertTrue(r.rc() == 0 || r.rc() == 1, e.getKey() + " " + f + ": " + r.err());
                    assertFalse(r.out().isBlank(), e.getKey() + " " + f);
                } else {
                    assertEquals(2, r.rc(), e.getKey() + " " + f);
                    // the one error line of the exit-code contract (Main.fail): "barmap: error: " and the message
                    assertTrue(r.err().startsWith("barmap: error: --format " + f + ": " + e.getKey() + " writes " + String.join(" or ", String.join(", ",
                            listed.subList(0, listed.size() - 1)), listed.getLast())), r.err());
                    assertTrue(r.out().isEmpty(), "nothing written on a refused format");
                }
            }
        }
        assertTrue(ScanCommand.OUTPUTS.has(Format.html), "scan has the HTML page map");
    }

    @Test
    void versionComesFromTheBuild() throws Exception {
        // the version Maven builds: the parent version in barmap-cli/pom.xml
        Matcher m = Pattern.compile("(?s)<parent>.*?<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find());
        CliRun r = CliRun.of("--version");
        assertEquals("barmap " + m.group(1), r.out().strip());
        assertEquals("barmap " + m.group(1), CliRun.of("scan", "--version").out().strip());
    }
}
