package dev.barmap.model.guest;

import java.util.List;
import java.util.Objects;

/**
 * Linux assigning BARs itself (firmware left them unassigned, e.g. qboot, or after remove/rescan):
 * drivers/pci/setup-bus.c pbus_assign_resources_sorted → pdev_sort_resources (alignment, i.e. size, largest
 * first) → setup-res.c pci_assign_resource → kernel/resource.c allocate_resource/find_resource (lowest aligned fit
 * in the bus window). Small BARs are aligned only to their size, so they share pages. Prefetchable 64-bit BARs go
 * to the 64-bit window.
 *
 * @param allocator the find_resource implementation (the seam for the shared {@code dev.barmap.model.alloc}
 *                  allocator from the hot-add work)
 */
public record LinuxAssign(ResourceAllocator allocator) implements GuestFirmware {
    public LinuxAssign {
        Objects.requireNonNull(allocator);
    }

    public LinuxAssign() { this(ResourceAllocator.FIRST_FIT); }

    @Override
    public String id() { return "linux"; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        return placer(id(), bar -> bar.size()).place(bars, platform);
    }

    Placer placer(String id, java.util.function.ToLongFunction<GuestBar> sizeOf) {
        return new Placer(id, Placer.Mode.FIRST_FIT, sizeOf, sizeOf,
                b -> b.mem64() && b.prefetchable(), Placer.BY_ALIGN_DESC, allocator);
    }
}
