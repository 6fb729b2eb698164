package dev.barmap.model.passthrough;

import java.util.List;
import java.util.Optional;

/**
 * A PCI function bound to vfio-pci: its BARs (implemented ones only; the upper half of a 64-bit BAR is not
 * listed) and MSI-X capability.
 *
 * @param msixKnown false when the input did not show the capability list (lspci as non-root): then an empty
 *                  {@code msix} means unknown, not absent
 * @param vendor    PCI vendor ID, -1 when unknown (VMM quirks key on it)
 * @param device    PCI device ID, -1 when unknown
 */
public record HostDevice(String bdf, List<HostBar> bars, Optional<Msix> msix, boolean msixKnown, int vendor, int device) {
    public HostDevice {
        bars = bars.stream().sorted((a, b) -> Integer.compare(a.index(), b.index())).toList(); // not comparingInt: start-up, as HostBuilder
        for (int i = 1; i < bars.size(); i++) {
            if (bars.get(i).index() == bars.get(i - 1).index()) throw new IllegalArgumentException("duplicate BAR " + bars.get(i).index());
        }
    }

    public HostDevice(String bdf, List<HostBar> bars, Optional<Msix> msix, boolean msixKnown) { this(bdf, bars, msix, msixKnown, -1, -1); }

    public HostDevice(String bdf, List<HostBar> bars, Optional<Msix> msix) { this(bdf, bars, msix, true); }

    /** This device with its PCI vendor and device ID. */
    public HostDevice withIds(int vendor, int device) { return new HostDevice(bdf, bars, msix, msixKnown, vendor, device); }

    public boolean is(int vendor, int device) { return this.vendor == vendor && this.device == device; }

    public HostDevice(String bdf, List<HostBar> bars) { this(bdf, bars, Optional.empty()); }

    public Optional<HostBar> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }
}
