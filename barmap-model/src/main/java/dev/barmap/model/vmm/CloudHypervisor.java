package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * cloud-hypervisor pci/src/vfio.rs (read at v52/v53 sources, commit 23a980cd5):
 * <ul>
 * <li>allocate_bars: 32-bit BARs naturally aligned, 64-bit BARs aligned to max(page, size); a 64-bit BAR holding an
 *     MSI-X table at a non-page-aligned offset goes through fixup_msix_region (PR #5469, 475d1879f): size =
 *     max(2 × size, 2 × align_up(table + PBA)), table moved to size / 2, PBA after it at the same distance.</li>
 * <li>map_mmio_regions: a BAR holding the MSI-X table or PBA is not mmapped unless MSIX_MAPPABLE;
 *     generate_sparse_areas carves the page-rounded table/PBA (holes past the physical BAR skipped since
 *     PR #7904, v52); a sub-page area at offset 0 is expanded to the host page since PR #7939 (v52); at another
 *     offset it is an error. Before #7939 the sub-page slot makes KVM_SET_USER_MEMORY_REGION fail with EINVAL.
 *     No check that the guest has other BARs in the expanded page.</li>
 * </ul>
 * The guest BAR addresses are cloud-hypervisor's own ({@link VmmAllocator#cloudHypervisor}: allocate_bars, 32-bit
 * BARs aligned only to their size, top down), so {@code --guest} does not apply: a 16-byte 32-bit BAR lands off a
 * page boundary, its (v52: page-expanded) slot is refused by KVM and the VM does not start. When a guest does move
 * a BAR, pci/src/bus.rs logs "Failed moving device BAR: ..., keeping old BAR" on a move_bar error and goes on; that
 * is not modelled as a boot failure.
 *
 * @param pr7904 clamp sparse-mmap holes to the physical BAR (v52+)
 * @param pr7939 expand sub-page mmaps at offset 0 to the host page (v52+)
 */
public record CloudHypervisor(boolean pr7904, boolean pr7939) implements VmmPolicy {
    public static final CloudHypervisor V51 = new CloudHypervisor(false, false);
    public static final CloudHypervisor V52 = new CloudHypervisor(true, true);

    static final Source ALLOC = new Source("cloud-hypervisor", "pci/src/vfio.rs, vm-allocator/src/address.rs", "allocate_bars / fixup_msix_region, first_available_range",
            "PR #5469; same at v51.2 aa208c147 and v52.0 1314ac883");
    static final Source SPARSE = new Source("cloud-hypervisor", "pci/src/vfio.rs", "generate_sparse_areas", "PR #3283, PR #7904");
    static final Source MAP = new Source("cloud-hypervisor", "pci/src/vfio.rs", "map_mmio_regions", "PR #7939");

    @Override
    public String id() {
        return pr7904 && pr7939 ? "cloud-hypervisor-52" : "cloud-hypervisor-51" + (pr7904 ? "+7904" : "") + (pr7939 ? "+7939" : "");
    }

    @Override
    public String family() { return "cloud-hypervisor"; }

    @Override
    public String label() {
        return pr7904 && pr7939 ? "cloud-hypervisor v52" : "cloud-hypervisor v51" + (pr7904 ? "+#7904" : "") + (pr7939 ? "+#7939" : "");
    }

    @Override
    public List<Source> sources() { return List.of(ALLOC, SPARSE, MAP); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long page) {
        var rb = new RunBuilder(id(), page);
        Map<String, Optional<Msix>> msixOf = new TreeMap<>();
        for (Passthrough p : topology.devices()) {
            Optional<Msix> msix = p.host().msix();
            for (HostBar b : p.host().bars()) {
                if (b.size() == 0) continue;
                BarKey k = VmmSupport.key(p, b.index());
                long size = VmmSupport.pow2(b.size());
                if (!b.io() && b.mem64() && msix.isPresent()) {
                    // fixup_msix_region: only the table's BAR, only when the table offset is not page-aligned
                    Msix m = msix.get();
                    if (m.tableBar() == b.index() && (m.tableOffset() & (page - 1)) != 0) {
                        long tableSize = m.tableSize();
                        long pbaSize = ((m.entries() / 64) + 1) * 8L;   // pci/src/msix.rs pba_range
                        long msixSz = VmmSupport.alignUp(tableSize + pbaSize, page);
                        size = Math.max(size * 2, msixSz * 2);
                        long table = size / 2;
                        msix = Optional.of(new Msix(m.tableBar(), table, m.pbaBar(), table + m.pbaOffset() - m.tableOffset(), m.entries()));
                    }
                }
                rb.guestBars.put(k, new GuestBar(k, size, b.io(), b.mem64(), b.prefetchable(), p.bus()));
                rb.hostBars.put(k, b);
            }
            msixOf.put(p.guestName(), msix);
        }
        topology.emulated().forEach(b -> rb.guestBars.put(b.key(), b));
        // allocate_bars: cloud-hypervisor programs every BAR itself; its firmware and the guest keep the addresses
        var pass = rb.guestBars.values().stream().filter(g -> rb.hostBars.containsKey(g.key())).toList();
        rb.layout = VmmAllocator.cloudHypervisor(topology.platform(), page, topology.platform().equals(GuestPlatform.x86()))
                .place(topology.emulated(), pass);

        for (Passthrough p : topology.devices()) {
            Optional<Msix> msix = msixOf.get(p.guestName());
            for (HostBar b : p.host().bars()) {
                BarKey k = VmmSupport.key(p, b.index());
                Long gpa = rb.layout.addresses().get(k);
                if (b.size() == 0 || b.io() || gpa == null) continue;
                // pci/src/msix.rs pba_range: ((entries / 64) + 1) * 8 bytes
                msix.ifPresent(m -> rb.emulateMsix(k, b.index(), gpa, m, ((m.entries() / 64) + 1) * 8L));
                if (!b.mmappable()) continue;
                boolean holdsMsix = msix.map(m -> m.tableBar() == b.index() || m.pbaBar() == b.index()).orElse(false);
                if (holdsMsix && !b.msixMappable()) {
                    rb.notes.put(k, "holds the MSI-X table/PBA and the host gave no MSIX_MAPPABLE: not mmapped");
                    continue;
                }
                List<MmapArea> areas;
                if (b.sparseMmap().isPresent()) {
                    areas = b.mmapAreas();
                } else if (b.msixMappable()) {
                    if ((gpa & 0xfff) != 0) return rb.fail("Failed to map VFIO MMIO region: Invalid region alignment", BootFailure.Cause.KVM_SLOT_REFUSED, SPARSE);
                    if ((b.size() & 0xfff) != 0) return rb.fail("Failed to map VFIO MMIO region: Invalid region size", BootFailure.Cause.MMAP_FAILED, SPARSE);
                    areas = sparseAround(b, msix, page);
                    // generate_sparse_areas (v52.0 1314ac883) rounds the table's offset down and its size up separately,
                    // so a table that straddles a page boundary keeps its tail outside the hole: mapped directly
                    msix.filter(m -> m.tableBar() == b.index() && m.tableOffset() < b.size()).ifPresent(m -> {
                        long holeEnd = VmmSupport.alignDown(m.tableOffset(), page) + VmmSupport.alignUp(m.tableSize(), page);
                        if (holeEnd < m.tableOffset() + m.tableSize()) {
                            rb.warnings.add(String.format("%s BAR%d: MSI-X table [0x%x, 0x%x) partly mapped directly: generate_sparse_areas carves only "
                                    + "[0x%x, 0x%x), so guest writes to [0x%x, 0x%x) reach the device and bypass cloud-hypervisor's MSI-X emulation "
                                    + "(barmap's description)", p.guestName(), b.index(), m.tableOffset(), m.tableOffset() + m.tableSize(),
                                    VmmSupport.alignDown(m.tableOffset(), page), holeEnd, holeEnd, m.tableOffset() + m.tableSize()));
                        }
                    });
                } else {
                    areas = List.of(new MmapArea(0, b.size()));
                }
                for (MmapArea a : areas) {
                    long len = a.size();
                    if (len < page && pr7939) {
                        if (a.offset() != 0) {
                            return rb.fail(String.format("Failed to map VFIO MMIO region: Failed to mmap the area (BAR %d: sub-page sparse area at non-zero offset 0x%x cannot be safely expanded to page size)", b.index(), a.offset()), BootFailure.Cause.SUB_PAGE_AREA, MAP);
                        }
                        len = page;
                    }
                    var mm = VmmSupport.hostMmap(b, a.offset(), len, page);
                    if (mm.isPresent()) {
                        return rb.fail(String.format("Failed to map VFIO MMIO region: Failed to mmap the area (Could not mmap sparse area (offset = 0x%x, size = 0x%x): %s)",
                                a.offset(), len, VmmSupport.EINVAL), BootFailure.Cause.MMAP_FAILED, MAP);
                    }
                    rb.addMmap(k, new MmapArea(a.offset(), len));
                    var kvm = rb.kvmSlot(k, gpa + a.offset(), len, b.hostStart() + a.offset());
                    if (kvm.isPresent()) {
                        return rb.fail("Failed to map VFIO MMIO region: Failed to create user memory region (" + kvm.get() + ")", BootFailure.Cause.KVM_SLOT_REFUSED, MAP);
                    }
                }
            }
        }
        return rb.ok();
    }

    /** generate_sparse_areas with MSIX_MAPPABLE: areas around the page-rounded table and PBA. */
    private List<MmapArea> sparseAround(HostBar b, Optional<Msix> msix, long page) {
        var holes = new TreeMap<Long, Long>();
        long regionSize = b.size();
        msix.ifPresent(m -> {
            if (m.tableBar() == b.index()) {
                long off = VmmSupport.alignDown(m.tableOffset(), page);
                if (!pr7904 || off < regionSize) holes.put(off, VmmSupport.alignUp(m.tableSize(), page));
            }
            if (m.pbaBar() == b.index()) {
                long off = VmmSupport.alignDown(m.pbaOffset(), page);
                if (!pr7904 || off < regionSize) holes.put(off, VmmSupport.alignUp(((m.entries() / 64) + 1) * 8L, page));
            }
        });
        var areas = new ArrayList<MmapArea>();
        long cur = 0;
        for (var h : holes.entrySet()) {
            if (h.getKey() > cur) areas.add(new MmapArea(cur, h.getKey() - cur));
            cur = VmmSupport.alignDown(h.getKey() + h.getValue(), page);
        }
        if (regionSize > cur) areas.add(new MmapArea(cur, regionSize - cur));
        return areas;
    }
}
