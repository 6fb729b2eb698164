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
 * crosvm devices/src/pci/vfio_pci.rs: allocate_root_barmem assigns the guest BAR addresses itself, aligned to
 * max(page, size) ({@link VmmAllocator#crosvm}: the allocator's min_align is the page), so no two BARs share a page
 * and {@code --guest} does not apply; add_bar_mmap mmaps the region (or its sparse areas) minus the page-rounded MSI-X table and PBA
 * (add_bar_mmap_msix), and registers each piece with VmMemoryRequest::RegisterMemory. KvmVm::add_memory_region
 * (hypervisor/src/kvm/mod.rs, e2d00176e, 2021) rounds the slot size up to the page ("the mmap will round up the
 * size"), and checks overlap only against guest RAM, not other BARs. A guest address that is not page-aligned makes
 * KVM fail with EINVAL; add_bar_mmap then stops mapping that BAR (logged, no boot failure).
 *
 * <p>Since eb98b0b02 ("devices: pci: vfio_pci: Fix sparse BAR handling", 2025-07-30; still so at main f1e797a68)
 * add_bar_mmap carves the MSI-X table and PBA only when {@code !get_region_msix_mmappable(index)}, and
 * devices/src/vfio.rs VfioDevice::get_regions sets msix_region_mmappable when the region has a
 * VFIO_REGION_INFO_CAP_SPARSE_MMAP or a VFIO_REGION_INFO_CAP_MSIX_MAPPABLE capability: the whole BAR (or the
 * sparse areas as given) is registered, table page included, so the guest's table writes reach the device and
 * bypass crosvm's MSI-X emulation.
 *
 * @param sparseFix eb98b0b02 applied (crosvm-2025-07); false models main before it (crosvm-2024)
 */
public record Crosvm(boolean sparseFix) implements VmmPolicy {
    public static final Crosvm V2024 = new Crosvm(false);
    public static final Crosvm V2025_07 = new Crosvm(true);
    public static final Crosvm DEFAULT = V2025_07;

    static final Source BARMAP = new Source("crosvm", "devices/src/pci/vfio_pci.rs", "add_bar_mmap / add_bar_mmap_msix", "main 2024 (before eb98b0b02)");
    static final Source SPARSE_FIX = new Source("crosvm", "devices/src/pci/vfio_pci.rs add_bar_mmap, devices/src/vfio.rs get_region_msix_mmappable",
            "MSI-X carved only without MSIX_MAPPABLE / sparse cap", "eb98b0b02 (2025-07-30)");
    static final Source KVM = new Source("crosvm", "hypervisor/src/kvm/mod.rs", "KvmVm::add_memory_region", "e2d00176e (2021)");

    @Override
    public String id() { return sparseFix ? "crosvm-2025-07" : "crosvm-2024"; }

    @Override
    public String family() { return "crosvm"; }

    @Override
    public String label() { return sparseFix ? "crosvm 2025-07" : "crosvm 2024"; }

    @Override
    public List<Source> sources() { return sparseFix ? List.of(BARMAP, SPARSE_FIX, KVM) : List.of(BARMAP, KVM); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        rb.placeHostSized(topology, VmmAllocator.crosvm(topology.platform(), page), true);

        for (Passthrough p : topology.devices()) {
            Optional<Msix> msix = p.host().msix();
            for (HostBar b : p.host().bars()) {
                BarKey k = VmmSupport.key(p, b.index());
                Long gpa = rb.layout.addresses().get(k);
                if (b.size() == 0 || b.io() || gpa == null) continue;
                msix.ifPresent(m -> rb.emulateMsix(k, b.index(), gpa, m, m.pbaSize()));
                if (!b.mmappable()) continue;
                List<MmapArea> areas = b.mmapAreas();
                boolean holdsMsix = msix.map(m -> m.tableBar() == b.index() || m.pbaBar() == b.index()).orElse(false);
                boolean msixMappable = sparseFix && (b.msixMappable() || b.sparseMmap().isPresent());
                if (msix.isPresent() && !msixMappable) areas = carveMsix(areas, b.index(), msix.get(), page);
                else if (holdsMsix) {
                    rb.notes.put(k, "MSI-X table/PBA not carved (region is MSIX_MAPPABLE or sparse, eb98b0b02): mapped directly, the guest's "
                            + "table writes bypass crosvm's MSI-X emulation");
                    rb.warnings.add(p.guestName() + " BAR" + b.index() + ": the MSI-X table is mapped directly, so crosvm does not see the "
                            + "guest's vector programming (barmap's description)");
                }
                for (MmapArea a : areas) {
                    long len = VmmSupport.alignUp(a.size(), page);   // KvmVm::add_memory_region rounds up
                    var mm = VmmSupport.hostMmap(b, a.offset(), a.size(), page);
                    if (mm.isPresent()) {
                        rb.warnings.add(p.guestName() + " BAR" + b.index() + ": RegisterMemory failed: " + mm.get());
                        break;
                    }
                    var kvm = rb.kvmSlot(k, gpa + a.offset(), len, b.hostStart() + a.offset());
                    if (kvm.isPresent()) {
                        rb.warnings.add(p.guestName() + " BAR" + b.index() + ": RegisterMemory failed: " + kvm.get());
                        rb.notes.put(k, "RegisterMemory failed (guest address not page-aligned): left trapped");
                        break;
                    }
                    rb.addMmap(k, new MmapArea(a.offset(), len));
                }
            }
        }
        return rb.ok();
    }

    /** add_bar_mmap_msix: remove [begin & ~pgmask, (end + pgmask) & ~pgmask) of the table and PBA from each area. */
    static List<MmapArea> carveMsix(List<MmapArea> areas, int bar, Msix m, long page) {
        var ranges = VmmSupport.msixRanges(bar, m, m.pbaSize());
        var out = new ArrayList<MmapArea>();
        for (MmapArea a : areas) {
            var pieces = new ArrayList<long[]>();
            pieces.add(new long[]{a.offset(), a.end()});
            for (var mr : ranges) {
                MmapArea r = mr.range();
                if (r.offset() < a.offset() || r.offset() >= a.end()) continue;
                // the range clipped to the area, then page-rounded
                MmapArea hole = VmmSupport.pageRounded(new MmapArea(r.offset(), Math.min(r.end(), a.end()) - r.offset()), page);
                long begin = hole.offset(), end = hole.end();
                var next = new ArrayList<long[]>();
                for (long[] pc : pieces) {
                    if (end <= pc[0] || begin >= pc[1]) { next.add(pc); continue; }
                    if (pc[0] < begin) next.add(new long[]{pc[0], begin});
                    if (end < pc[1]) next.add(new long[]{end, pc[1]});
                }
                pieces = next;
            }
            for (long[] pc : pieces) if (pc[1] > pc[0]) out.add(new MmapArea(pc[0], pc[1] - pc[0]));
        }
        return out;
    }
}
