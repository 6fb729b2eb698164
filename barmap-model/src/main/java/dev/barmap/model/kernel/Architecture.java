package dev.barmap.model.kernel;

import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.Window;

import java.util.Map;
import java.util.Optional;

/**
 * The host architecture as one type: its spellings, its distribution kernels' page size, the QEMU machine a guest
 * of it runs on, that machine's PCI windows, and who places the guest's BARs by default.
 */
public enum Architecture {
    /** x86_64: QEMU q35 with SeaBIOS (hw/i386/pc_q35.c). */
    X86_64(4096, GuestMachine.Q35, "seabios"),
    /**
     * aarch64: QEMU {@code virt} (hw/arm/virt.c). Its firmware is EDK2 (ArmVirtQemu), which barmap does not model;
     * the guest placement defaults to Linux's own assignment.
     */
    AARCH64(4096, GuestMachine.VIRT, "linux"),
    /** ppc64le: QEMU pseries (hw/ppc/spapr.c) with SLOF; distribution kernels use 64 KiB pages. */
    PPC64LE(65536, GuestMachine.PSERIES, "slof"),
    /** Any other architecture: planned on {@code virt} with Linux's placement, as aarch64. */
    OTHER(4096, GuestMachine.VIRT, "linux");

    /** The QEMU machine type a guest of this architecture runs on. */
    public enum GuestMachine { Q35, VIRT, PSERIES }

    private final long defaultPageSize;
    private final GuestMachine machine;
    private final String defaultPlacement;

    Architecture(long defaultPageSize, GuestMachine machine, String defaultPlacement) {
        this.defaultPageSize = defaultPageSize;
        this.machine = machine;
        this.defaultPlacement = defaultPlacement;
    }

    /** The architecture a {@code uname -m} / os.arch / Debian spelling names. */
    public static Architecture of(String arch) {
        return switch (arch == null ? "" : arch) {
            case "x86_64", "amd64", "x86-64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            case "ppc64le", "ppc64el", "ppc64" -> PPC64LE;
            default -> arch.matches("i[3-6]86") ? X86_64 : OTHER;
        };
    }

    /** Default page size of the architecture's distribution kernels (Debian: ppc64el 64K, others 4K). */
    public long defaultPageSize() { return defaultPageSize; }

    public GuestMachine machine() { return machine; }

    /** The {@code --guest} placement used when none is given: seabios, linux or slof. */
    public String defaultPlacement() { return defaultPlacement; }

    /** The guest machine's PCI windows. */
    public GuestPlatform guestPlatform() {
        return switch (machine) {
            case Q35 -> GuestPlatform.x86();
            case PSERIES -> GuestPlatform.ppc64Pseries();
            // hw/arm/virt.c base_memmap (QEMU 7.2): VIRT_PCIE_MMIO { 0x10000000, 0x2eff0000 }, VIRT_PCIE_PIO 64 KiB
            // (PCI I/O addresses 0..0xffff); extended_memmap VIRT_HIGH_PCIE_MMIO 512 GiB, aligned to its size after
            // the RAM: at 512 GiB for a guest with less than 511 GiB of RAM
            case VIRT -> new GuestPlatform(new Window(0x1000_0000L, 0x3eff_0000L), Optional.of(new Window(0x80_0000_0000L, 0x100_0000_0000L)),
                    new Window(0x1000, 0x10000), Map.of());
        };
    }

    /** The machine as QEMU names it, for output. */
    public String machineName() {
        return switch (machine) {
            case Q35 -> "q35";
            case VIRT -> "virt";
            case PSERIES -> "pseries";
        };
    }

    /** Linux's x86 arch hooks (E820, pcibios_align_resource) apply. */
    public boolean isX86() { return this == X86_64; }
}
