package dev.barmap.model.vmm;

import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestPlatform;

import java.util.List;

/**
 * The guest's PCI devices: passthrough devices, and emulated devices' BARs (which compete for the same guest
 * pages). The platform gives the windows and bridges.
 */
public record Topology(List<Passthrough> devices, List<GuestBar> emulated, GuestPlatform platform) {
    public Topology {
        devices = List.copyOf(devices);
        emulated = List.copyOf(emulated);
    }

    public static Topology of(GuestPlatform platform, Passthrough... devices) {
        return new Topology(List.of(devices), List.of(), platform);
    }
}
