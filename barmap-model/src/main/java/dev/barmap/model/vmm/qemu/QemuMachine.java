package dev.barmap.model.vmm.qemu;

import dev.barmap.model.memory.FlatRange;
import dev.barmap.model.memory.FlatView;
import dev.barmap.model.memory.KvmSlot;
import dev.barmap.model.memory.KvmSlots;
import dev.barmap.model.memory.MemoryRegion;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of a QEMU machine the BAR mapping depends on: the "system" root, the "pci" memory container under it
 * at priority -1 (hw/pci-host/q35.c, hw/i386/pc.c: {@code memory_region_add_subregion_overlap(system, 0, pci, -1)}),
 * and the PCI core's BAR mapping (hw/pci/pci.c pci_update_mappings: a BAR that moves is deleted and re-added with
 * {@code memory_region_add_subregion_overlap(address_space, addr, r->memory, 1)}).
 */
public final class QemuMachine {
    private final long hostPageSize;
    private final MemoryRegion system = MemoryRegion.container("system", MemoryRegion.UNBOUNDED);
    private final MemoryRegion pci = MemoryRegion.container("pci", MemoryRegion.UNBOUNDED);
    private final List<QemuPciFunction> functions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** When set ({@link #logVfioListener}): the version whose vfio listener messages are logged, the last committed view. */
    private QemuVersion listenerVersion;
    private FlatView committed;
    private int transactionDepth;
    private final List<String> listenerLog = new ArrayList<>();

    public QemuMachine(long hostPageSize) {
        if (hostPageSize <= 0 || Long.bitCount(hostPageSize) != 1) throw new IllegalArgumentException("page size " + hostPageSize);
        this.hostPageSize = hostPageSize;
        system.addSubregionOverlap(0, pci, -1);
    }

    public long hostPageSize() { return hostPageSize; }

    public MemoryRegion system() { return system; }

    /** The PCI memory address space container ("pci" in {@code info mtree}). */
    public MemoryRegion pciMemory() { return pci; }

    public List<QemuPciFunction> functions() { return List.copyOf(functions); }

    /** Warnings QEMU printed on stderr (error_report) while realizing and mapping. */
    public List<String> warnings() { return List.copyOf(warnings); }

    void warn(String w) { warnings.add(w); }

    void add(QemuPciFunction f) { functions.add(f); }

    /** An emulated device (e.g. i6300esb, ahci): each BAR is one I/O region of the given name and size. */
    public QemuPciFunction.Emulated addEmulated(String name, long... barSizes) {
        var f = new QemuPciFunction.Emulated(this, name, barSizes);
        functions.add(f);
        return f;
    }

    /** An emulated device whose BARs are registered as given (each one region named after the device). */
    public QemuPciFunction.Emulated addEmulated(String name, List<QemuPciFunction.BarSpec> bars) {
        var f = new QemuPciFunction.Emulated(this, name, bars);
        functions.add(f);
        return f;
    }

    /** The rendered flat view of the "system" address space. */
    public FlatView flatView() { return FlatView.render(system); }

    /** The KVM slots QEMU would register for the current flat view (kvm_align_section). */
    public List<KvmSlot> kvmSlots() { return KvmSlots.of(flatView(), hostPageSize); }

    /**
     * hw/pci/pci.c pci_update_mappings for one BAR: unmapped → mapped at addr, or moved. memory_region_del_subregion
     * and memory_region_add_subregion_overlap each commit on their own (no transaction around them).
     */
    void mapBar(MemoryRegion barMemory, long oldAddr, long newAddr) {
        if (oldAddr == newAddr) return;
        if (oldAddr != QemuPciFunction.UNMAPPED) {
            begin();
            pci.delSubregion(barMemory);
            commit();
        }
        if (newAddr != QemuPciFunction.UNMAPPED) {
            begin();
            pci.addSubregionOverlap(newAddr, barMemory, 1);
            commit();
        }
    }

    /**
     * From now on, log what the vfio-pci memory listener of {@code version} prints on stderr about the "memory"
     * address space: a RAM section (the vfio mmaps; I/O regions are skipped, vfio_listener_skipped_section) added
     * or removed whose guest address and offset in its region differ below the host page gets error_report
     * {@code "%s received unaligned region %s iova=0x%x offset_within_region=0x%x qemu_real_host_page_size=0x%x"}
     * (hw/vfio/common.c vfio_listener_region_add/del up to 7.2, vfio_listener_valid_section from 8.0;
     * {@link QemuVersion#unalignedReporter}). Off by default: it renders the flat view at every commit.
     */
    public void logVfioListener(QemuVersion version) {
        listenerVersion = version;
        committed = FlatView.render(system);
    }

    /** The vfio listener's stderr lines so far (without QEMU's "qemu-system-x86_64: " prefix); empty unless logged. */
    public List<String> vfioListenerLog() { return List.copyOf(listenerLog); }

    /** memory_region_transaction_begin. */
    void begin() { transactionDepth++; }

    /**
     * memory_region_transaction_commit: at depth 0 the address space's new flat view goes to its listeners,
     * system/memory.c address_space_update_topology_pass: first every range of the old view not in the new one
     * (region_del; a range at the same start whose region, size or offset changed counts as gone), then every new
     * range not in the old one (region_add), each pass in address order.
     */
    void commit() {
        if (--transactionDepth > 0 || listenerVersion == null) return;
        FlatView now = FlatView.render(system);
        List<FlatRange> old = committed.ranges(), neu = now.ranges();
        for (boolean adding : new boolean[] {false, true}) {
            int i = 0, j = 0;
            while (i < old.size() || j < neu.size()) {
                FlatRange o = i < old.size() ? old.get(i) : null, n = j < neu.size() ? neu.get(j) : null;
                if (o != null && (n == null || Long.compareUnsigned(o.start(), n.start()) < 0 || (o.start() == n.start() && !o.equals(n)))) {
                    if (!adding) listener(o, false);
                    i++;
                } else if (o != null && o.equals(n)) {
                    i++;
                    j++;
                } else {
                    if (adding) listener(n, true);
                    j++;
                }
            }
        }
        committed = now;
    }

    private void listener(FlatRange r, boolean add) {
        if (!r.kind().isRam()) return; // vfio_listener_skipped_section: neither RAM nor an IOMMU
        if (((r.start() ^ r.offsetInRegion()) & (hostPageSize - 1)) == 0) return;
        listenerLog.add(String.format("%s received unaligned region %s iova=0x%x offset_within_region=0x%x qemu_real_host_page_size=0x%x",
                listenerVersion.unalignedReporter(add), r.region().name(), r.start(), r.offsetInRegion(), hostPageSize));
    }
}
