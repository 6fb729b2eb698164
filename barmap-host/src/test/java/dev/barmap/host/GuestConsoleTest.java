package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.alloc.PciBuses;
import dev.barmap.model.BadInputException;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.resource.IoResource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestConsoleTest {
    static final Path OPEN = Path.of("../testdata/hotplug/x86_64-4k-q35br-open/console.log");

    @Test
    void extractsTheBootHostAndTheHotAdd() {
        GuestConsole c = GuestConsole.read(OPEN);
        assertEquals("6.1.0-56-amd64", c.kernel().toString());
        assertEquals(List.of("0000:00:00.0", "0000:00:04.0", "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0", "0000:02:01.0"),
                c.functions().keySet().stream().map(Bdf::toString).toList());
        var br = c.functions().get(Bdf.parse("0000:00:04.0"));
        assertEquals(0x100000000L, br.resource(15).start());
        assertEquals(0x102201L, br.resource(15).flags());
        assertEquals(0x060400, br.classCode());
        assertTrue(c.bootIomem().startsWith("00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n"));
        assertTrue(c.bootIomem().contains("\n      40000000-4000000f : 0000:02:01.0\n"), "depth kept");
        assertEquals(31, c.bootIomem().lines().count());
        // console.log: "pci_bus 0000:00: root bus resource [io  0x0000-0x0cf7 window]", [io  0x0d00-0xffff window], then four [mem ...]
        assertEquals(6, c.rootWindows().size(), "root bus resources, I/O and memory");
        assertEquals(List.of(IoResource.IO | IoResource.WINDOW, IoResource.IO | IoResource.WINDOW), c.rootWindows().subList(0, 2).stream().map(PciBuses.RootWindow::flags).toList());
        assertEquals(0xd00L, c.rootWindows().get(1).start());
        assertEquals(0xffffL, c.rootWindows().get(1).end());
        var w = c.rootWindows().get(5);
        assertEquals(0x100000000L, w.start());
        assertEquals(0x8ffffffffL, w.end());
        assertEquals(IoResource.MEM | IoResource.WINDOW, w.flags());
        assertEquals(Bdf.parse("0000:02:02.0"), c.hotAdded().orElseThrow());
        assertEquals(0x100L, c.hotAddedFound().get(0).resourceSize());
        assertEquals(0x40001000L, c.hotAddedAssigned().get(0).start());
        assertTrue(c.iomemAfterHotAdd().orElseThrow().contains("      40001000-400010ff : 0000:02:02.0\n"));
        assertTrue(c.host().notes().isEmpty(), c.host().notes().toString());
    }

    @Test
    void noIomemSectionIsBadInputNamingTheFile() {
        var e = assertThrows(BadInputException.class, () -> GuestConsole.parse("c.log",
                "GUEST: kernel 6.1.0; cmdline: x\nGUEST: ----- PCI devices at boot -----\nGUEST: dev 0000:00:00.0 vendor=0x8086 device=0x29c0 class=0x060000 driver=- iommu_group=0\n"));
        assertEquals("c.log", e.file());
        assertTrue(e.problem().contains("/proc/iomem at boot"), e.problem());
    }

    @Test
    void aGarbledDeviceLineIsBadInputWithItsLineNumber() {
        var e = assertThrows(BadInputException.class, () -> GuestConsole.parse("c.log",
                "GUEST: kernel 6.1.0; cmdline: x\nGUEST: ----- PCI devices at boot -----\nGUEST:    res[0] 0x1 0x2 0x200\n"));
        assertEquals(3, e.line());
        var e2 = assertThrows(BadInputException.class, () -> GuestConsole.parse("c.log",
                "GUEST: kernel 6.1.0; cmdline: x\nGUEST: ----- PCI devices at boot -----\nGUEST: dev zz vendor=0x1 device=0x2 class=0x3 driver=- iommu_group=0\n"));
        assertEquals(3, e2.line());
    }

    @Test
    void resourceStringsParseLikePercentPR() {
        long[] r = GuestConsole.pR("f", 1, "[mem 0x100000000-0x1001fffff 64bit pref]");
        assertArrayEquals(new long[] {0x100000000L, 0x1001fffffL, IoResource.MEM | IoResource.MEM_64 | IoResource.PREFETCH}, r);
        // "[io  " with two spaces, as lib/vsprintf.c resource_string prints it (root bus I/O windows)
        assertArrayEquals(new long[] {0xd00L, 0xffffL, IoResource.IO | IoResource.WINDOW}, GuestConsole.pR("f", 1, "[io  0x0d00-0xffff window]"));
        assertThrows(BadInputException.class, () -> GuestConsole.pR("f", 1, "[irq 0x1-0x2]"));
        assertThrows(BadInputException.class, () -> GuestConsole.pR("f", 1, "[mem 0x1-0x2 disabled]"));
    }
}
