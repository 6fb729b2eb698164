package dev.barmap.vfio;

/** VFIO_DEVICE_GET_IRQ_INFO: {@code struct vfio_irq_info} (index 0 INTx, 1 MSI, 2 MSI-X, 3 ERR, 4 REQ for vfio-pci). */
public record IrqInfo(int index, int flags, int count) {
    public boolean eventfd() { return (flags & VfioAbi.VFIO_IRQ_INFO_EVENTFD) != 0; }
    public boolean maskable() { return (flags & VfioAbi.VFIO_IRQ_INFO_MASKABLE) != 0; }
    public boolean automasked() { return (flags & VfioAbi.VFIO_IRQ_INFO_AUTOMASKED) != 0; }
    public boolean noresize() { return (flags & VfioAbi.VFIO_IRQ_INFO_NORESIZE) != 0; }
}
