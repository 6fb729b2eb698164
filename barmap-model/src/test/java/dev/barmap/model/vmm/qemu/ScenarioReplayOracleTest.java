package dev.barmap.model.vmm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.barmap.model.BadInputException;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.qemu.scenario.Scenario;
import dev.barmap.model.vmm.qemu.scenario.ScenarioReplay;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The scenario replay (config writes through {@link QemuPciFunction#writeConfig}) against the two real QEMU 7.2
 * runs of testdata/qemu: the BARs written where that run's {@code info pci} shows them, in the order
 * {@link QemuOracleTest} programs them, must give that run's flat view and pci container lines. The windows leave
 * out q35's ahci (1f.2), which a scenario cannot write.
 */
class ScenarioReplayOracleTest {
    static final Function<String, Optional<HostDevice>> HOSTS = bdf -> List.of(QemuOracleTest.rtl8139(),
            QemuOracleTest.i6300esb(), QemuOracleTest.ohci()).stream().filter(d -> d.bdf().equals(bdf)).findFirst();

    /** inner-cmd.txt of both runs: vfio 00:05.0 at 04.0, 00:06.0 at 05.0, 00:03.0 at 06.0, two i6300esb at 07.0 and 08.0. */
    static final String DEVICES = """
            vfio 04.0 host=0000:00:05.0
            vfio 05.0 host=0000:00:06.0
            vfio 06.0 host=0000:00:03.0
            emulated 07.0 i6300esb
            emulated 08.0 i6300esb
            """;

    @Test
    void seabiosOwnPages() throws IOException {
        // s1-info-pci.txt's addresses
        var s = Scenario.parse("own-pages.scn", "window 0xfebfa000 0xfebff000\n" + DEVICES + """
                write 04.0 0x10 4 0xfebfa000
                write 04.0 0x04 2 0x3
                write 05.0 0x10 4 0xfebfb000
                write 05.0 0x04 2 0x3
                write 06.0 0x10 4 0xc000
                write 06.0 0x14 4 0xfebfc000
                write 06.0 0x04 2 0x3
                write 07.0 0x10 4 0xfebfd000
                write 07.0 0x04 2 0x3
                write 08.0 0x10 4 0xfebfe000
                write 08.0 0x04 2 0x3
                dump s1
                """);
        var snap = ScenarioReplay.run(s, HOSTS, 4096, QemuVersion.V7_2).getFirst();
        String dir = "qemu7.2-seabios-own-pages/s1";
        List<String> flat = QemuOracleTest.oracleFlat(dir, s.lo(), s.hi());
        assertFalse(flat.isEmpty());
        assertEquals(flat, snap.flat());
        assertEquals(QemuOracleTest.oracleMtreePci(dir, s.lo(), s.hi()), snap.pci());
        assertEquals(List.of("04.0 BAR0 mem 0xfebfa000 size 0x10", "05.0 BAR0 mem 0xfebfb000 size 0x100",
                        "06.0 BAR0 I/O 0xc000 size 0x100", "06.0 BAR1 mem 0xfebfc000 size 0x100",
                        "07.0 BAR0 mem 0xfebfd000 size 0x10", "08.0 BAR0 mem 0xfebfe000 size 0x10"),
                snap.bars().stream().map(Object::toString).toList());
    }

    @Test
    void linuxPacked() throws IOException {
        // s3-info-pci.txt's addresses, programmed in QemuOracleTest's order
        var s = Scenario.parse("packed.scn", "window 0x8001000 0x8002000\n" + DEVICES + """
                write 04.0 0x10 4 0x8001200
                write 04.0 0x04 2 0x3
                write 05.0 0x10 4 0x8001000
                write 05.0 0x04 2 0x3
                write 06.0 0x10 4 0x1000
                write 06.0 0x14 4 0x8001100
                write 06.0 0x04 2 0x3
                write 07.0 0x10 4 0x8001210
                write 07.0 0x04 2 0x3
                write 08.0 0x10 4 0x8001220
                write 08.0 0x04 2 0x3
                dump s3
                """);
        var snap = ScenarioReplay.run(s, HOSTS, 4096, QemuVersion.V7_2).getFirst();
        String dir = "qemu7.2-linux-packed/s3";
        List<String> flat = QemuOracleTest.oracleFlat(dir, s.lo(), s.hi());
        assertEquals(6, flat.size());
        assertEquals(flat, snap.flat());
        assertEquals(QemuOracleTest.oracleMtreePci(dir, s.lo(), s.hi()), snap.pci());
    }

    @Test
    void aHostTheOuterMachineLacksIsNamedOnItsLine() {
        var s = Scenario.parse("x.scn", "window 0 1\nvfio 04.0 host=0000:00:09.0\ndump d\n");
        assertEquals("x.scn:2: the outer host has no passthrough device 0000:00:09.0 with a BAR",
                assertThrows(BadInputException.class, () -> ScenarioReplay.run(s, HOSTS, 4096, QemuVersion.V7_2)).getMessage());
        var bad = Scenario.parse("y.scn", "window 0 1\nvfio 04.0 host=0000:00:05.0 x-msix-relocation=bar9\ndump d\n");
        assertEquals("y.scn:2: x-msix-relocation=bar9: expected off or bar0..bar5",
                assertThrows(BadInputException.class, () -> ScenarioReplay.run(bad, HOSTS, 4096, QemuVersion.V7_2)).getMessage());
        var rom = Scenario.parse("z.scn", "window 0 1\nemulated 07.0 i6300esb\nwrite 07.0 0x30 4 0\ndump d\n");
        assertEquals("z.scn:3: the expansion ROM register (0x30) is not modelled",
                assertThrows(BadInputException.class, () -> ScenarioReplay.run(rom, HOSTS, 4096, QemuVersion.V7_2)).getMessage());
    }
}
