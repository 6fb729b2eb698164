package dev.barmap.model.vfio;

import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.Optional;

/**
 * <b>The seed's rule</b>: may userspace mmap this BAR? vfio_pci_probe_mmaps(), drivers/vfio/pci/
 * vfio_pci_core.c (Linux 5.15-6.x; vfio_pci.c before 5.15), introduced by 05f0c03fbac1 "vfio-pci: Allow
 * to mmap sub-page MMIO BARs if the mmio page is exclusive" (Linux 4.8). Per BAR 0-5, in the kernel's
 * order of conditions:
 * <ol>
 *   <li>mmap disabled for the device (CONFIG_VFIO_PCI_MMAP off / {@code non_mappable_bars}) &rarr; no;</li>
 *   <li>not IORESOURCE_MEM (an I/O-port BAR) &rarr; no;</li>
 *   <li>{@code resource_size(res) == 0} &rarr; no;</li>
 *   <li>{@code resource_size(res) >= PAGE_SIZE} &rarr; yes;</li>
 *   <li>start page-aligned: request a dummy resource {@code "vfio sub-page reserved"} covering
 *       {@code res->end + 1 .. res->start + PAGE_SIZE - 1} under {@code res->parent}, flags copied from
 *       the BAR, "to reserve the remainder of the exclusive page in case that hot-add device's bar is
 *       assigned into it"; taken &rarr; yes, conflict &rarr; no;</li>
 *   <li>otherwise (not page-aligned) &rarr; no: the guest could not be given the same offset in its page.</li>
 * </ol>
 * Before 4.8 a BAR under PAGE_SIZE was never mmappable. The dummy is taken when the device is first
 * opened (vfio_pci_core_finish_enable &ge;5.15, vfio_pci_enable before) and released on the last close
 * (vfio_pci_core_disable).
 */
public final class SubPageMmapRule {
    /** The dummy resource's name, verbatim from vfio_pci_probe_mmaps(). */
    public static final String DUMMY_NAME = "vfio sub-page reserved";

    private SubPageMmapRule() {}

    /** The rule's answer for one BAR, with the reason a user can act on. */
    public sealed interface Decision {
        boolean mmappable();

        /** One-line reason. */
        String reason();

        /** mmap disabled for the whole device. */
        record MmapDisabled(String why) implements Decision {
            public boolean mmappable() { return false; }
            public String reason() { return "mmap disabled for this device (" + why + ")"; }
        }

        /** I/O-port BAR. */
        record NotMemory() implements Decision {
            public boolean mmappable() { return false; }
            public String reason() { return "I/O-port BAR: vfio-pci never mmaps port I/O"; }
        }

        /** Zero-size resource. */
        record Empty() implements Decision {
            public boolean mmappable() { return false; }
            public String reason() { return "BAR not implemented (size 0)"; }
        }

        /** At least one page. */
        record PageOrLarger(long size, long pageSize) implements Decision {
            public boolean mmappable() { return true; }
            public String reason() { return "BAR is " + Sizes.human(size) + ", at least one " + Sizes.human(pageSize) + " page"; }
        }

        /** Sub-page, page-aligned, rest of the page reserved: mmappable. */
        record ExclusivePage(long size, Resource dummy) implements Decision {
            public boolean mmappable() { return true; }
            public String reason() {
                return "sub-page BAR (" + Sizes.human(size) + ") starts its page and the rest of the page "
                        + String.format("%x-%x", dummy.start(), dummy.end()) + " is reserved as '" + DUMMY_NAME + "'";
            }
        }

        /** Sub-page, page-aligned, but the rest of its page is taken (or lies outside the parent window). */
        record PageShared(long size, long restStart, long restEnd, Resource conflict, boolean outsideParent) implements Decision {
            public boolean mmappable() { return false; }
            public String reason() {
                String rest = String.format("%x-%x", restStart, restEnd);
                return outsideParent
                        ? "sub-page BAR (" + Sizes.human(size) + ") starts its page but the rest of the page " + rest
                          + " lies outside its parent window '" + conflict.name() + "' (" + conflict.range() + ")"
                        : "sub-page BAR (" + Sizes.human(size) + ") starts its page but the rest of the page " + rest
                          + " is taken by '" + conflict.name() + "' (" + conflict.range() + ")";
            }
        }

        /** Sub-page and not page-aligned. */
        record NotPageAligned(long size, long offsetInPage) implements Decision {
            public boolean mmappable() { return false; }
            public String reason() {
                return "sub-page BAR (" + Sizes.human(size) + ") does not start its page (it sits at +0x"
                        + Long.toHexString(offsetInPage) + " in the page)";
            }
        }

        /** Sub-page under a kernel before 4.8. */
        record SubPageUnsupported(long size, String kernel) implements Decision {
            public boolean mmappable() { return false; }
            public String reason() { return "sub-page BAR (" + Sizes.human(size) + ") and kernel " + kernel + " predates sub-page mmap (4.8)"; }
        }

        /** The BAR is not in the resource tree (unassigned), so there is no parent to reserve in. */
        record NotInTree() implements Decision {
            public boolean mmappable() { return false; }
            public String reason() { return "sub-page BAR is not in the host's resource tree (unassigned?)"; }
        }
    }

    /**
     * Applies the rule to one BAR. When the answer is {@link Decision.ExclusivePage} the dummy has been
     * requested in {@code tree} and must be released on close.
     *
     * @param barResource the BAR's node in the tree (its parent is where the dummy goes), empty if absent
     */
    public static Decision probe(Bar bar, Optional<Resource> barResource, ResourceTree tree, Platform platform,
                                 KernelEra era, Optional<String> mmapDisabledWhy) {
        if (mmapDisabledWhy.isPresent()) return new Decision.MmapDisabled(mmapDisabledWhy.get());
        if (!bar.isMem()) return bar.empty() ? new Decision.Empty() : new Decision.NotMemory();
        long size = bar.resourceSize();
        if (size == 0 || bar.empty()) return new Decision.Empty();
        long page = platform.pageSize();
        if (Long.compareUnsigned(size, page) >= 0) return new Decision.PageOrLarger(size, page);
        if (!era.subPageMmap()) return new Decision.SubPageUnsupported(size, era.release().toString());
        if (!platform.pageAligned(bar.start())) return new Decision.NotPageAligned(size, bar.start() & (page - 1));
        if (barResource.isEmpty() || barResource.get().parent() == null) return new Decision.NotInTree();
        Resource parent = barResource.get().parent();
        Resource dummy = new Resource(bar.end() + 1, bar.start() + page - 1, DUMMY_NAME, bar.flags());
        Optional<Resource> conflict = tree.requestConflict(parent, dummy);
        if (conflict.isEmpty()) return new Decision.ExclusivePage(size, dummy);
        return new Decision.PageShared(size, dummy.start(), dummy.end(), conflict.get(), conflict.get() == parent);
    }
}
