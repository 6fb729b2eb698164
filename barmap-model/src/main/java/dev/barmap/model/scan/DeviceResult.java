package dev.barmap.model.scan;

import dev.barmap.model.pci.PciFunction;
import java.util.List;

/** One scanned function and its regions 0-8. */
public record DeviceResult(PciFunction function, List<RegionResult> regions) {
    public DeviceResult {
        regions = List.copyOf(regions);
    }
}
