package dev.barmap.model.host;

/**
 * Something the input shows that stops this host from passing any device through with vfio-pci, whatever
 * the BARs look like. Only what the input shows: a capture that does not record loaded drivers gives no
 * {@link Kind#NO_VFIO_PCI} (unknown is not absent).
 *
 * @param evidence what in the input shows it (a path, a kernel parameter)
 */
public record Blocker(Kind kind, String evidence) {
    public enum Kind {
        /** No function has an {@code iommu_group}: vfio_iommu_group_get() refuses the device (drivers/vfio/group.c) */
        NO_IOMMU_GROUPS("no IOMMU groups", "vfio-pci needs an IOMMU group for every device it binds (only the unsafe no-IOMMU mode works without)"),
        /** The kernel command line turns the IOMMU off */
        IOMMU_OFF("IOMMU off", "the kernel command line turns the IOMMU off, so there are no IOMMU groups to hand to VFIO"),
        /** Neither the vfio-pci driver nor its module is present */
        NO_VFIO_PCI("no vfio-pci", "the vfio-pci driver is not loaded (modprobe vfio-pci)");

        public final String label, why;

        Kind(String label, String why) {
            this.label = label;
            this.why = why;
        }
    }

    /** "no IOMMU groups (no function under sys/bus/pci/devices has an iommu_group link): vfio-pci needs ..." */
    public String describe() {
        return kind.label + " (" + evidence + "): " + kind.why;
    }
}
