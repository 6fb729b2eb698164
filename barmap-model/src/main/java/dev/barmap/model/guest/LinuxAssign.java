package dev.barmap.model.guest;

import dev.barmap.model.alloc.ArchRules;
import dev.barmap.model.alloc.LinuxBarAllocator;
import java.util.List;
import java.util.Objects;

/**
 * Linux assigning BARs itself (firmware left them unassigned, e.g. qboot, or after remove/rescan):
 * drivers/pci/setup-bus.c pbus_assign_resources_sorted → pdev_sort_resources (alignment, i.e. size, largest
 * first) → setup-res.c pci_assign_resource → kernel/resource.c allocate_resource/find_resource (lowest aligned fit
 * in the bus window). Small BARs are aligned only to their size, so they share pages. A 64-bit BAR goes above
 * 4 GiB when the root bus has a window there (drivers/pci/bus.c pci_bus_alloc_resource: pci_high first).
 *
 * @param allocator Linux's BAR allocator, the same code path as host hot-add ({@link LinuxBarAllocator}, Linux 6.1)
 */
public record LinuxAssign(LinuxBarAllocator allocator) implements GuestFirmware {
    public LinuxAssign {
        Objects.requireNonNull(allocator);
    }

    /**
     * An x86 guest: arch/x86 pcibios_align_resource (ISA floor, ISA I/O aliases) and arch_remove_reservations
     * (BIOS ROM area). The guest's E820 table is not modelled: the guest windows lie outside its RAM.
     */
    public LinuxAssign() { this(new LinuxBarAllocator(ArchRules.x86(List.of()))); }

    /** The guest kernel's arch hooks: x86 for x86_64/i?86, the generic __weak ones otherwise (pseries). */
    public static LinuxAssign forArch(String arch) {
        return new LinuxAssign(new LinuxBarAllocator(dev.barmap.model.kernel.Architecture.of(arch).isX86()
                ? ArchRules.x86(List.of()) : ArchRules.generic(0)));
    }

    @Override
    public String id() { return "linux"; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        return placer(id(), bar -> bar.size()).place(bars, platform);
    }

    Placer placer(String id, java.util.function.ToLongFunction<GuestBar> sizeOf) {
        return new Placer(id, Placer.Mode.LINUX, sizeOf, sizeOf,
                b -> false /* the allocator picks the window */, Placer.BY_ALIGN_DESC, allocator);
    }
}
