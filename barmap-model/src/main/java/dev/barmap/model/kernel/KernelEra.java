package dev.barmap.model.kernel;

import dev.barmap.model.pci.PciFunction;

/**
 * The vfio-pci behaviours that changed across Linux releases, one sealed strategy per era. Chosen from
 * the release string with {@link #of(KernelRelease)}. Finer thresholds inside an era (4.6 sparse-mmap
 * capability, 6.19 request name) are answered from the release itself. (The 5.8 change that blocks BAR access
 * while memory decode is off, abafbc551fdd "vfio-pci: Invalidate mmaps and block MMIO access on disabled memory",
 * changes no mapping verdict and is not modelled.)
 */
public sealed interface KernelEra {

    KernelRelease release();

    static KernelEra of(KernelRelease r) {
        if (!r.atLeast(4, 8)) return new NoSubPage(r);
        if (!r.atLeast(4, 16)) return new SubPageSparse(r);
        if (!r.atLeast(6, 15)) return new MsixMappable(r);
        return new NonMappableBars(r);
    }

    static KernelEra of(String release) {
        return of(KernelRelease.parse(release));
    }

    /** Era label for reports, e.g. {@code 4.16-6.14}. */
    String label();

    /**
     * Sub-page BARs may be mmapped when their page is exclusive. 05f0c03fbac1 "vfio-pci: Allow to mmap
     * sub-page MMIO BARs if the mmio page is exclusive" (Linux 4.8); before it vfio_pci_mmap() refused
     * {@code phys_len < PAGE_SIZE}.
     */
    default boolean subPageMmap() { return true; }

    /**
     * VFIO_REGION_INFO_CAP_SPARSE_MMAP around the MSI-X table on its BAR: 188ad9d6cb70 "vfio/pci:
     * Include sparse mmap capability for MSI-X table regions" (4.6) until a32295c612c5 (4.16).
     */
    default boolean sparseMmapAroundMsix() { return false; }

    /** mmaps overlapping the MSI-X table fail with EINVAL (vfio_pci_mmap, removed by a32295c612c5 in 4.16). */
    default boolean mmapOverlappingMsixRejected() { return false; }

    /** VFIO_REGION_INFO_CAP_MSIX_MAPPABLE on the table's BAR: a32295c612c5 "vfio-pci: Allow mapping MSIX BAR" (4.16). */
    default boolean msixMappableCap() { return false; }

    /**
     * Step 1 of vfio_pci_probe_mmaps(): mmap disabled for the whole device. Up to 6.14
     * {@code !IS_ENABLED(CONFIG_VFIO_PCI_MMAP)} (drivers/vfio/pci/Kconfig: {@code def_bool y if !S390});
     * from 6.15 {@code pdev->non_mappable_bars} (888bd8322dfc), set by the s390 ISM quirk.
     */
    default boolean mmapDisabled(PciFunction f, String arch) {
        return "s390x".equals(arch) || "s390".equals(arch);
    }

    /**
     * Name of the busy region vfio_pci_core_mmap() requests on a BAR's first mmap: "vfio-pci" (Linux 6.1
     * drivers/vfio/pci/vfio_pci_core.c), "vfio" from 6.19 (rules.md).
     */
    default String mmapRequestName() {
        return release().atLeast(6, 19) ? "vfio" : "vfio-pci";
    }

    /** Name of the busy region vfio_pci_setup_barmap() requests on a BAR's first read/write (6.1: "vfio"). */
    default String rwRequestName() { return "vfio"; }


    /** Linux up to 4.7: no sub-page mmap at all. */
    record NoSubPage(KernelRelease release) implements KernelEra {
        public String label() { return "<=4.7"; }
        @Override public boolean subPageMmap() { return false; }
        @Override public boolean sparseMmapAroundMsix() { return release.atLeast(4, 6); }
        @Override public boolean mmapOverlappingMsixRejected() { return true; }
    }

    /** Linux 4.8-4.15: sub-page mmap with the dummy reservation; MSI-X table carved out by sparse mmap. */
    record SubPageSparse(KernelRelease release) implements KernelEra {
        public String label() { return "4.8-4.15"; }
        @Override public boolean sparseMmapAroundMsix() { return true; }
        @Override public boolean mmapOverlappingMsixRejected() { return true; }
    }

    /**
     * Linux 4.16-6.14: the MSI-X BAR is mmappable whole, flagged MSIX_MAPPABLE. Checked against real
     * kernels 6.1.0-56/-57 (every testdata capture) and 6.12.117+deb12 (x86_64-4k-linux-packed-6.12):
     * 6.12 answers exactly as 6.1 does, region for region, try for try and /proc/iomem line for line
     * (mmaps request "vfio-pci", reads and writes "vfio").
     */
    record MsixMappable(KernelRelease release) implements KernelEra {
        public String label() { return "4.16-6.14"; }
        @Override public boolean msixMappableCap() { return true; }
    }

    /**
     * Linux 6.15 and later: per-device {@code non_mappable_bars} replaces CONFIG_VFIO_PCI_MMAP. Checked
     * against the real 7.3.4+deb13 kernel (x86_64-4k-linux-packed-7): the sub-page rule, region info and
     * every try answer as in 6.1, and every BAR request, mmap's too, is named "vfio" in /proc/iomem
     * (the {@link #mmapRequestName()} change, seen in the real capture).
     */
    record NonMappableBars(KernelRelease release) implements KernelEra {
        public String label() { return ">=6.15"; }
        @Override public boolean msixMappableCap() { return true; }

        /**
         * arch/s390/pci/pci_fixup.c zpci_ism_bar_no_mmap(): DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_IBM,
         * PCI_DEVICE_ID_IBM_ISM) sets {@code pdev->non_mappable_bars} (888bd8322dfc, Linux 6.15); s390 only.
         */
        @Override public boolean mmapDisabled(PciFunction f, String arch) {
            return f.vendor() == 0x1014 && f.device() == 0x04ed && arch.startsWith("s390");
        }
    }
}
