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
        assertEquals(List.of("qemu-7.2", "firecracker-pr6055"), Planner.vmms("qemu,firecracker").stream().map(VmmPolicy::id).toList());
        assertEquals(List.of("cloud-hypervisor-51", "cloud-hypervisor-52", "crosvm-2025-07"),
                Planner.vmms("cloud-hypervisor,crosvm-2025-07").stream().map(VmmPolicy::id).toList());
        assertEquals(VmmPolicy.registry().size(), VmmPolicy.registry().stream().map(VmmPolicy::id).distinct().count(), "ids are unique");
        var e = assertThrows(IllegalArgumentException.class, () -> Planner.vmms("xen"));
        assertTrue(e.getMessage().contains("unknown VMM 'xen'"));
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
