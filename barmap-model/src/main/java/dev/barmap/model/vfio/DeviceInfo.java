package dev.barmap.model.vfio;

/** VFIO_DEVICE_GET_INFO: {@code struct vfio_device_info} (flags, num_regions, num_irqs). */
public record DeviceInfo(int flags, int numRegions, int numIrqs) {
    public static final int FLAG_RESET = 1 << 0;
    public static final int FLAG_PCI = 1 << 1;
}
