package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;

/** A range inside a passthrough BAR that the VMM emulates on top of the device (MSI-X table or PBA, or a device quirk). */
public record EmulatedRange(BarKey bar, long guestStart, long size, Kind kind) {
    public enum Kind { MSIX_TABLE, MSIX_PBA, QUIRK }

    public long guestEnd() { return guestStart + size; }
}
