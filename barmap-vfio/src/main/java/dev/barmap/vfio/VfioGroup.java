package dev.barmap.vfio;

import dev.barmap.model.vfio.Errno;
import dev.barmap.model.vfio.VfioException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A VFIO group: {@code /dev/vfio/N} (or {@code /dev/vfio/noiommu-N} for a no-IOMMU group), the unit of
 * ownership; devices are reached through it once it is attached to a container. Owned by an {@link Arena}.
 */
public final class VfioGroup implements AutoCloseable {
    private final String name;
    private final Fd fd;
    private final Arena arena;

    private VfioGroup(String name, Fd fd, Arena arena) {
        this.name = name;
        this.fd = fd;
        this.arena = arena;
    }

    /** Opens group {@code group} ({@code /dev/vfio/N}, else {@code /dev/vfio/noiommu-N}). */
    public static VfioGroup open(Arena arena, String group) {
        if (!group.matches("\\d+")) throw new IllegalArgumentException("an IOMMU group is a number, got '" + group + "'");
        String path = "/dev/vfio/" + group;
        String noiommu = "/dev/vfio/noiommu-" + group;
        if (!Files.exists(Path.of(path)) && Files.exists(Path.of(noiommu))) path = noiommu;
        return new VfioGroup(group, Fd.own(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC), path, arena), arena);
    }

    /** The IOMMU group of a PCI function: the last element of {@code SYSFS/bus/pci/devices/BDF/iommu_group}. */
    public static String groupOf(Path sysfs, String bdf) {
        Path link = sysfs.resolve("bus/pci/devices").resolve(bdf).resolve("iommu_group");
        try {
            return Files.readSymbolicLink(link).getFileName().toString();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new VfioException("readlink(" + link + ")", Errno.ENOENT, Files.exists(link.getParent())
                    ? "the function has no IOMMU group (no IOMMU and no no-IOMMU mode?)" : "no such PCI function");
        } catch (java.io.IOException e) {
            throw new VfioException("readlink(" + link + ")", Errno.EIO, e.getMessage());
        }
    }

    public String name() { return name; }

    /** VFIO_GROUP_GET_STATUS flags (VIABLE 1, CONTAINER_SET 2). */
    public int status() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VfioAbi.GroupStatus.SIZEOF, 8);
            VfioAbi.GroupStatus.argsz(s, VfioAbi.GroupStatus.SIZEOF);
            LibC.ioctl(fd.get(), VfioAbi.VFIO_GROUP_GET_STATUS, s, "VFIO_GROUP_GET_STATUS(group " + name + ")");
            return VfioAbi.GroupStatus.flags(s);
        }
    }

    /** Whether every device in the group is bound to a VFIO driver (or none). */
    public boolean viable() { return (status() & VfioAbi.VFIO_GROUP_FLAGS_VIABLE) != 0; }

    /** VFIO_GROUP_SET_CONTAINER. */
    public void setContainer(VfioContainer container) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(4, 4);
            p.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, container.fd());
            LibC.ioctl(fd.get(), VfioAbi.VFIO_GROUP_SET_CONTAINER, p, "VFIO_GROUP_SET_CONTAINER(group " + name + ")");
        }
    }

    /** VFIO_GROUP_GET_DEVICE_FD: opens the device; it belongs to this group's arena. */
    public FfmVfioDevice device(String bdf) {
        return device(bdf, arena);
    }

    /** VFIO_GROUP_GET_DEVICE_FD with the device fd owned by {@code owner}. */
    public FfmVfioDevice device(String bdf, Arena owner) {
        int dfd;
        try (Arena a = Arena.ofConfined()) {
            dfd = LibC.ioctl(fd.get(), VfioAbi.VFIO_GROUP_GET_DEVICE_FD, a.allocateFrom(bdf), "VFIO_GROUP_GET_DEVICE_FD(" + bdf + ")");
        }
        return new FfmVfioDevice(bdf, Fd.own(dfd, "vfio device " + bdf, owner));
    }

    @Override
    public void close() { fd.close(); }
}
