package dev.barmap.vfio;

import java.lang.foreign.Arena;

/**
 * A VFIO container: {@code /dev/vfio/vfio}, holding the IOMMU context that groups attach to
 * (Documentation/driver-api/vfio.rst). Owned by an {@link Arena}.
 */
public final class VfioContainer implements AutoCloseable {
    public static final String PATH = "/dev/vfio/vfio";
    private final Fd fd;

    private VfioContainer(Fd fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/vfio/vfio} and checks the API version. */
    public static VfioContainer open(Arena arena) {
        VfioContainer c = new VfioContainer(Fd.own(LibC.open(PATH, LibC.O_RDWR | LibC.O_CLOEXEC), PATH, arena));
        int v = c.apiVersion();
        if (v != VfioAbi.VFIO_API_VERSION) {
            c.close();
            throw new IllegalStateException("VFIO_GET_API_VERSION returned " + v + ", this binding speaks version " + VfioAbi.VFIO_API_VERSION);
        }
        return c;
    }

    /** VFIO_GET_API_VERSION. */
    public int apiVersion() {
        return LibC.ioctl(fd.get(), VfioAbi.VFIO_GET_API_VERSION, 0, "VFIO_GET_API_VERSION");
    }

    /** VFIO_CHECK_EXTENSION: whether the container supports an IOMMU type (after a group is attached). */
    public boolean checkExtension(IommuType type) {
        return checkExtension(type.value()) > 0;
    }

    /** VFIO_CHECK_EXTENSION with a raw extension number; the kernel's answer (0 = unsupported). */
    public int checkExtension(int extension) {
        return LibC.ioctl(fd.get(), VfioAbi.VFIO_CHECK_EXTENSION, extension, "VFIO_CHECK_EXTENSION(" + extension + ")");
    }

    /** VFIO_SET_IOMMU: needs at least one group attached (VFIO_GROUP_SET_CONTAINER) first. */
    public void setIommu(IommuType type) {
        LibC.ioctl(fd.get(), VfioAbi.VFIO_SET_IOMMU, type.value(), "VFIO_SET_IOMMU(" + type + ")");
    }

    /** Tries TYPE1v2, TYPE1, NOIOMMU in that order and sets the first the container supports; returns it. */
    public IommuType setBestIommu() {
        dev.barmap.model.vfio.VfioException last = null;
        for (IommuType t : IommuType.values()) {
            if (!checkExtension(t)) continue;
            try {
                setIommu(t);
                return t;
            } catch (dev.barmap.model.vfio.VfioException e) {
                last = e;
            }
        }
        if (last != null) throw last;
        throw new dev.barmap.model.vfio.VfioException("VFIO_SET_IOMMU", dev.barmap.model.vfio.Errno.ENODEV,
                "the container supports none of TYPE1v2, TYPE1, NOIOMMU (is a group attached? is vfio_iommu_type1 loaded?)");
    }

    int fd() { return fd.get(); }

    @Override
    public void close() { fd.close(); }
}
