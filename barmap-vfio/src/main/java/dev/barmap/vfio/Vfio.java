package dev.barmap.vfio;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens vfio-pci devices by PCI address, the way a VMM does: find the function's IOMMU group in sysfs,
 * open the group once, give it its own container with the best IOMMU type the kernel offers
 * (TYPE1v2, TYPE1, NOIOMMU), then VFIO_GROUP_GET_DEVICE_FD. Devices of one group share the group and
 * container (a group can be opened only once). Everything is owned by the {@link Arena}: closing it
 * releases every device fd, group, container and mapping.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     Vfio vfio = Vfio.open(arena);
 *     FfmVfioDevice dev = vfio.device("0000:00:05.0");
 *     RegionAccess bar0 = dev.region(0, arena);
 *     int v = bar0.read32(0);
 * }
 * }</pre>
 */
public final class Vfio {
    private final Arena arena;
    private final Path sysfs;
    private final Map<String, VfioGroup> groups = new LinkedHashMap<>();
    private final Map<String, VfioContainer> containers = new LinkedHashMap<>();
    private final Map<String, IommuType> iommu = new LinkedHashMap<>();

    private Vfio(Arena arena, Path sysfs) {
        this.arena = arena;
        this.sysfs = sysfs;
    }

    public static Vfio open(Arena arena) {
        return new Vfio(arena, Path.of("/sys"));
    }

    /** The device at {@code bdf}, e.g. {@code 0000:00:05.0}. */
    public FfmVfioDevice device(String bdf) {
        return group(VfioGroup.groupOf(sysfs, bdf)).device(bdf, arena);
    }

    /** The group, opened and attached to a fresh container on first use. */
    public VfioGroup group(String name) {
        VfioGroup g = groups.get(name);
        if (g != null) return g;
        g = VfioGroup.open(arena, name);
        if (!g.viable()) {
            g.close();
            throw new dev.barmap.model.vfio.VfioException("VFIO_GROUP_GET_STATUS(group " + name + ")", dev.barmap.model.vfio.Errno.EPERM,
                    "group not viable: bind every device of IOMMU group " + name + " to vfio-pci (or unbind it)");
        }
        VfioContainer c = VfioContainer.open(arena);
        g.setContainer(c);
        iommu.put(name, c.setBestIommu());
        groups.put(name, g);
        containers.put(name, c);
        return g;
    }

    /** The container of the IOMMU group {@code bdf} belongs to (opened with its group): DMA mappings for the device go there. */
    public VfioContainer containerOf(String bdf) {
        String g = VfioGroup.groupOf(sysfs, bdf);
        group(g);
        return containers.get(g);
    }

    /** The IOMMU type set on a group's container. */
    public IommuType iommuType(String group) { return iommu.get(group); }
}
