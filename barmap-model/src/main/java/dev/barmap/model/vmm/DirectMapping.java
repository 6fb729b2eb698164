package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;

/**
 * A KVM memory slot backed by an mmap of a vfio BAR: guest [{@code guestStart}, {@code guestStart + size}) reaches
 * host physical [{@code hostStart}, {@code hostStart + size}) without exits. {@code owner} is the BAR whose mmap
 * backs it.
 */
public record DirectMapping(BarKey owner, long guestStart, long size, long hostStart) {
    public long guestEnd() { return guestStart + size; }
    public long hostEnd() { return hostStart + size; }
}
