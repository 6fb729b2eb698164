package dev.barmap.model.vmm;

import dev.barmap.model.passthrough.HostDevice;

/**
 * A vfio-pci device given to the guest: the host device and the name it has in the guest ({@code guestName}, used
 * as the BAR key's device; the host BDF unless given) on guest bus {@code bus}.
 */
public record Passthrough(HostDevice host, String guestName, int bus) {
    public Passthrough(HostDevice host) { this(host, host.bdf(), 0); }
}
