package dev.barmap.model.plan;

import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.RegionInfos;
import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;
import dev.barmap.model.vmm.VmmPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class PlannerTest {
    @Test
    void optionValues() {
        assertEquals(VmmPolicy.registry(), Planner.vmms("all"));
        assertEquals(5, Planner.vmms("latest").size());
        assertEquals(List.of("qemu-7.2", "qemu-10.0", "qemu-11.1", "firecracker-pr6055"),
                Planner.vmms("qemu,firecracker").stream().map(VmmPolicy::id).toList());
        assertEquals("qemu-11.1", Planner.vmms("latest").getFirst().id(), "the newest QEMU is the default");
        assertEquals(List.of("cloud-hypervisor-51", "cloud-hypervisor-52", "crosvm-2025-07"),
                Planner.vmms("cloud-hypervisor,crosvm-2025-07").stream().map(VmmPolicy::id).toList());
        assertEquals(VmmPolicy.registry().size(), VmmPolicy.registry().stream().map(VmmPolicy::id).distinct().count(), "ids are unique");
        var e = assertThrows(IllegalArgumentException.class, () -> Planner.vmms("xen"));
        assertTrue(e.getMessage().contains("unknown VMM 'xen'"));
    }

    static List<String> ids(String spec) {
        return Planner.vmms(spec).stream().map(VmmPolicy::id).toList();
    }

    @Test
    void vmmRanges() {
        assertEquals(List.of("qemu-7.2", "qemu-10.0", "qemu-11.1"), ids("qemu-7.2..11.1"));
        assertEquals(List.of("qemu-7.2", "qemu-10.0", "qemu-11.1"), ids("qemu-7.2..qemu-11.1"));
        assertEquals(List.of("qemu-10.0", "qemu-11.1"), ids("qemu-10.0.."));
        assertEquals(List.of("qemu-7.2", "qemu-10.0"), ids("qemu-..10.0"));
        assertEquals(List.of("qemu-7.2", "qemu-10.0"), ids("qemu..10.0"));
        assertEquals(List.of("qemu-10.0"), ids("qemu-10.0..10.0"));
        assertEquals(ids("qemu"), ids("qemu-7.2..11.1"), "the whole range is the family");
        // generic by registry order, for any family
        assertEquals(List.of("cloud-hypervisor-51", "cloud-hypervisor-52"), ids("cloud-hypervisor-51..52"));
        assertEquals(List.of("crosvm-2025-07"), ids("crosvm-2025-07.."));
        assertEquals(List.of("qemu-10.0", "qemu-11.1", "crosvm-2024"), ids("qemu-10.0..,crosvm-..2024"));
        assertEquals(List.of("qemu-11.1", "qemu-10.0"), ids("qemu-11.1,qemu-10.0..11.1"), "each version once, where first named");

        for (var bad : List.of(
                List.of("qemu-11.1..7.2", "bad VMM range 'qemu-11.1..7.2': qemu-11.1 is newer than qemu-7.2"),
                List.of("qemu-7.2..12.0", "bad VMM range 'qemu-7.2..12.0': qemu-12.0 is not a modelled version (qemu-7.2, qemu-10.0, qemu-11.1)"),
                List.of("qemu-8.0..", "bad VMM range 'qemu-8.0..': qemu-8.0 is not a modelled version"),
                List.of("qemu-..", "bad VMM range 'qemu-..': give at least one end"),
                List.of("xen-1..2", "bad VMM range 'xen-1..2': it must start with a family"),
                List.of("qemu-7.2..crosvm-2024", "bad VMM range 'qemu-7.2..crosvm-2024': both ends must be versions of qemu"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> Planner.vmms(bad.get(0)), bad.get(0));
            assertTrue(e.getMessage().startsWith(bad.get(1)), e.getMessage());
        }
    }

    @Test
    void firmwareValues() {
        assertInstanceOf(SeaBios.class, Planner.firmware("seabios", f -> fail()));
        assertInstanceOf(LinuxAssign.class, Planner.firmware("linux", f -> fail()));
        var file = Planner.firmware("layout.txt", f -> "0000:00:05.0 0 febfa000\n");
        assertEquals("file:layout.txt", file.id());
        assertEquals(1, ((ExplicitLayout) file).addresses().size());
    }

    @Test
    void regionInfoAdapter() {
        var info = new RegionInfo(0, 0x4000, 0, RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE | RegionInfo.FLAG_MMAP | RegionInfo.FLAG_CAPS,
                List.of(new RegionCap.MsixMappable()));
        HostBar b = RegionInfos.hostBar(info, 0xfebe0000L, 0x140204);
        assertEquals(new HostBar(0, 0xfebe0000L, 0x4000, false, true, false, true, true, Optional.empty()), b);
        var sparse = new RegionInfo(2, 0x10000, 2L << 40, RegionInfo.FLAG_READ | RegionInfo.FLAG_MMAP | RegionInfo.FLAG_CAPS,
                List.of(new RegionCap.SparseMmap(List.of(new RegionCap.Area(0, 0x5000), new RegionCap.Area(0x6000, 0xa000)))));
        assertEquals(List.of(new MmapArea(0, 0x5000), new MmapArea(0x6000, 0xa000)), RegionInfos.hostBar(sparse, 0, 0x200).mmapAreas());
        var io = new RegionInfo(1, 0x100, 1L << 40, RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE, List.of());
        assertTrue(RegionInfos.hostBar(io, 0xc000, 0x40101).io());
    }
}
