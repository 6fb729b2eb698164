package dev.barmap.vfio;

import java.util.List;
import java.util.OptionalInt;

/**
 * VFIO_IOMMU_GET_INFO of a type1 container: the IOMMU page sizes (bit n set = 2^n bytes), the usable
 * IOVA ranges (empty when the kernel offers no IOVA_RANGE capability: then every IOVA is allowed as far
 * as this binding can tell) and how many more DMA mappings the container accepts (DMA_AVAIL capability;
 * empty when not reported, i.e. unknown).
 */
public record IommuInfo(int flags, long iovaPgsizes, List<IovaRange> iovaRanges, OptionalInt dmaAvail) {
    public IommuInfo {
        iovaRanges = List.copyOf(iovaRanges);
    }

    /**
     * The smallest IOMMU page: vaddr, iova and size of a mapping must be multiples of it
     * (vfio_dma_do_map(): {@code (size | iova | vaddr) & mask} is EINVAL, drivers/vfio/vfio_iommu_type1.c, 6.1).
     * 0 when the kernel did not report page sizes.
     */
    public long minPageSize() {
        return (flags & VfioAbi.VFIO_IOMMU_INFO_PGSIZES) == 0 || iovaPgsizes == 0 ? 0 : Long.lowestOneBit(iovaPgsizes);
    }
}
