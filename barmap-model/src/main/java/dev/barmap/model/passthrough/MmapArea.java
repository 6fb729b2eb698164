package dev.barmap.model.passthrough;

/** One mmappable area of a vfio region, offsets relative to the region (VFIO_REGION_INFO_CAP_SPARSE_MMAP area). */
public record MmapArea(long offset, long size) {
    public MmapArea {
        if (offset < 0 || size < 0) throw new IllegalArgumentException("negative area");
    }
    public long end() { return offset + size; }
}
