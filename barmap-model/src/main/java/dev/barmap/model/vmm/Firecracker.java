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
 * Firecracker VFIO as on the branch of PR #6055 (2c6128563, "vfio: connect VFIO device creation logic",
 * 2026-08-18). No Firecracker release attaches VFIO devices: feature/vfio (8c8fc631a, "vfio: add VfioBars") has
 * only the BAR allocation, and the series' last step, #6219 ("wire it all up"), is open.
 * <ul>
 * <li>vfio_allocate_memory_ranges_for_bars: BARs aligned to max(host page, size), FirstMatch; I/O BARs skipped
 *     (the guest never sees them) ({@link VmmAllocator#firecracker}). The guest keeps those addresses.</li>
 * <li>vfio_prepare_device: a device without MSI-X irq or capability fails with NoMsixIrq.</li>
 * <li>vfio_calculate_bar_areas: page-rounded MSI-X table and PBA holes; MsixTableOutOfRange / MsixPbaOutOfRange
 *     when a hole does not fit in the region; a BAR holding the table or PBA is not mmapped without MSIX_MAPPABLE
 *     or a sparse cap.</li>
 * <li>vfio_map_bar_mapping: no sub-page expansion, so a region smaller than the page is registered at its own size
 *     and KVM_SET_USER_MEMORY_REGION fails with EINVAL (SetUserMemoryRegion).</li>
 * </ul>
 * Later changes the issue reports for the series (a BARSmallerThanHostPage check, the PBA passed through as
 * read-only, #6114 relaxing MsixTableOutOfRange) are not on 2c6128563 nor on feature/vfio and are not modelled.
 */
public record Firecracker() implements VmmPolicy {
    public static final Firecracker PR6055 = new Firecracker();
    public static final Firecracker DEFAULT = PR6055;

    static final Source AREAS = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_calculate_bar_areas", "#6055 2c6128563");
    static final Source MAP = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_map_bar_mapping", "#6055 2c6128563");
    static final Source PREPARE = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_prepare_device", "#6055 2c6128563");
    static final Source ALLOC = new Source("firecracker", "src/vmm/src/vfio.rs", "vfio_allocate_memory_ranges_for_bars", "feature/vfio 8c8fc631a");

    @Override
    public String id() { return "firecracker-pr6055"; }

    @Override
    public String family() { return "firecracker"; }

    @Override
    public String label() { return "Firecracker #6055 (unreleased)"; }

    @Override
    public List<Source> sources() { return List.of(ALLOC, PREPARE, AREAS, MAP); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        for (Passthrough p : topology.devices()) {
            // vfio_prepare_device (#6055 2c6128563 vfio.rs:1472-1490): no MSI-X irq or capability → NoMsixIrq,
            // whose Display is "Device does not provide MSIx irq" (displaydoc, vfio.rs:73), copied
            if (p.host().msix().isEmpty() && p.host().msixKnown()) {
                return rb.failVerbatim(p.host().bdf() + ": Device does not provide MSIx irq", BootFailure.Cause.NO_MSIX, PREPARE);
            }
            if (p.host().msix().isEmpty()) {
                rb.warnings.add(p.guestName() + ": Firecracker refuses a device without MSI-X (NoMsixIrq); the input does not show "
                        + "whether this one has it (barmap's description)");
            }
        }
        rb.placeHostSized(topology, VmmAllocator.firecracker(topology.platform(), page), false);
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
                    // vfio_calculate_bar_areas: each hole is [align_down(offset), align_down(offset) + align_up(offset % page + size))
                    for (var mr : VmmSupport.msixRanges(b.index(), m, m.pbaSize())) {
                        holdsMsix = true;
                        MmapArea r = mr.range(), hole = VmmSupport.pageRounded(r, page);
                        boolean table = mr.kind() == EmulatedRange.Kind.MSIX_TABLE;
                        if (hole.end() > b.size()) {
                            // VfioError::MsixTableOutOfRange / MsixPbaOutOfRange Display (displaydoc), vfio.rs:79 / :81 at 2c6128563, copied
                            return rb.failVerbatim(String.format(table ? "BAR%d MSI-X table at offset %#x size %#x does not fit in region of size %#x"
                                    : "BAR%d MSI-X PBA at offset %#x size %#x does not fit in region of size %#x", b.index(), hole.offset(), hole.size(), b.size()),
                                    BootFailure.Cause.MSIX_LAYOUT, AREAS);
                        }
                        holes.add(hole);
                        rb.emulated.add(new EmulatedRange(k, gpa + r.offset(), r.size(), mr.kind()));
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
                            // VfioError::SparseMmapAreaOutOfRange Display, vfio.rs:83 at 2c6128563, copied
                            return rb.failVerbatim(String.format("BAR%d sparse mmap area at offset %#x size %#x does not fit in region of size %#x", b.index(), a.offset(), a.size(), b.size()), BootFailure.Cause.MMAP_FAILED, AREAS);
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
                    if (mm.isPresent()) return rb.failVerbatim("mmap failed", BootFailure.Cause.MMAP_FAILED, MAP);   // VfioError::Mmap Display, vfio.rs:65
                    rb.addMmap(k, a);
                    var kvm = rb.kvmSlot(k, gpa + a.offset(), a.size(), b.hostStart() + a.offset());
                    if (kvm.isPresent()) return rb.fail("Failed to set KVM user memory region: " + VmmSupport.EINVAL, BootFailure.Cause.KVM_SLOT_REFUSED, MAP);   // SetUserMemoryRegion Display (vfio.rs:69) around barmap's wording of the errno
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
