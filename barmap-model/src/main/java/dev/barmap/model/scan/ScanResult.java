package dev.barmap.model.scan;

import dev.barmap.model.host.Host;
import dev.barmap.model.vfio.ProbeReport;
import java.util.List;

/**
 * What {@code barmap scan} answers: every non-bridge function opened through vfio-pci in BDF order, the
 * region info each would get, a verdict per BAR, and the {@code vfio sub-page reserved} ranges while
 * all are open. {@code iomemOpen} is /proc/iomem at that moment (without any mmap or read done yet).
 */
public record ScanResult(Host host, String era, List<DeviceResult> devices, List<ProbeReport.Range> subPageReserved,
                         List<String> notes, String iomemOpen) {
    public ScanResult {
        devices = List.copyOf(devices);
        subPageReserved = List.copyOf(subPageReserved);
        notes = List.copyOf(notes);
    }

    public long count(Verdict v) {
        return devices.stream().flatMap(d -> d.regions().stream()).filter(r -> r.verdict() == v).count();
    }
}
