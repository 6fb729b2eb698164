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
 *
 * <p>VfioAssignedPciDevice::new (vm/devices/pci/vfio_assigned_device/src/lib.rs, since #3319 985e668a4; read at
 * 1488a37b7, 2026-08-21) refuses the whole device when a BAR is an I/O BAR ({@code anyhow::bail!("PIO BARs are not
 * supported")}, lib.rs:406) or its vfio region size is not a power of two (lib.rs:414).
 */
public record OpenVmm() implements VmmPolicy {
    public static final OpenVmm DEFAULT = new OpenVmm();

    static final Source MAP = new Source("openvmm", "vm/devices/pci/vfio_assigned_device", "BAR mapping", "PR #3336, PR #3936");
    static final Source NEW = new Source("openvmm", "vm/devices/pci/vfio_assigned_device/src/lib.rs", "VfioAssignedPciDevice::new", "#3319 985e668a4, read at 1488a37b7");

    @Override
    public String id() { return "openvmm-2026-08"; }

    @Override
    public String family() { return "openvmm"; }

    @Override
    public String label() { return "OpenVMM 2026-08"; }

    @Override
    public List<Source> sources() { return List.of(NEW, MAP); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        for (Passthrough p : topology.devices()) {
            for (HostBar b : p.host().bars()) {
                if (b.size() == 0) continue;
                // lib.rs:406 (1488a37b7), copied
                if (b.io()) return rb.failVerbatim(p.host().bdf() + ": PIO BARs are not supported", BootFailure.Cause.IO_BAR_REFUSED, NEW);
                // lib.rs:414 (1488a37b7), copied
                if (Long.bitCount(b.size()) != 1) {
                    return rb.failVerbatim(String.format("%s: BAR size is not a power of two: %#x", p.host().bdf(), b.size()), BootFailure.Cause.BAR_SIZE_NOT_POW2, NEW);
                }
            }
        }
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
