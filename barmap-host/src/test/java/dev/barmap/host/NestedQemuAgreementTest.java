package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.testing.NestedRuns;
import dev.barmap.model.vmm.qemu.QemuVersion;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump;
import dev.barmap.model.vmm.qemu.scenario.Scenario;
import dev.barmap.model.vmm.qemu.scenario.ScenarioReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The QEMU model against real QEMU, run by the nested QEMU oracle (oracle/qemu/): for every committed run under
 * testdata/qemu-nested/qemu-VERSION/SCENARIO/ and every dump point of its scenario, the model replaying the
 * scenario on the outer host's devices (qemu-VERSION/host-capture, read as barmap reads a host) must print, for
 * the scenario's window, the same {@code info mtree -f} flat view lines of AS "memory" and the same
 * {@code info mtree} "memory-region: pci" lines as that QEMU did, and place every BAR where {@code info pci} shows
 * it. One dynamic test per run and dump; fails when there is no run at all, or a dump's real window is empty.
 */
class NestedQemuAgreementTest {
    private final Map<Path, Host> hosts = new ConcurrentHashMap<>();

    @TestFactory
    List<DynamicNode> everyDumpOfEveryRunAgreesWithRealQemu() {
        List<Path> runs = NestedRuns.runs();
        assertFalse(runs.isEmpty(), "no nested QEMU run (a directory with scenario.scn) under " + NestedRuns.ROOT.toAbsolutePath());
        var out = new ArrayList<DynamicNode>();
        for (Path run : runs) {
            String name = NestedRuns.name(run);
            Scenario s = Scenario.parse(run.resolve("scenario.scn").toString(), NestedRuns.read(run, "scenario.scn"));
            Supplier<Map<String, ScenarioReplay.Snapshot>> replay = memo(() -> {
                QemuVersion version = QemuVersion.parse(run.resolve("qemu-version.txt").toString(), NestedRuns.read(run, "qemu-version.txt"));
                Host host = host(run.getParent().resolve("host-capture"));
                Map<String, HostDevice> byBdf = new HashMap<>();
                for (HostDevice d : HostDevices.of(host)) byBdf.put(d.bdf(), d);
                var snaps = new HashMap<String, ScenarioReplay.Snapshot>();
                for (var snap : ScenarioReplay.run(s, bdf -> Optional.ofNullable(byBdf.get(bdf)), host.pageSize(), version)) snaps.put(snap.name(), snap);
                return snaps;
            });
            var tests = new ArrayList<DynamicNode>();
            for (Scenario.Step step : s.steps()) {
                if (!(step instanceof Scenario.Dump d)) continue;
                tests.add(dynamicTest(d.name(), () -> agree(run, s, d, replay.get().get(d.name()))));
            }
            out.add(dynamicContainer(name, tests));
        }
        return out;
    }

    private Host host(Path capture) {
        if (!Files.isDirectory(capture)) throw new AssertionError("missing " + capture + " (the outer host's capture)");
        return hosts.computeIfAbsent(capture, HostReader::read);
    }

    static void agree(Path run, Scenario s, Scenario.Dump d, ScenarioReplay.Snapshot model) {
        String where = NestedRuns.name(run) + " dump " + d.name() + " (scenario line " + d.line() + ")";
        String pciFile = d.name() + "-info-pci.txt", mtreeFile = d.name() + "-mtree.txt", flatFile = d.name() + "-mtree-f.txt";
        String pci = NestedRuns.read(run, pciFile), mtree = NestedRuns.read(run, mtreeFile), mtreeF = NestedRuns.read(run, flatFile);
        List<String> realFlat = NestedRuns.flatWindow(mtreeF, flatFile, s.lo(), s.hi());
        List<String> realPci = NestedRuns.pciWindow(mtree, mtreeFile, s.lo(), s.hi());
        assertFalse(realFlat.isEmpty(), where + ": " + flatFile + " has nothing in the window; the comparison would be vacuous");
        assertFalse(realPci.isEmpty(), where + ": " + mtreeFile + " has nothing in the window; the comparison would be vacuous");
        var problems = new ArrayList<String>();
        String flatDiff = NestedRuns.diff(realFlat, model.flat());
        if (!flatDiff.isEmpty()) problems.add("flat view (" + flatFile + ") differs:\n" + flatDiff);
        String pciDiff = NestedRuns.diff(realPci, model.pci());
        if (!pciDiff.isEmpty()) problems.add("pci container (" + mtreeFile + ") differs:\n" + pciDiff);
        // info pci: every BAR QEMU shows mapped (MonitorDump drops the unmapped ones, as inspect does), bus 0
        MonitorDump dump = MonitorDump.parseAll(where, List.of(pciFile, mtreeFile, flatFile), List.of(pci, mtree, mtreeF));
        List<String> realBars = dump.bars().stream().filter(b -> b.bus() == 0)
                .map(b -> String.format("%02x.%d BAR%d %s 0x%x size 0x%x", b.device(), b.function(), b.bar(), b.io() ? "I/O" : "mem", b.start(), b.size()))
                .sorted().toList();
        List<String> modelBars = model.bars().stream().map(Object::toString).sorted().toList();
        String barDiff = NestedRuns.diff(realBars, modelBars);
        if (!barDiff.isEmpty()) problems.add("BARs (" + pciFile + ") differ:\n" + barDiff);
        // stderr: the vfio listener's "received unaligned region" lines (the model's only stderr), in order, without
        // error_report's program-name prefix; QEMU's other messages (reset, dma-buf) are not modelled
        String stderrFile = d.name() + "-stderr.txt";
        List<String> realListener = NestedRuns.read(run, stderrFile).lines().filter(l -> l.contains(" received unaligned region "))
                .map(l -> l.substring(l.indexOf(": ") + 2)).toList();
        String listenerDiff = NestedRuns.diff(realListener, model.vfioListener());
        if (!listenerDiff.isEmpty()) problems.add("vfio listener messages (" + stderrFile + ") differ:\n" + listenerDiff);
        assertEquals("", String.join("\n", problems), where);
    }

    private static <T> Supplier<T> memo(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }
}
