package dev.barmap.model.vfio;

import java.util.List;

/** One capability in a region-info chain (include/uapi/linux/vfio.h VFIO_REGION_INFO_CAP_*). */
public sealed interface RegionCap {
    int SPARSE_MMAP_ID = 1;
    int TYPE_ID = 2;
    int MSIX_MAPPABLE_ID = 3;

    /** Name used in vfio.json ("SPARSE_MMAP", "MSIX_MAPPABLE", ...). */
    String name();

    int id();

    /** VFIO_REGION_INFO_CAP_SPARSE_MMAP: the areas that may be mmapped (Linux 4.6-4.15 on the MSI-X BAR). */
    record SparseMmap(List<Area> areas) implements RegionCap {
        public SparseMmap { areas = List.copyOf(areas); }
        public String name() { return "SPARSE_MMAP"; }
        public int id() { return SPARSE_MMAP_ID; }
    }

    /** One mmappable area of a sparse-mmap capability. */
    record Area(long offset, long size) {}

    /** VFIO_REGION_INFO_CAP_TYPE (device-specific regions). */
    record Type(int type, int subtype) implements RegionCap {
        public String name() { return "TYPE"; }
        public int id() { return TYPE_ID; }
    }

    /** VFIO_REGION_INFO_CAP_MSIX_MAPPABLE (Linux 4.16+): the MSI-X table's BAR may be mmapped whole. */
    record MsixMappable() implements RegionCap {
        public String name() { return "MSIX_MAPPABLE"; }
        public int id() { return MSIX_MAPPABLE_ID; }
    }

    /** A capability id this code does not know. */
    record Unknown(int id, int version) implements RegionCap {
        public String name() { return "CAP" + id; }
    }
}
