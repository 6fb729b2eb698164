package dev.barmap.model.scan;

import dev.barmap.model.host.Host;
import dev.barmap.model.vfio.ProbeReport;
import java.util.List;

/**
 * What {@code barmap scan} answers: every non-bridge function opened through vfio-pci in BDF order, the
 * region info each would get, a verdict per BAR, and the {@code vfio sub-page reserved} ranges while
 * all are open. {@code iomemOpen} is /proc/iomem at that moment (without any mmap or read done yet).
 * {@code guest} is the {@link GuestOutlook} per BAR when asked for ({@link Scanner#scan(Host, KernelEra, boolean)}).
 */
public record ScanResult(Host host, String era, List<DeviceResult> devices, List<ProbeReport.Range> subPageReserved,
                         List<String> notes, String iomemOpen, java.util.Map<String, String> guest) {
    public ScanResult {
        devices = List.copyOf(devices);
        subPageReserved = List.copyOf(subPageReserved);
        notes = List.copyOf(notes);
        guest = java.util.Map.copyOf(guest);
    }

    /** Without the guest outlook. */
    public ScanResult(Host host, String era, List<DeviceResult> devices, List<ProbeReport.Range> subPageReserved,
                      List<String> notes, String iomemOpen) {
        this(host, era, devices, subPageReserved, notes, iomemOpen, java.util.Map.of());
    }

    /** The guest outlook of a BAR ({@link GuestOutlook}), or null when not computed or not a BAR plan covers. */
    public String guest(DeviceResult d, RegionResult r) {
        return guest.get(GuestOutlook.key(d.function().bdf(), r.index()));
    }

    public long count(Verdict v) {
        return devices.stream().flatMap(d -> d.regions().stream()).filter(r -> r.verdict() == v).count();
    }
}
