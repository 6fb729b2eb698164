package dev.barmap.model.vmm;

/**
 * The VMM refuses to start (or to add the device): why (a typed cause), the error text, and the rule that produced it.
 *
 * @param cause    what went wrong, as a type (callers decide on this, never on the text)
 * @param message  the error text
 * @param verbatim true when {@code message} (apart from the device address in front) is copied from the VMM's source
 *                 (the policy names file and line in a comment); false when it is barmap's description of the failure
 * @param source   the rule that fails
 */
public record BootFailure(Cause cause, String message, boolean verbatim, Source source) {
    /** Why a VMM does not start. */
    public enum Cause {
        /** The VMM refuses devices with an I/O-port BAR. */
        IO_BAR_REFUSED,
        /** The VMM refuses a BAR whose vfio region size is not a power of two. */
        BAR_SIZE_NOT_POW2,
        /** The device has no MSI-X capability and the VMM requires one. */
        NO_MSIX,
        /** The MSI-X table or PBA does not fit the VMM's rules for the region. */
        MSIX_LAYOUT,
        /** The requested MSI-X relocation BAR cannot take the table. */
        MSIX_RELOCATION,
        /** mmap(2) of the vfio region (or an area of it) fails. */
        MMAP_FAILED,
        /** KVM_SET_USER_MEMORY_REGION refuses a slot (not page-aligned, or overlapping another slot). */
        KVM_SLOT_REFUSED,
        /** A sub-page mmap area the VMM cannot expand to the page. */
        SUB_PAGE_AREA,
        /** The VMM's own BAR allocator found no room for a BAR. */
        ALLOCATION_FAILED
    }

    /** The message as shown: with "(barmap's description)" after text that is not copied from the VMM. */
    public String shown() { return verbatim ? message : message + " (barmap's description)"; }
}
