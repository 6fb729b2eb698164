package dev.barmap.model.guest;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The guest machine's PCI address windows and bridge topology, which firmware and OS place BARs into.
 *
 * @param mmio32  root-bus 32-bit memory window
 * @param mmio64  root-bus 64-bit memory window (empty when the platform has none)
 * @param io      root-bus I/O-port window
 * @param bridges secondary bus number → parent bus number, for PCI-PCI bridges (root bus = 0)
 */
public record GuestPlatform(Window mmio32, Optional<Window> mmio64, Window io, Map<Integer, Integer> bridges) {
    /** Bridge memory windows are 1 MiB aligned and sized (PCI-PCI bridge spec: Memory Base/Limit bits 31:20). */
    public static final long BRIDGE_MEM_GRANULE = 1L << 20;
    /** Bridge I/O windows are 4 KiB aligned and sized. */
    public static final long BRIDGE_IO_GRANULE = 1L << 12;

    public GuestPlatform {
        bridges = Map.copyOf(new TreeMap<>(bridges));
    }

    // written out, as BarKey's: no method-handle bootstrap at the first call (start-up)
    @Override
    public boolean equals(Object o) {
        return o instanceof GuestPlatform p && mmio32.equals(p.mmio32) && mmio64.equals(p.mmio64) && io.equals(p.io) && bridges.equals(p.bridges);
    }

    @Override
    public int hashCode() { return ((mmio32.hashCode() * 31 + mmio64.hashCode()) * 31 + io.hashCode()) * 31 + bridges.hashCode(); }

    /** x86 q35 with SeaBIOS: 32-bit hole above the MMCONFIG area up to the IOAPIC, 64-bit window above 512 GiB. */
    public static GuestPlatform x86() {
        return new GuestPlatform(new Window(0xc0000000L, 0xfec00000L), Optional.of(new Window(0x80_0000_0000L, 0x100_0000_0000L)),
                new Window(0xc000, 0x10000), Map.of());
    }

    /** pseries (SLOF) PHB windows, as in the ppc64le captures' /proc/iomem. */
    public static GuestPlatform ppc64Pseries() {
        return new GuestPlatform(new Window(0x2000_8000_0000L, 0x2001_0000_0000L), Optional.of(new Window(0x2100_0000_0000L, 0x2200_0000_0000L)),
                new Window(0x100, 0x10000), Map.of());
    }

    public GuestPlatform withMmio32(Window w) { return new GuestPlatform(w, mmio64, io, bridges); }

    public GuestPlatform withBridge(int secondaryBus, int parentBus) {
        var m = new TreeMap<>(bridges);
        m.put(secondaryBus, parentBus);
        return new GuestPlatform(mmio32, mmio64, io, m);
    }
}
