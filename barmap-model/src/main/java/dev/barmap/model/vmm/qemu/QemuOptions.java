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

    /** The non-default options as QEMU spells them, each preceded by a comma; "" for the defaults. */
    public String describe() {
        var sb = new StringBuilder();
        if (noMmap) sb.append(",x-no-mmap=on");
        msixRelocation.ifPresent(b -> sb.append(",x-msix-relocation=bar").append(b));
        if (noMsixEmulation) sb.append(",vfio-no-msix-emulation=on");
        if (pbaEmulated) sb.append(",msix-pba enabled");
        return sb.toString();
    }

    /**
     * Apply one {@code key=value} as QEMU parses it: {@code x-no-mmap=on|off} and {@code x-msix-relocation=off|bar0..bar5}
     * (hw/vfio/pci.c vfio_pci_dev_properties, QEMU 7.2; OffAutoPCIBAR in qapi/common.json), and the machine property
     * {@code vfio-no-msix-emulation=on|off} (hw/ppc/spapr.c spapr_machine_class_init sets it on pseries). Throws
     * IllegalArgumentException with barmap's description of what is wrong.
     */
    public QemuOptions with(String key, String value) {
        return switch (key) {
            case "x-no-mmap" -> withNoMmap(bool(key, value));
            case "vfio-no-msix-emulation" -> withNoMsixEmulation(bool(key, value));
            case "x-msix-relocation" -> switch (value) {
                case "off" -> new QemuOptions(noMmap, Optional.empty(), noMsixEmulation, pbaEmulated);
                case "bar0", "bar1", "bar2", "bar3", "bar4", "bar5" -> withMsixRelocation(value.charAt(3) - '0');
                // vfio_pci_relocate_msix: "auto" looks the device up in a table that is empty upstream, so QEMU
                // exits; barmap refuses it up front (its own wording)
                case "auto" -> throw new IllegalArgumentException("x-msix-relocation=auto: QEMU has no automatic choice for any "
                        + "device (vfio_pci_relocate_msix); name a BAR, bar0..bar5 (barmap audit suggests one)");
                default -> throw new IllegalArgumentException("x-msix-relocation=" + value + ": expected off or bar0..bar5");
            };
            default -> throw new IllegalArgumentException("unknown QEMU option '" + key
                    + "' (known: x-no-mmap, x-msix-relocation, vfio-no-msix-emulation; host=BDF picks the device)");
        };
    }

    private static boolean bool(String key, String v) {
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(key + "=" + v + ": expected on or off");
        };
    }

    public QemuOptions withMsixRelocation(int bar) { return new QemuOptions(noMmap, Optional.of(bar), noMsixEmulation, pbaEmulated); }
    public QemuOptions withNoMsixEmulation(boolean v) { return new QemuOptions(noMmap, msixRelocation, v, pbaEmulated); }
    public QemuOptions withNoMmap(boolean v) { return new QemuOptions(v, msixRelocation, noMsixEmulation, pbaEmulated); }
    public QemuOptions withPbaEmulated(boolean v) { return new QemuOptions(noMmap, msixRelocation, noMsixEmulation, v); }
}
