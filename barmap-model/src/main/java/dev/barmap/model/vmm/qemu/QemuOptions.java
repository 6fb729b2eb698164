package dev.barmap.model.vmm.qemu;

import java.util.Optional;

/**
 * vfio-pci device properties and machine facts that change the BAR mapping (hw/vfio/pci.c vfio_pci_dev_properties).
 *
 * @param noMmap            {@code x-no-mmap=on}: never mmap BARs
 * @param msixRelocation    {@code x-msix-relocation=bar0..bar5} (QEMU 2.12+); empty = off. "auto" is not modelled
 *                          (it is a per-device lookup table with no entries upstream, so it fails with
 *                          "No automatic MSI-X relocation available for device")
 * @param noMsixEmulation   machine property {@code vfio-no-msix-emulation} (spapr sets it): the msix-table
 *                          region is disabled, the table page stays mmapped
 * @param pbaEmulated       the msix-pba region enabled: QEMU keeps it disabled and enables it only while a
 *                          masked vector has fired (vfio_msi_interrupt); false is the steady state
 */
public record QemuOptions(boolean noMmap, Optional<Integer> msixRelocation, boolean noMsixEmulation, boolean pbaEmulated) {
    public static final QemuOptions DEFAULT = new QemuOptions(false, Optional.empty(), false, false);

    public QemuOptions {
        msixRelocation.ifPresent(b -> {
            if (b < 0 || b > 5) throw new IllegalArgumentException("x-msix-relocation bar" + b);
        });
    }

    public QemuOptions withMsixRelocation(int bar) { return new QemuOptions(noMmap, Optional.of(bar), noMsixEmulation, pbaEmulated); }
    public QemuOptions withNoMsixEmulation(boolean v) { return new QemuOptions(noMmap, msixRelocation, v, pbaEmulated); }
    public QemuOptions withNoMmap(boolean v) { return new QemuOptions(v, msixRelocation, noMsixEmulation, pbaEmulated); }
    public QemuOptions withPbaEmulated(boolean v) { return new QemuOptions(noMmap, msixRelocation, noMsixEmulation, v); }
}
