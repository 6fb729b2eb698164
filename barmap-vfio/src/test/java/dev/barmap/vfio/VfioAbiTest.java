package dev.barmap.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.vfio.Errno;
import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Java side of the ABI against the C headers: vfio-abi.properties was printed by
 * src/test/c/vfio-abi.c from Debian bookworm's linux-libc-dev (see its first line). When gcc and
 * linux/vfio.h are present the program is also compiled and run afresh.
 */
class VfioAbiTest {

    /** Every fact the binding encodes, under the C name the generator prints. */
    static Map<String, Long> javaSide() {
        var m = new LinkedHashMap<String, Long>();
        m.put("VFIO_API_VERSION", (long) VfioAbi.VFIO_API_VERSION);
        m.put("VFIO_TYPE1_IOMMU", (long) IommuType.TYPE1.value());
        m.put("VFIO_TYPE1v2_IOMMU", (long) IommuType.TYPE1V2.value());
        m.put("VFIO_NOIOMMU_IOMMU", (long) IommuType.NOIOMMU.value());
        // request numbers as x86_64 encodes them (the generator runs on x86_64)
        m.put("VFIO_GET_API_VERSION", NativePlatform.io("x86_64", ';', 100));
        m.put("VFIO_CHECK_EXTENSION", NativePlatform.io("x86_64", ';', 101));
        m.put("VFIO_SET_IOMMU", NativePlatform.io("x86_64", ';', 102));
        m.put("VFIO_GROUP_GET_STATUS", NativePlatform.io("x86_64", ';', 103));
        m.put("VFIO_GROUP_SET_CONTAINER", NativePlatform.io("x86_64", ';', 104));
        m.put("VFIO_GROUP_UNSET_CONTAINER", NativePlatform.io("x86_64", ';', 105));
        m.put("VFIO_GROUP_GET_DEVICE_FD", NativePlatform.io("x86_64", ';', 106));
        m.put("VFIO_DEVICE_GET_INFO", NativePlatform.io("x86_64", ';', 107));
        m.put("VFIO_DEVICE_GET_REGION_INFO", NativePlatform.io("x86_64", ';', 108));
        m.put("VFIO_DEVICE_GET_IRQ_INFO", NativePlatform.io("x86_64", ';', 109));
        m.put("VFIO_DEVICE_RESET", NativePlatform.io("x86_64", ';', 111));
        m.put("VFIO_DEVICE_SET_IRQS", NativePlatform.io("x86_64", ';', 110));
        m.put("VFIO_IOMMU_GET_INFO", NativePlatform.io("x86_64", ';', 112));
        m.put("VFIO_IOMMU_MAP_DMA", NativePlatform.io("x86_64", ';', 113));
        m.put("VFIO_IOMMU_UNMAP_DMA", NativePlatform.io("x86_64", ';', 114));
        m.put("VFIO_IRQ_SET_DATA_NONE", (long) VfioAbi.VFIO_IRQ_SET_DATA_NONE);
        m.put("VFIO_IRQ_SET_DATA_BOOL", (long) VfioAbi.VFIO_IRQ_SET_DATA_BOOL);
        m.put("VFIO_IRQ_SET_DATA_EVENTFD", (long) VfioAbi.VFIO_IRQ_SET_DATA_EVENTFD);
        m.put("VFIO_IRQ_SET_ACTION_MASK", (long) VfioAbi.VFIO_IRQ_SET_ACTION_MASK);
        m.put("VFIO_IRQ_SET_ACTION_UNMASK", (long) VfioAbi.VFIO_IRQ_SET_ACTION_UNMASK);
        m.put("VFIO_IRQ_SET_ACTION_TRIGGER", (long) VfioAbi.VFIO_IRQ_SET_ACTION_TRIGGER);
        m.put("VFIO_IOMMU_INFO_PGSIZES", (long) VfioAbi.VFIO_IOMMU_INFO_PGSIZES);
        m.put("VFIO_IOMMU_INFO_CAPS", (long) VfioAbi.VFIO_IOMMU_INFO_CAPS);
        m.put("VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE", (long) VfioAbi.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
        m.put("VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL", (long) VfioAbi.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
        m.put("VFIO_DMA_MAP_FLAG_READ", (long) VfioAbi.VFIO_DMA_MAP_FLAG_READ);
        m.put("VFIO_DMA_MAP_FLAG_WRITE", (long) VfioAbi.VFIO_DMA_MAP_FLAG_WRITE);
        m.put("VFIO_PCI_INTX_IRQ_INDEX", (long) VfioAbi.VFIO_PCI_INTX_IRQ_INDEX);
        m.put("VFIO_PCI_MSI_IRQ_INDEX", (long) VfioAbi.VFIO_PCI_MSI_IRQ_INDEX);
        m.put("VFIO_GROUP_FLAGS_VIABLE", (long) VfioAbi.VFIO_GROUP_FLAGS_VIABLE);
        m.put("VFIO_GROUP_FLAGS_CONTAINER_SET", (long) VfioAbi.VFIO_GROUP_FLAGS_CONTAINER_SET);
        m.put("VFIO_DEVICE_FLAGS_RESET", (long) dev.barmap.model.vfio.DeviceInfo.FLAG_RESET);
        m.put("VFIO_DEVICE_FLAGS_PCI", (long) dev.barmap.model.vfio.DeviceInfo.FLAG_PCI);
        m.put("VFIO_REGION_INFO_FLAG_READ", (long) RegionInfo.FLAG_READ);
        m.put("VFIO_REGION_INFO_FLAG_WRITE", (long) RegionInfo.FLAG_WRITE);
        m.put("VFIO_REGION_INFO_FLAG_MMAP", (long) RegionInfo.FLAG_MMAP);
        m.put("VFIO_REGION_INFO_FLAG_CAPS", (long) RegionInfo.FLAG_CAPS);
        m.put("VFIO_REGION_INFO_CAP_SPARSE_MMAP", (long) VfioAbi.VFIO_REGION_INFO_CAP_SPARSE_MMAP);
        m.put("VFIO_REGION_INFO_CAP_TYPE", (long) VfioAbi.VFIO_REGION_INFO_CAP_TYPE);
        m.put("VFIO_REGION_INFO_CAP_MSIX_MAPPABLE", (long) VfioAbi.VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
        m.put("VFIO_IRQ_INFO_EVENTFD", (long) VfioAbi.VFIO_IRQ_INFO_EVENTFD);
        m.put("VFIO_IRQ_INFO_MASKABLE", (long) VfioAbi.VFIO_IRQ_INFO_MASKABLE);
        m.put("VFIO_IRQ_INFO_AUTOMASKED", (long) VfioAbi.VFIO_IRQ_INFO_AUTOMASKED);
        m.put("VFIO_IRQ_INFO_NORESIZE", (long) VfioAbi.VFIO_IRQ_INFO_NORESIZE);
        m.put("VFIO_PCI_ROM_REGION_INDEX", (long) VfioAbi.VFIO_PCI_ROM_REGION_INDEX);
        m.put("VFIO_PCI_CONFIG_REGION_INDEX", (long) VfioAbi.VFIO_PCI_CONFIG_REGION_INDEX);
        m.put("VFIO_PCI_VGA_REGION_INDEX", (long) VfioAbi.VFIO_PCI_VGA_REGION_INDEX);
        m.put("VFIO_PCI_NUM_REGIONS", (long) VfioAbi.VFIO_PCI_NUM_REGIONS);
        m.put("VFIO_PCI_MSIX_IRQ_INDEX", (long) VfioAbi.VFIO_PCI_MSIX_IRQ_INDEX);
        m.put("VFIO_PCI_NUM_IRQS", (long) VfioAbi.VFIO_PCI_NUM_IRQS);
        m.put("vfio_group_status.sizeof", (long) VfioAbi.GroupStatus.SIZEOF);
        m.put("vfio_group_status.argsz", (long) VfioAbi.GroupStatus.ARGSZ_OFFSET);
        m.put("vfio_group_status.flags", (long) VfioAbi.GroupStatus.FLAGS_OFFSET);
        m.put("vfio_device_info.sizeof", (long) VfioAbi.DeviceInfo.SIZEOF);
        m.put("vfio_device_info.argsz", (long) VfioAbi.DeviceInfo.ARGSZ_OFFSET);
        m.put("vfio_device_info.flags", (long) VfioAbi.DeviceInfo.FLAGS_OFFSET);
        m.put("vfio_device_info.num_regions", (long) VfioAbi.DeviceInfo.NUM_REGIONS_OFFSET);
        m.put("vfio_device_info.num_irqs", (long) VfioAbi.DeviceInfo.NUM_IRQS_OFFSET);
        m.put("vfio_device_info.cap_offset", (long) VfioAbi.DeviceInfo.CAP_OFFSET_OFFSET);
        m.put("vfio_region_info.sizeof", (long) VfioAbi.RegionInfo.SIZEOF);
        m.put("vfio_region_info.argsz", (long) VfioAbi.RegionInfo.ARGSZ_OFFSET);
        m.put("vfio_region_info.flags", (long) VfioAbi.RegionInfo.FLAGS_OFFSET);
        m.put("vfio_region_info.index", (long) VfioAbi.RegionInfo.INDEX_OFFSET);
        m.put("vfio_region_info.cap_offset", (long) VfioAbi.RegionInfo.CAP_OFFSET_OFFSET);
        m.put("vfio_region_info.size", (long) VfioAbi.RegionInfo.SIZE_OFFSET);
        m.put("vfio_region_info.offset", (long) VfioAbi.RegionInfo.OFFSET_OFFSET);
        m.put("vfio_info_cap_header.sizeof", (long) VfioAbi.CapHeader.SIZEOF);
        m.put("vfio_info_cap_header.id", (long) VfioAbi.CapHeader.ID_OFFSET);
        m.put("vfio_info_cap_header.version", (long) VfioAbi.CapHeader.VERSION_OFFSET);
        m.put("vfio_info_cap_header.next", (long) VfioAbi.CapHeader.NEXT_OFFSET);
        m.put("vfio_region_info_cap_sparse_mmap.sizeof", (long) VfioAbi.SparseMmapCap.SIZEOF);
        m.put("vfio_region_info_cap_sparse_mmap.nr_areas", (long) VfioAbi.SparseMmapCap.NR_AREAS_OFFSET);
        m.put("vfio_region_info_cap_sparse_mmap.areas", (long) VfioAbi.SparseMmapCap.AREAS_OFFSET);
        m.put("vfio_region_sparse_mmap_area.sizeof", (long) VfioAbi.SparseMmapCap.AREA_SIZEOF);
        m.put("vfio_region_sparse_mmap_area.offset", (long) VfioAbi.SparseMmapCap.AREA_OFFSET_OFFSET);
        m.put("vfio_region_sparse_mmap_area.size", (long) VfioAbi.SparseMmapCap.AREA_SIZE_OFFSET);
        m.put("vfio_region_info_cap_type.sizeof", (long) VfioAbi.TypeCap.SIZEOF);
        m.put("vfio_region_info_cap_type.type", (long) VfioAbi.TypeCap.TYPE_OFFSET);
        m.put("vfio_region_info_cap_type.subtype", (long) VfioAbi.TypeCap.SUBTYPE_OFFSET);
        m.put("vfio_irq_info.sizeof", (long) VfioAbi.IrqInfo.SIZEOF);
        m.put("vfio_irq_info.argsz", (long) VfioAbi.IrqInfo.ARGSZ_OFFSET);
        m.put("vfio_irq_info.flags", (long) VfioAbi.IrqInfo.FLAGS_OFFSET);
        m.put("vfio_irq_info.index", (long) VfioAbi.IrqInfo.INDEX_OFFSET);
        m.put("vfio_irq_info.count", (long) VfioAbi.IrqInfo.COUNT_OFFSET);
        m.put("vfio_irq_set.sizeof", (long) VfioAbi.IrqSet.SIZEOF);
        m.put("vfio_irq_set.argsz", (long) VfioAbi.IrqSet.ARGSZ_OFFSET);
        m.put("vfio_irq_set.flags", (long) VfioAbi.IrqSet.FLAGS_OFFSET);
        m.put("vfio_irq_set.index", (long) VfioAbi.IrqSet.INDEX_OFFSET);
        m.put("vfio_irq_set.start", (long) VfioAbi.IrqSet.START_OFFSET);
        m.put("vfio_irq_set.count", (long) VfioAbi.IrqSet.COUNT_OFFSET);
        m.put("vfio_irq_set.data", (long) VfioAbi.IrqSet.DATA_OFFSET);
        m.put("vfio_iommu_type1_info.sizeof", (long) VfioAbi.IommuType1Info.SIZEOF);
        m.put("vfio_iommu_type1_info.argsz", (long) VfioAbi.IommuType1Info.ARGSZ_OFFSET);
        m.put("vfio_iommu_type1_info.flags", (long) VfioAbi.IommuType1Info.FLAGS_OFFSET);
        m.put("vfio_iommu_type1_info.iova_pgsizes", (long) VfioAbi.IommuType1Info.IOVA_PGSIZES_OFFSET);
        m.put("vfio_iommu_type1_info.cap_offset", (long) VfioAbi.IommuType1Info.CAP_OFFSET_OFFSET);
        m.put("vfio_iommu_type1_info_cap_iova_range.sizeof", (long) VfioAbi.IovaRangeCap.SIZEOF);
        m.put("vfio_iommu_type1_info_cap_iova_range.nr_iovas", (long) VfioAbi.IovaRangeCap.NR_IOVAS_OFFSET);
        m.put("vfio_iommu_type1_info_cap_iova_range.iova_ranges", (long) VfioAbi.IovaRangeCap.RANGES_OFFSET);
        m.put("vfio_iova_range.sizeof", (long) VfioAbi.IovaRangeCap.RANGE_SIZEOF);
        m.put("vfio_iova_range.start", (long) VfioAbi.IovaRangeCap.RANGE_START_OFFSET);
        m.put("vfio_iova_range.end", (long) VfioAbi.IovaRangeCap.RANGE_END_OFFSET);
        m.put("vfio_iommu_type1_info_dma_avail.avail", (long) VfioAbi.IovaRangeCap.DMA_AVAIL_OFFSET);
        m.put("vfio_iommu_type1_dma_map.sizeof", (long) VfioAbi.DmaMap.SIZEOF);
        m.put("vfio_iommu_type1_dma_map.argsz", (long) VfioAbi.DmaMap.ARGSZ_OFFSET);
        m.put("vfio_iommu_type1_dma_map.flags", (long) VfioAbi.DmaMap.FLAGS_OFFSET);
        m.put("vfio_iommu_type1_dma_map.vaddr", (long) VfioAbi.DmaMap.VADDR_OFFSET);
        m.put("vfio_iommu_type1_dma_map.iova", (long) VfioAbi.DmaMap.IOVA_OFFSET);
        m.put("vfio_iommu_type1_dma_map.size", (long) VfioAbi.DmaMap.SIZE_OFFSET);
        m.put("vfio_iommu_type1_dma_unmap.sizeof", (long) VfioAbi.DmaUnmap.SIZEOF);
        m.put("vfio_iommu_type1_dma_unmap.argsz", (long) VfioAbi.DmaUnmap.ARGSZ_OFFSET);
        m.put("vfio_iommu_type1_dma_unmap.flags", (long) VfioAbi.DmaUnmap.FLAGS_OFFSET);
        m.put("vfio_iommu_type1_dma_unmap.iova", (long) VfioAbi.DmaUnmap.IOVA_OFFSET);
        m.put("vfio_iommu_type1_dma_unmap.size", (long) VfioAbi.DmaUnmap.SIZE_OFFSET);
        m.put("EFD_CLOEXEC", (long) LibC.EFD_CLOEXEC);
        m.put("EFD_NONBLOCK", (long) LibC.EFD_NONBLOCK);
        m.put("POLLIN", (long) LibC.POLLIN);
        m.put("pollfd.sizeof", (long) LibC.POLLFD_SIZEOF);
        m.put("pollfd.fd", (long) LibC.POLLFD_FD_OFFSET);
        m.put("pollfd.events", (long) LibC.POLLFD_EVENTS_OFFSET);
        m.put("pollfd.revents", (long) LibC.POLLFD_REVENTS_OFFSET);
        m.put("O_RDWR", (long) LibC.O_RDWR);
        m.put("O_CLOEXEC", (long) LibC.O_CLOEXEC);
        m.put("PROT_READ", (long) LibC.PROT_READ);
        m.put("PROT_WRITE", (long) LibC.PROT_WRITE);
        m.put("MAP_SHARED", (long) LibC.MAP_SHARED);
        m.put("MAP_PRIVATE", (long) LibC.MAP_PRIVATE);
        m.put("_SC_PAGESIZE", (long) LibC.SC_PAGESIZE);
        m.put("EPERM", (long) Errno.EPERM);
        m.put("ENOENT", (long) Errno.ENOENT);
        m.put("EIO", (long) Errno.EIO);
        m.put("EBADF", (long) Errno.EBADF);
        m.put("ENOMEM", (long) Errno.ENOMEM);
        m.put("EACCES", (long) Errno.EACCES);
        m.put("EFAULT", (long) Errno.EFAULT);
        m.put("EBUSY", (long) Errno.EBUSY);
        m.put("ENODEV", (long) Errno.ENODEV);
        m.put("EINVAL", (long) Errno.EINVAL);
        m.put("ENOTTY", (long) Errno.ENOTTY);
        m.put("ENOSPC", (long) Errno.ENOSPC);
        m.put("EINTR", (long) Errno.EINTR);
        m.put("EAGAIN", (long) Errno.EAGAIN);
        m.put("EEXIST", (long) Errno.EEXIST);
        return m;
    }

    static Map<String, Long> parse(Properties p) {
        var m = new LinkedHashMap<String, Long>();
        for (String k : p.stringPropertyNames()) m.put(k, Long.parseLong(p.getProperty(k).trim()));
        return m;
    }

    static void assertAgree(Map<String, Long> c, String source) {
        Map<String, Long> java = javaSide();
        int checked = 0;
        for (var e : java.entrySet()) {
            Long cv = c.get(e.getKey());
            if (cv == null) continue; // e.g. index constants the generator does not print
            assertEquals(cv, e.getValue(), e.getKey() + " (C header via " + source + ")");
            checked++;
        }
        assertTrue(checked >= 140, "only " + checked + " facts compared with " + source);
    }

    @Test
    void agreesWithTheCommittedHeaderDump() throws IOException {
        var p = new Properties();
        try (InputStream in = VfioAbiTest.class.getResourceAsStream("vfio-abi.properties")) {
            p.load(in);
        }
        assertAgree(parse(p), "vfio-abi.properties");
    }

    @Test
    void agreesWithTheHeadersOfThisMachine() throws Exception {
        Path src = Path.of("src/test/c/vfio-abi.c").toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/include/linux/vfio.h")) && Files.exists(src), "no linux/vfio.h");
        Assumptions.assumeTrue("x86_64".equals(NativePlatform.arch()), "the request-number expectations are x86_64's");
        Path exe = Files.createTempFile("vfio-abi", "");
        try {
            Process cc;
            try {
                cc = new ProcessBuilder("gcc", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
            } catch (IOException e) {
                Assumptions.abort("no gcc");
                return;
            }
            assertTrue(cc.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, cc.exitValue(), new String(cc.getInputStream().readAllBytes()));
            Process run = new ProcessBuilder(exe.toString()).start();
            var p = new Properties();
            p.load(run.getInputStream());
            assertTrue(run.waitFor(10, TimeUnit.SECONDS));
            assertAgree(parse(p), "gcc on this machine");
        } finally {
            Files.deleteIfExists(exe);
        }
    }

    @Test
    void requestNumbersAreIoSemicolon100PlusN() {
        assertEquals(0x3B64, NativePlatform.io("x86_64", ';', 100));
        assertEquals(0x3B6C, NativePlatform.io("x86_64", ';', 108));
        assertEquals(0x3B64, NativePlatform.io("aarch64", ';', 100));
        // powerpc: _IOC_NONE = 1 at _IOC_DIRSHIFT 29 (arch/powerpc/include/uapi/asm/ioctl.h)
        assertEquals(0x20003B64L, NativePlatform.io("ppc64le", ';', 100));
        if ("x86_64".equals(NativePlatform.arch())) {
            assertEquals(0x3B6CL, VfioAbi.VFIO_DEVICE_GET_REGION_INFO);
            assertEquals(0x3B6AL, VfioAbi.VFIO_GROUP_GET_DEVICE_FD);
        }
    }

    @Test
    void capabilityIdsMatchTheModel() {
        assertEquals(RegionCap.SPARSE_MMAP_ID, VfioAbi.VFIO_REGION_INFO_CAP_SPARSE_MMAP);
        assertEquals(RegionCap.TYPE_ID, VfioAbi.VFIO_REGION_INFO_CAP_TYPE);
        assertEquals(RegionCap.MSIX_MAPPABLE_ID, VfioAbi.VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
    }

    @Test
    void regionOffsetsAreIndexShiftedBy40() {
        assertEquals(0x60000000000L, (long) VfioAbi.VFIO_PCI_ROM_REGION_INDEX << VfioAbi.VFIO_PCI_OFFSET_SHIFT);
    }
}
