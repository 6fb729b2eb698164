package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.List;
import java.util.Optional;

/**
 * OpenVMM vm/devices/pci/vfio_assigned_device: #3336 direct-maps the mmappable areas of each BAR minus the
 * page-rounded MSI-X table and PBA; #3936 leaves regions smaller than a page trapped (trap-and-emulate), so a
 * sub-page BAR never gets a slot and never fails.
 */
public record OpenVmm() implements VmmPolicy {
    public static final OpenVmm DEFAULT = new OpenVmm();

    static final Source MAP = new Source("openvmm", "vm/devices/pci/vfio_assigned_device", "BAR mapping", "PR #3336, PR #3936");

    @Override
    public String id() { return "openvmm"; }

    @Override
    public String label() { return "OpenVMM"; }

    @Override
    public List<Source> sources() { return List.of(MAP); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        rb.placeHostSized(topology, firmware, true);

        for (Passthrough p : topology.devices()) {
            Optional<Msix> msix = p.host().msix();
            for (HostBar b : p.host().bars()) {
                BarKey k = VmmSupport.key(p, b.index());
                Long gpa = rb.layout.addresses().get(k);
                if (b.size() == 0 || b.io() || gpa == null) continue;
                msix.ifPresent(m -> rb.emulateMsix(k, b.index(), gpa, m, m.pbaSize()));
                if (!b.mmappable()) continue;
                if (b.size() < page) {
                    rb.notes.put(k, "sub-page region: trap-and-emulate by policy (#3936)");
                    continue;
                }
                List<MmapArea> areas = b.mmapAreas();
                if (msix.isPresent()) areas = Crosvm.carveMsix(areas, b.index(), msix.get(), page);
                for (MmapArea a : areas) {
                    long start = a.offset(), end = a.end() & -page;   // only whole pages
                    if (end <= start) continue;
                    if (VmmSupport.hostMmap(b, start, end - start, page).isPresent()) continue;
                    if (rb.kvmSlot(k, gpa + start, end - start, b.hostStart() + start).isPresent()) {
                        rb.warnings.add(p.guestName() + " BAR" + b.index() + ": guest address not page-aligned, area left trapped");
                        continue;
                    }
                    rb.addMmap(k, new MmapArea(start, end - start));
                }
            }
        }
        return rb.ok();
    }
}
