package dev.barmap.vfio;

/** The container IOMMU models VFIO_SET_IOMMU accepts (include/uapi/linux/vfio.h). */
public enum IommuType {
    /** VFIO_TYPE1v2_IOMMU: type1 with v2 semantics (no partial unmaps). */
    TYPE1V2(3),
    /** VFIO_TYPE1_IOMMU. */
    TYPE1(1),
    /** VFIO_NOIOMMU_IOMMU: no translation (CONFIG_VFIO_NOIOMMU and enable_unsafe_noiommu_mode only). */
    NOIOMMU(8);

    private final int value;

    IommuType(int value) { this.value = value; }

    /** The value passed to VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU. */
    public int value() { return value; }
}
