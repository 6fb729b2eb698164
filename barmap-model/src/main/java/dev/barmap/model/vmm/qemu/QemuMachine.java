package dev.barmap.model.vmm.qemu;

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

    /** hw/pci/pci.c pci_update_mappings for one BAR: unmapped → mapped at addr, or moved. */
    void mapBar(MemoryRegion barMemory, long oldAddr, long newAddr) {
        if (oldAddr == newAddr) return;
        if (oldAddr != QemuPciFunction.UNMAPPED) pci.delSubregion(barMemory);
        if (newAddr != QemuPciFunction.UNMAPPED) pci.addSubregionOverlap(newAddr, barMemory, 1);
    }
}
