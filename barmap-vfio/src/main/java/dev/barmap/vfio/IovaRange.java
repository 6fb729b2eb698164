package dev.barmap.vfio;

/**
 * One usable IOVA range of a type1 container, {@code end} inclusive, as VFIO_IOMMU_GET_INFO's
 * VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE reports it (the IOMMU aperture minus reserved regions such as
 * the MSI window; vfio_iommu_iova_build_caps(), drivers/vfio/vfio_iommu_type1.c, 6.1).
 */
public record IovaRange(long start, long end) {
    public IovaRange {
        if (Long.compareUnsigned(end, start) < 0) throw new IllegalArgumentException(String.format("IOVA range end 0x%x < start 0x%x", end, start));
    }

    /** Whether {@code [iova, iova + size)} lies inside this range (unsigned). */
    public boolean contains(long iova, long size) {
        long last = iova + size - 1;
        return size > 0 && Long.compareUnsigned(last, iova) >= 0
                && Long.compareUnsigned(iova, start) >= 0 && Long.compareUnsigned(last, end) <= 0;
    }

    @Override
    public String toString() { return String.format("0x%x-0x%x", start, end); }
}
