package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Firecracker src/vmm/src/vfio.rs (feature/vfio branch, 2c6128563 2026-04-08; upstreaming series #6055…#6219):
 * vfio_allocate_memory_ranges_for_bars aligns BARs to max(host page, size) and skips I/O BARs (the guest never
 * sees them); vfio_calculate_bar_areas page-rounds the MSI-X table and PBA holes and fails with
 * MsixTableOutOfRange / MsixPbaOutOfRange when a hole does not fit in the region; no sub-page expansion, so a
 * region smaller than the page is mmapped and registered at its own size and KVM_SET_USER_MEMORY_REGION fails with
 * EINVAL (vfio_map_bar_mapping → SetUserMemoryRegion); #6219 (open) turns that into an explicit
 * BARSmallerThanHostPage check. No BAR relocation.
 */
public record Firecracker() implements VmmPolicy {
    public static final Firecracker DEFAULT = new Firecracker();

    static final Source AREAS = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_calculate_bar_areas", "feature/vfio 2c6128563 (#6114)");
    static final Source MAP = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_map_bar_mapping", "feature/vfio 2c6128563");

    @Override
    public String id() { return "firecracker"; }

    @Override
    public String label() { return "Firecracker (feature/vfio)"; }

    @Override
    public List<Source> sources() { return List.of(AREAS, MAP); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        rb.placeHostSized(topology, firmware, false);
        for (Passthrough p : topology.devices()) {
            for (HostBar b : p.host().bars()) {
                if (b.io() && b.size() > 0) rb.notes.put(VmmSupport.key(p, b.index()), "I/O BAR skipped: not exposed to the guest");
            }
        }

        for (Passthrough p : topology.devices()) {
            Optional<Msix> msix = p.host().msix();
            for (HostBar b : p.host().bars()) {
                BarKey k = VmmSupport.key(p, b.index());
                Long gpa = rb.layout.addresses().get(k);
                if (b.size() == 0 || b.io() || gpa == null) continue;
                var holes = new ArrayList<MmapArea>();
                boolean holdsMsix = false;
                if (msix.isPresent()) {
                    Msix m = msix.get();
                    if (m.tableBar() == b.index()) {
                        holdsMsix = true;
                        long off = m.tableOffset() & -page, size = VmmSupport.alignUp((m.tableOffset() & (page - 1)) + m.tableSize(), page);
                        if (off + size > b.size()) {
                            return rb.fail(String.format("BAR%d MSI-X table at offset 0x%x size 0x%x does not fit in region of size 0x%x", b.index(), off, size, b.size()), AREAS);
                        }
                        holes.add(new MmapArea(off, size));
                        rb.emulated.add(new EmulatedRange(k, gpa + m.tableOffset(), m.tableSize(), EmulatedRange.Kind.MSIX_TABLE));
                    }
                    if (m.pbaBar() == b.index()) {
                        holdsMsix = true;
                        long off = m.pbaOffset() & -page, size = VmmSupport.alignUp((m.pbaOffset() & (page - 1)) + m.pbaSize(), page);
                        if (off + size > b.size()) {
                            return rb.fail(String.format("BAR%d MSI-X PBA at offset 0x%x size 0x%x does not fit in region of size 0x%x", b.index(), off, size, b.size()), AREAS);
                        }
                        holes.add(new MmapArea(off, size));
                        rb.emulated.add(new EmulatedRange(k, gpa + m.pbaOffset(), m.pbaSize(), EmulatedRange.Kind.MSIX_PBA));
                    }
                }
                List<MmapArea> areas;
                if (holdsMsix && !b.msixMappable() && b.sparseMmap().isEmpty()) {
                    rb.notes.put(k, "holds MSI-X, no MSIX_MAPPABLE and no sparse mmap: not mmapped");
                    continue;
                } else if (b.sparseMmap().isPresent()) {
                    areas = b.mmapAreas();
                    for (MmapArea a : areas) {
                        if (a.end() > b.size() || (a.offset() & (page - 1)) != 0 || (a.size() & (page - 1)) != 0) {
                            return rb.fail(String.format("BAR%d sparse mmap area at offset 0x%x size 0x%x does not fit in region of size 0x%x", b.index(), a.offset(), a.size(), b.size()), AREAS);
                        }
                    }
                } else if (!b.mmappable()) {
                    continue;
                } else if (b.msixMappable() && !holes.isEmpty()) {
                    areas = around(holes, b.size());
                } else {
                    areas = List.of(new MmapArea(0, b.size()));
                }
                for (MmapArea a : areas) {
                    var mm = VmmSupport.hostMmap(b, a.offset(), a.size(), page);
                    if (mm.isPresent()) return rb.fail("mmap failed", MAP);
                    rb.addMmap(k, a);
                    var kvm = rb.kvmSlot(k, gpa + a.offset(), a.size(), b.hostStart() + a.offset());
                    if (kvm.isPresent()) return rb.fail("Failed to set KVM user memory region: " + VmmSupport.EINVAL, MAP);
                }
            }
        }
        return rb.ok();
    }

    private static List<MmapArea> around(List<MmapArea> holes, long size) {
        var sorted = new ArrayList<>(holes);
        sorted.sort((x, y) -> Long.compare(x.offset(), y.offset()));
        var out = new ArrayList<MmapArea>();
        long cur = 0;
        for (MmapArea h : sorted) {
            if (h.offset() > cur) out.add(new MmapArea(cur, h.offset() - cur));
            cur = Math.max(cur, h.end());
        }
        if (size > cur) out.add(new MmapArea(cur, size - cur));
        return out;
    }
}
