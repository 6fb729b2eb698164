package dev.barmap.model.memory;

/**
 * What a {@link MemoryRegion} is, in QEMU's memory API terms (docs/devel/memory.rst, system/memory.c).
 * The {@link #mtreeName()} is the word {@code info mtree} prints in "(prio N, word)".
 */
public enum RegionKind {
    /** memory_region_init: a pure container, does not terminate; gaps fall through. Prints "i/o". */
    CONTAINER("i/o", false),
    /** memory_region_init_io: MMIO dispatched to callbacks; every access exits to the VMM (trapped). */
    IO("i/o", true),
    /** memory_region_init_ram: guest RAM. */
    RAM("ram", true),
    /** memory_region_init_rom. */
    ROM("rom", true),
    /** memory_region_init_ram_device_ptr: an mmap of device memory (vfio "BAR n mmaps[i]"); may get a KVM slot. */
    RAM_DEVICE("ramd", true);

    private final String mtreeName;
    private final boolean terminates;

    RegionKind(String mtreeName, boolean terminates) {
        this.mtreeName = mtreeName;
        this.terminates = terminates;
    }

    public String mtreeName() { return mtreeName; }

    /** memory.c: {@code mr->terminates}; a terminating region fills the gaps its subregions leave. */
    public boolean terminates() { return terminates; }

    /** memory_region_is_ram(): only RAM-backed regions may become KVM memory slots (kvm-all.c kvm_set_phys_mem). */
    public boolean isRam() { return this == RAM || this == ROM || this == RAM_DEVICE; }

    /** {@link #isRam()} of the kind {@code info mtree} printed as {@code mtreeName} ("i/o" is never RAM). */
    public static boolean isRam(String mtreeName) {
        for (RegionKind k : values()) if (k.isRam() && k.mtreeName.equals(mtreeName)) return true;
        return false;
    }
}
