package dev.barmap.model.passthrough;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A PCI function bound to vfio-pci: its BARs (implemented ones only; the upper half of a 64-bit BAR is not
 * listed) and MSI-X capability.
 *
 * @param msixKnown false when the input did not show the capability list (lspci as non-root): then an empty
 *                  {@code msix} means unknown, not absent
 */
public record HostDevice(String bdf, List<HostBar> bars, Optional<Msix> msix, boolean msixKnown) {
    public HostDevice {
        bars = bars.stream().sorted(Comparator.comparingInt(HostBar::index)).toList();
        for (int i = 1; i < bars.size(); i++) {
            if (bars.get(i).index() == bars.get(i - 1).index()) throw new IllegalArgumentException("duplicate BAR " + bars.get(i).index());
        }
    }

    public HostDevice(String bdf, List<HostBar> bars, Optional<Msix> msix) { this(bdf, bars, msix, true); }

    public HostDevice(String bdf, List<HostBar> bars) { this(bdf, bars, Optional.empty()); }

    public Optional<HostBar> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }
}
