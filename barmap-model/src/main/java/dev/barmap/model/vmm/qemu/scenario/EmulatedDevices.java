package dev.barmap.model.vmm.qemu.scenario;

import dev.barmap.model.vmm.qemu.QemuPciFunction.BarSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The emulated QEMU device types a scenario may place, each with the BARs its realize function registers (every
 * BAR one MMIO region named after the device). Each entry cites the QEMU source it was read from.
 */
public final class EmulatedDevices {
    private EmulatedDevices() {}

    private static final Map<String, List<BarSpec>> TABLE = new TreeMap<>(Map.of(
            // hw/watchdog/wdt_i6300esb.c i6300esb_realize (QEMU 7.2, unchanged through 11.x):
            // memory_region_init_io(&d->io_mem, ..., "i6300esb", 0x10); pci_register_bar(&d->dev, 0, 0, &d->io_mem)
            "i6300esb", List.of(BarSpec.mem32(0, 0x10))));

    /** The BARs of a device type, empty when the type is not in the table. */
    public static Optional<List<BarSpec>> of(String type) { return Optional.ofNullable(TABLE.get(type)); }

    /** The known type names, sorted. */
    public static List<String> names() { return List.copyOf(TABLE.keySet()); }
}
