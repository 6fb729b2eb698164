package dev.barmap.vfio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The VFIO user ABI of include/uapi/linux/vfio.h (Linux 6.1, checked against Debian's linux-libc-dev
 * by VfioAbiTest): request numbers, constants and, as Agrona-style descriptor classes, the binary
 * layout of each struct with its offsets as constants and static accessors on a {@link MemorySegment}.
 * All fields are native-endian (the kernel copies the struct as is).
 */
public final class VfioAbi {
    private VfioAbi() {}

    /** {@code VFIO_TYPE} (';') and {@code VFIO_BASE} (100): every VFIO request is {@code _IO(';', 100 + n)}. */
    public static final char VFIO_TYPE = ';';
    public static final int VFIO_BASE = 100;

    public static final int VFIO_API_VERSION = 0;

    public static final long VFIO_GET_API_VERSION = NativePlatform.io(VFIO_TYPE, VFIO_BASE);
    public static final long VFIO_CHECK_EXTENSION = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 1);
    public static final long VFIO_SET_IOMMU = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 2);
    public static final long VFIO_GROUP_GET_STATUS = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 3);
    public static final long VFIO_GROUP_SET_CONTAINER = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 4);
    public static final long VFIO_GROUP_UNSET_CONTAINER = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 5);
    public static final long VFIO_GROUP_GET_DEVICE_FD = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 6);
    public static final long VFIO_DEVICE_GET_INFO = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 7);
    public static final long VFIO_DEVICE_GET_REGION_INFO = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 8);
    public static final long VFIO_DEVICE_GET_IRQ_INFO = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 9);
    public static final long VFIO_DEVICE_SET_IRQS = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 10);
    public static final long VFIO_DEVICE_RESET = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 11);
    public static final long VFIO_IOMMU_GET_INFO = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 12);
    public static final long VFIO_IOMMU_MAP_DMA = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 13);
    public static final long VFIO_IOMMU_UNMAP_DMA = NativePlatform.io(VFIO_TYPE, VFIO_BASE + 14);

    public static final int VFIO_GROUP_FLAGS_VIABLE = 1;
    public static final int VFIO_GROUP_FLAGS_CONTAINER_SET = 2;

    public static final int VFIO_REGION_INFO_CAP_SPARSE_MMAP = 1;
    public static final int VFIO_REGION_INFO_CAP_TYPE = 2;
    public static final int VFIO_REGION_INFO_CAP_MSIX_MAPPABLE = 3;

    public static final int VFIO_IRQ_INFO_EVENTFD = 1;
    public static final int VFIO_IRQ_INFO_MASKABLE = 2;
    public static final int VFIO_IRQ_INFO_AUTOMASKED = 4;
    public static final int VFIO_IRQ_INFO_NORESIZE = 8;

    public static final int VFIO_IRQ_SET_DATA_NONE = 1;
    public static final int VFIO_IRQ_SET_DATA_BOOL = 2;
    public static final int VFIO_IRQ_SET_DATA_EVENTFD = 4;
    public static final int VFIO_IRQ_SET_ACTION_MASK = 8;
    public static final int VFIO_IRQ_SET_ACTION_UNMASK = 16;
    public static final int VFIO_IRQ_SET_ACTION_TRIGGER = 32;

    public static final int VFIO_IOMMU_INFO_PGSIZES = 1;
    public static final int VFIO_IOMMU_INFO_CAPS = 2;
    public static final int VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
    public static final int VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL = 3;
    public static final int VFIO_DMA_MAP_FLAG_READ = 1;
    public static final int VFIO_DMA_MAP_FLAG_WRITE = 2;

    /** VFIO_PCI_*_REGION_INDEX and VFIO_PCI_*_IRQ_INDEX. */
    public static final int VFIO_PCI_ROM_REGION_INDEX = 6;
    public static final int VFIO_PCI_CONFIG_REGION_INDEX = 7;
    public static final int VFIO_PCI_VGA_REGION_INDEX = 8;
    public static final int VFIO_PCI_NUM_REGIONS = 9;
    public static final int VFIO_PCI_INTX_IRQ_INDEX = 0;
    public static final int VFIO_PCI_MSI_IRQ_INDEX = 1;
    public static final int VFIO_PCI_MSIX_IRQ_INDEX = 2;
    public static final int VFIO_PCI_NUM_IRQS = 5;

    /** VFIO_PCI_OFFSET_SHIFT (include/linux/vfio_pci_core.h): region {@code i} starts at {@code i << 40} in the device fd. */
    public static final int VFIO_PCI_OFFSET_SHIFT = 40;

    static int u32(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_INT_UNALIGNED, off); }
    static void u32(MemorySegment s, long off, int v) { s.set(ValueLayout.JAVA_INT_UNALIGNED, off, v); }
    static long u64(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_LONG_UNALIGNED, off); }
    static void u64(MemorySegment s, long off, long v) { s.set(ValueLayout.JAVA_LONG_UNALIGNED, off, v); }
    static int u16(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xffff; }

    /**
     * {@code struct vfio_group_status} (VFIO_GROUP_GET_STATUS):
     * <pre>
     *   0                   1                   2                   3
     *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |                         flags (u32)                           | 4
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class GroupStatus {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int SIZEOF = 8;

        private GroupStatus() {}

        public static void argsz(MemorySegment s, int v) { u32(s, ARGSZ_OFFSET, v); }
        public static int flags(MemorySegment s) { return u32(s, FLAGS_OFFSET); }
    }

    /**
     * {@code struct vfio_device_info} (VFIO_DEVICE_GET_INFO):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |                         flags (u32)  RESET=1 PCI=2 ... CAPS=128| 4
     *  +---------------------------------------------------------------+
     *  |                      num_regions (u32)                        | 8
     *  +---------------------------------------------------------------+
     *  |                        num_irqs (u32)                         | 12
     *  +---------------------------------------------------------------+
     *  |                       cap_offset (u32)                        | 16
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class DeviceInfo {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int NUM_REGIONS_OFFSET = 8;
        public static final int NUM_IRQS_OFFSET = 12;
        public static final int CAP_OFFSET_OFFSET = 16;
        public static final int SIZEOF = 20;

        private DeviceInfo() {}

        public static void argsz(MemorySegment s, int v) { u32(s, ARGSZ_OFFSET, v); }
        public static int flags(MemorySegment s) { return u32(s, FLAGS_OFFSET); }
        public static int numRegions(MemorySegment s) { return u32(s, NUM_REGIONS_OFFSET); }
        public static int numIrqs(MemorySegment s) { return u32(s, NUM_IRQS_OFFSET); }
    }

    /**
     * {@code struct vfio_region_info} (VFIO_DEVICE_GET_REGION_INFO), followed by the capability chain
     * when {@code flags & CAPS}; the kernel raises {@code argsz} to the size it needs when the caller's
     * buffer was too small for the chain (and then leaves {@code cap_offset} 0):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |              flags (u32)  READ=1 WRITE=2 MMAP=4 CAPS=8        | 4
     *  +---------------------------------------------------------------+
     *  |                         index (u32)                           | 8
     *  +---------------------------------------------------------------+
     *  |                       cap_offset (u32)                        | 12
     *  +---------------------------------------------------------------+
     *  |                                                               | 16
     *  +                          size (u64)                           +
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |                                                               | 24
     *  +                         offset (u64)                          +
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |            capability chain (vfio_info_cap_header ...)        | 32
     * </pre>
     */
    public static final class RegionInfo {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int INDEX_OFFSET = 8;
        public static final int CAP_OFFSET_OFFSET = 12;
        public static final int SIZE_OFFSET = 16;
        public static final int OFFSET_OFFSET = 24;
        public static final int SIZEOF = 32;

        private RegionInfo() {}

        public static int argsz(MemorySegment s) { return u32(s, ARGSZ_OFFSET); }
        public static void argsz(MemorySegment s, int v) { u32(s, ARGSZ_OFFSET, v); }
        public static int flags(MemorySegment s) { return u32(s, FLAGS_OFFSET); }
        public static void index(MemorySegment s, int v) { u32(s, INDEX_OFFSET, v); }
        public static int capOffset(MemorySegment s) { return u32(s, CAP_OFFSET_OFFSET); }
        public static long size(MemorySegment s) { return u64(s, SIZE_OFFSET); }
        public static long offset(MemorySegment s) { return u64(s, OFFSET_OFFSET); }
    }

    /**
     * {@code struct vfio_info_cap_header}: every capability starts with it; {@code next} is the offset of
     * the next one from the start of the enclosing info struct, 0 at the end of the chain.
     * <pre>
     *  +-------------------------------+-------------------------------+
     *  |           id (u16)            |         version (u16)         | 0
     *  +-------------------------------+-------------------------------+
     *  |                          next (u32)                           | 4
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class CapHeader {
        public static final int ID_OFFSET = 0;
        public static final int VERSION_OFFSET = 2;
        public static final int NEXT_OFFSET = 4;
        public static final int SIZEOF = 8;

        private CapHeader() {}

        public static int id(MemorySegment s, long at) { return u16(s, at + ID_OFFSET); }
        public static int version(MemorySegment s, long at) { return u16(s, at + VERSION_OFFSET); }
        public static int next(MemorySegment s, long at) { return u32(s, at + NEXT_OFFSET); }
    }

    /**
     * {@code struct vfio_region_info_cap_sparse_mmap} (id 1) and its {@code vfio_region_sparse_mmap_area}s:
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                  header (vfio_info_cap_header)                | 0
     *  +---------------------------------------------------------------+
     *  |                        nr_areas (u32)                         | 8
     *  +---------------------------------------------------------------+
     *  |                        reserved (u32)                         | 12
     *  +---------------------------------------------------------------+
     *  |  areas[i]: offset (u64) at 16 + 16 i, size (u64) at 24 + 16 i | 16
     * </pre>
     */
    public static final class SparseMmapCap {
        public static final int NR_AREAS_OFFSET = 8;
        public static final int AREAS_OFFSET = 16;
        public static final int SIZEOF = 16;
        public static final int AREA_OFFSET_OFFSET = 0;
        public static final int AREA_SIZE_OFFSET = 8;
        public static final int AREA_SIZEOF = 16;

        private SparseMmapCap() {}

        public static int nrAreas(MemorySegment s, long at) { return u32(s, at + NR_AREAS_OFFSET); }
        public static long areaOffset(MemorySegment s, long at, int i) { return u64(s, at + AREAS_OFFSET + (long) i * AREA_SIZEOF + AREA_OFFSET_OFFSET); }
        public static long areaSize(MemorySegment s, long at, int i) { return u64(s, at + AREAS_OFFSET + (long) i * AREA_SIZEOF + AREA_SIZE_OFFSET); }
    }

    /**
     * {@code struct vfio_region_info_cap_type} (id 2):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                  header (vfio_info_cap_header)                | 0
     *  +---------------------------------------------------------------+
     *  |                          type (u32)                           | 8
     *  +---------------------------------------------------------------+
     *  |                        subtype (u32)                          | 12
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class TypeCap {
        public static final int TYPE_OFFSET = 8;
        public static final int SUBTYPE_OFFSET = 12;
        public static final int SIZEOF = 16;

        private TypeCap() {}

        public static int type(MemorySegment s, long at) { return u32(s, at + TYPE_OFFSET); }
        public static int subtype(MemorySegment s, long at) { return u32(s, at + SUBTYPE_OFFSET); }
    }

    /**
     * {@code struct vfio_irq_info} (VFIO_DEVICE_GET_IRQ_INFO):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |   flags (u32)  EVENTFD=1 MASKABLE=2 AUTOMASKED=4 NORESIZE=8   | 4
     *  +---------------------------------------------------------------+
     *  |                         index (u32)                           | 8
     *  +---------------------------------------------------------------+
     *  |                         count (u32)                           | 12
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class IrqInfo {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int INDEX_OFFSET = 8;
        public static final int COUNT_OFFSET = 12;
        public static final int SIZEOF = 16;

        private IrqInfo() {}

        public static void argsz(MemorySegment s, int v) { u32(s, ARGSZ_OFFSET, v); }
        public static void index(MemorySegment s, int v) { u32(s, INDEX_OFFSET, v); }
        public static int flags(MemorySegment s) { return u32(s, FLAGS_OFFSET); }
        public static int count(MemorySegment s) { return u32(s, COUNT_OFFSET); }
    }

    /**
     * {@code struct vfio_irq_set} (VFIO_DEVICE_SET_IRQS), followed by {@code count} data elements: nothing
     * (DATA_NONE), one byte each (DATA_BOOL) or one {@code __s32} eventfd each (DATA_EVENTFD, -1 = unassign):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  | flags (u32) DATA_NONE=1 BOOL=2 EVENTFD=4 MASK=8 UNMASK=16 TRIGGER=32 | 4
     *  +---------------------------------------------------------------+
     *  |                         index (u32)                           | 8
     *  +---------------------------------------------------------------+
     *  |                         start (u32)                           | 12
     *  +---------------------------------------------------------------+
     *  |                         count (u32)                           | 16
     *  +---------------------------------------------------------------+
     *  |                  data[] (u8 / s32 per element)                | 20
     * </pre>
     */
    public static final class IrqSet {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int INDEX_OFFSET = 8;
        public static final int START_OFFSET = 12;
        public static final int COUNT_OFFSET = 16;
        public static final int DATA_OFFSET = 20;
        public static final int SIZEOF = 20;

        private IrqSet() {}

        /** Fills the header; {@code argsz} = header + {@code dataBytes}. */
        public static void header(MemorySegment s, int flags, int index, int start, int count, int dataBytes) {
            u32(s, ARGSZ_OFFSET, SIZEOF + dataBytes);
            u32(s, FLAGS_OFFSET, flags);
            u32(s, INDEX_OFFSET, index);
            u32(s, START_OFFSET, start);
            u32(s, COUNT_OFFSET, count);
        }

        public static void eventfd(MemorySegment s, int i, int fd) { u32(s, DATA_OFFSET + 4L * i, fd); }
    }

    /**
     * {@code struct vfio_iommu_type1_info} (VFIO_IOMMU_GET_INFO on a type1 container), followed by its
     * capability chain when {@code flags & CAPS}; as for region info, the kernel raises {@code argsz} when
     * the chain does not fit (vfio_iommu_type1_get_info(), drivers/vfio/vfio_iommu_type1.c, 6.1):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |                flags (u32)  PGSIZES=1 CAPS=2                  | 4
     *  +---------------------------------------------------------------+
     *  |                                                               | 8
     *  +                      iova_pgsizes (u64)                       +
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |                       cap_offset (u32)                        | 16
     *  +---------------------------------------------------------------+
     *  |                     (padding to 8 bytes)                      | 20
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class IommuType1Info {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int IOVA_PGSIZES_OFFSET = 8;
        public static final int CAP_OFFSET_OFFSET = 16;
        public static final int SIZEOF = 24;

        private IommuType1Info() {}

        public static int argsz(MemorySegment s) { return u32(s, ARGSZ_OFFSET); }
        public static void argsz(MemorySegment s, int v) { u32(s, ARGSZ_OFFSET, v); }
        public static int flags(MemorySegment s) { return u32(s, FLAGS_OFFSET); }
        public static long iovaPgsizes(MemorySegment s) { return u64(s, IOVA_PGSIZES_OFFSET); }
        public static int capOffset(MemorySegment s) { return u32(s, CAP_OFFSET_OFFSET); }
    }

    /**
     * {@code struct vfio_iommu_type1_info_cap_iova_range} (id 1) and its {@code vfio_iova_range}s
     * (inclusive {@code end}):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                  header (vfio_info_cap_header)                | 0
     *  +---------------------------------------------------------------+
     *  |                        nr_iovas (u32)                         | 8
     *  +---------------------------------------------------------------+
     *  |                        reserved (u32)                         | 12
     *  +---------------------------------------------------------------+
     *  | iova_ranges[i]: start (u64) at 16 + 16 i, end (u64) at 24 + 16 i | 16
     * </pre>
     * {@code struct vfio_iommu_type1_info_dma_avail} (id 3): header, then {@code avail} (u32) at 8.
     */
    public static final class IovaRangeCap {
        public static final int NR_IOVAS_OFFSET = 8;
        public static final int RANGES_OFFSET = 16;
        public static final int SIZEOF = 16;
        public static final int RANGE_START_OFFSET = 0;
        public static final int RANGE_END_OFFSET = 8;
        public static final int RANGE_SIZEOF = 16;
        public static final int DMA_AVAIL_OFFSET = 8;

        private IovaRangeCap() {}

        public static int nrIovas(MemorySegment s, long at) { return u32(s, at + NR_IOVAS_OFFSET); }
        public static long start(MemorySegment s, long at, int i) { return u64(s, at + RANGES_OFFSET + (long) i * RANGE_SIZEOF + RANGE_START_OFFSET); }
        public static long end(MemorySegment s, long at, int i) { return u64(s, at + RANGES_OFFSET + (long) i * RANGE_SIZEOF + RANGE_END_OFFSET); }
        public static int dmaAvail(MemorySegment s, long at) { return u32(s, at + DMA_AVAIL_OFFSET); }
    }

    /**
     * {@code struct vfio_iommu_type1_dma_map} (VFIO_IOMMU_MAP_DMA):
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |           flags (u32)  READ=1 WRITE=2 (device's view)         | 4
     *  +---------------------------------------------------------------+
     *  |                   vaddr (u64, process address)                | 8
     *  +---------------------------------------------------------------+
     *  |                  iova (u64, device address)                   | 16
     *  +---------------------------------------------------------------+
     *  |                          size (u64)                           | 24
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class DmaMap {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int VADDR_OFFSET = 8;
        public static final int IOVA_OFFSET = 16;
        public static final int SIZE_OFFSET = 24;
        public static final int SIZEOF = 32;

        private DmaMap() {}

        public static void fill(MemorySegment s, int flags, long vaddr, long iova, long size) {
            u32(s, ARGSZ_OFFSET, SIZEOF);
            u32(s, FLAGS_OFFSET, flags);
            u64(s, VADDR_OFFSET, vaddr);
            u64(s, IOVA_OFFSET, iova);
            u64(s, SIZE_OFFSET, size);
        }
    }

    /**
     * {@code struct vfio_iommu_type1_dma_unmap} (VFIO_IOMMU_UNMAP_DMA); the kernel writes back in
     * {@code size} how much it unmapped:
     * <pre>
     *  +---------------------------------------------------------------+
     *  |                         argsz (u32)                           | 0
     *  +---------------------------------------------------------------+
     *  |                         flags (u32)                           | 4
     *  +---------------------------------------------------------------+
     *  |                          iova (u64)                           | 8
     *  +---------------------------------------------------------------+
     *  |                          size (u64)                           | 16
     *  +---------------------------------------------------------------+
     * </pre>
     */
    public static final class DmaUnmap {
        public static final int ARGSZ_OFFSET = 0;
        public static final int FLAGS_OFFSET = 4;
        public static final int IOVA_OFFSET = 8;
        public static final int SIZE_OFFSET = 16;
        public static final int SIZEOF = 24;

        private DmaUnmap() {}

        public static void fill(MemorySegment s, long iova, long size) {
            u32(s, ARGSZ_OFFSET, SIZEOF);
            u32(s, FLAGS_OFFSET, 0);
            u64(s, IOVA_OFFSET, iova);
            u64(s, SIZE_OFFSET, size);
        }

        public static long size(MemorySegment s) { return u64(s, SIZE_OFFSET); }
    }
}
