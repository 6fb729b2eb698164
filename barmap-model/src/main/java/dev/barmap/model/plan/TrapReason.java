package dev.barmap.model.plan;

/** Why a guest page of a passthrough BAR exits to the VMM instead of reaching the device directly. */
public enum TrapReason {
    /** I/O-port BARs never get memory slots. */
    IO_PORT("I/O port BAR"),
    /** The guest left the BAR unassigned (no address): nothing decodes it. */
    UNASSIGNED("the guest did not place this BAR"),
    /** Firecracker does not expose I/O BARs at all. */
    NOT_EXPOSED("the VMM does not expose this BAR to the guest"),
    /** vfio-pci did not set VFIO_REGION_INFO_FLAG_MMAP (sub-page BAR not page-aligned on the host, or sharing its page). */
    NOT_MMAPPABLE("not mmappable on the host (vfio-pci gave no MMAP flag)"),
    /** The page holds the MSI-X table, which the VMM emulates. */
    MSIX_TABLE("MSI-X table page (emulated by the VMM)"),
    /** The page holds the MSI-X PBA, which the VMM emulates. */
    MSIX_PBA("MSI-X PBA page (emulated by the VMM)"),
    /** The VMM lays a device quirk over the page (QEMU hw/vfio/pci-quirks.c, e.g. the RTL8168 BAR2 window). */
    VMM_QUIRK("device quirk emulated by the VMM on this page"),
    /** Part of a guest BAR the VMM enlarged (MSI-X relocation): no host bytes behind it. */
    BEYOND_HOST_BAR("beyond the host BAR (VMM-enlarged for MSI-X relocation)"),
    /** Another guest BAR sits in the same guest page, so the page cannot be given to this device. */
    SHARED_WITH_GUEST_BAR("shares the guest page with another BAR"),
    /** The BAR's guest address is not host-page-aligned, so no slot can start there. */
    SLOT_MISALIGNED("guest address not page-aligned: no KVM slot fits"),
    /** The region is smaller than a page and the VMM maps it at its own size (no slot) or refuses by policy. */
    SUB_PAGE("sub-page region not expanded to the page by the VMM"),
    /** The VMM chose not to mmap this BAR (see the note). */
    VMM_POLICY("the VMM does not mmap this region");

    private final String text;

    TrapReason(String text) { this.text = text; }

    public String text() { return text; }
}
