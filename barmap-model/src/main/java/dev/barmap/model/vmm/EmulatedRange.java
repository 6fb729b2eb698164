package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;

/** A range inside a passthrough BAR that the VMM emulates on top of the device (MSI-X table or PBA). */
public record EmulatedRange(BarKey bar, long guestStart, long size, Kind kind) {
    public enum Kind { MSIX_TABLE, MSIX_PBA }

    public long guestEnd() { return guestStart + size; }
}
