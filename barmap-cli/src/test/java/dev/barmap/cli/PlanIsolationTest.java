package dev.barmap.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.barmap.model.testing.BeyondBarVmm;
import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.Crosvm;
import dev.barmap.model.vmm.VmmPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The isolation guard fires through the CLI: {@code barmap plan} on a real capture, with its VMM list replaced
 * by a test-only VMM that maps a page beyond its BAR ({@link BeyondBarVmm}), reports the violation in JSON
 * and in text and exits 1. The allowed host range it is checked against is read from the capture's sysfs
 * {@code resource} file (what the real kernel reported), not from barmap.
 */
class PlanIsolationTest {
    static final Path CAPTURE = TestCaptures.CAPTURES.resolve("x86_64-4k-linux-packed");

    /**
     * barmap with {@code plan}'s --vmm answered by the broken VMM (built on crosvm's model: Firecracker's refuses
     * this capture's devices without MSI-X) whatever it says.
     */
    static CliRun planWithBrokenVmm(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        List<VmmPolicy> broken = List.of(new BeyondBarVmm(Crosvm.DEFAULT));
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == PlanCommand.class) return cls.cast(new PlanCommand(vmm -> broken));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        String[] all = new String[args.length + 1];
        all[0] = "plan";
        System.arraycopy(args, 0, all, 1, args.length);
        int rc = Main.run(all, new PrintWriter(out), new PrintWriter(err), factory);
        return new CliRun(rc, out.toString(), err.toString());
    }

    @Test
    void aVmmMappingAPageBeyondItsBarIsAViolationInJsonAndExitCode1() throws IOException {
        String root = TestCaptures.root(CAPTURE).toString();
        CliRun good = CliRun.of("plan", "--root", root, "--vmm", "crosvm", "--guest", "linux", "--format", "json");
        assertEquals(0, good.rc(), good.err());

        CliRun r = planWithBrokenVmm("--root", root, "--guest", "linux", "--format", "json");
        assertEquals(1, r.rc(), "isolation violated: exit 1\n" + r.err());
        assertEquals("", r.err());
        JsonNode got = new ObjectMapper().readTree(r.out());
        assertFalse(got.get("isolated").asBoolean());
        JsonNode vmm = got.get("vmms").get(0);
        assertEquals(BeyondBarVmm.ID, vmm.get("id").asText());
        assertFalse(vmm.get("isolated").asBoolean());
        assertEquals(1, vmm.get("violations").size(), vmm.toString());
        JsonNode v = vmm.get("violations").get(0);
        assertTrue(v.get("what").asText().contains("outside its BAR"), v.toString());

        // the owner's host BAR as the real kernel reported it: line <bar> of sysfs resource, "start end flags"
        String[] owner = v.get("owner").asText().split(" BAR");
        String line = Files.readAllLines(CAPTURE.resolve("sys/bus/pci/devices/" + owner[0] + "/resource")).get(Integer.parseInt(owner[1]));
        String[] f = line.trim().split("\\s+");
        // JSON ranges end inclusive (README "Ranges in JSON"), as sysfs writes them
        long start = Long.decode(f[0]), end = Long.decode(f[1]);
        assertTrue(end - start + 1 >= 4096, "a BAR of at least a page (no sub-page reservation): " + line);
        assertEquals(start, v.get("allowedStart").asLong());
        assertEquals(end, v.get("allowedEnd").asLong());
        long hostLast = v.get("hostStart").asLong() + v.get("size").asLong() - 1;
        assertTrue(v.get("hostStart").asLong() >= start && hostLast > end, "reaches past the BAR's end: " + v);

        CliRun text = planWithBrokenVmm("--root", root, "--guest", "linux");
        assertEquals(1, text.rc(), text.err());
        assertEquals(1, text.out().lines().filter(l -> l.startsWith("  ISOLATION VIOLATED: ")).count(), text.out());
    }
}
