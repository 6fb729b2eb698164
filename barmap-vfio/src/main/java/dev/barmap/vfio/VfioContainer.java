package dev.barmap.vfio;

import dev.barmap.model.vfio.Errno;
import dev.barmap.model.vfio.VfioException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A VFIO container: {@code /dev/vfio/vfio}, holding the IOMMU context that groups attach to
 * (Documentation/driver-api/vfio.rst). Owned by an {@link Arena}.
 */
public final class VfioContainer implements AutoCloseable {
    public static final String PATH = "/dev/vfio/vfio";
    private final Fd fd;
    private IommuType type;
    private final List<DmaMapping> mappings = new ArrayList<>();

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
        this.type = type;
    }

    /** The IOMMU type set by {@link #setIommu}, or null before. */
    public IommuType iommuType() { return type; }

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

    private void requireType1(String call) {
        if (type != IommuType.TYPE1 && type != IommuType.TYPE1V2) {
            // vfio_noiommu_ioctl() (drivers/vfio/vfio_main.c, 6.1) answers only VFIO_CHECK_EXTENSION
            throw new VfioException(call, Errno.ENOTTY, "the container's IOMMU is " + (type == null ? "not set" : type) + "; DMA mapping needs TYPE1 or TYPE1v2");
        }
    }

    /**
     * VFIO_IOMMU_GET_INFO with its capability chain (IOVA ranges, DMA mappings available). Like region
     * info, the first call passes the bare struct and is repeated once with the {@code argsz} the kernel
     * asks for when the chain did not fit (vfio_iommu_type1_get_info(), drivers/vfio/vfio_iommu_type1.c, 6.1).
     */
    public IommuInfo iommuInfo() {
        String call = "VFIO_IOMMU_GET_INFO";
        requireType1(call);
        int argsz = VfioAbi.IommuType1Info.SIZEOF;
        for (int attempt = 0; ; attempt++) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(argsz, 8);
                VfioAbi.IommuType1Info.argsz(s, argsz);
                LibC.ioctl(fd.get(), VfioAbi.VFIO_IOMMU_GET_INFO, s, call);
                int flags = VfioAbi.IommuType1Info.flags(s);
                int want = VfioAbi.IommuType1Info.argsz(s);
                if (want > argsz && (flags & VfioAbi.VFIO_IOMMU_INFO_CAPS) != 0) {
                    if (attempt > 0) throw new VfioException(call, Errno.ENOSPC, "kernel asked for " + want + " bytes twice");
                    argsz = want;
                    continue;
                }
                var ranges = new ArrayList<IovaRange>();
                OptionalInt avail = OptionalInt.empty();
                int at = (flags & VfioAbi.VFIO_IOMMU_INFO_CAPS) != 0 ? VfioAbi.IommuType1Info.capOffset(s) : 0;
                for (int hops = 0; at != 0; hops++) {
                    if (hops > 64 || at < VfioAbi.IommuType1Info.SIZEOF || at + VfioAbi.CapHeader.SIZEOF > argsz) {
                        throw new VfioException(call, Errno.EIO, "malformed capability chain at offset " + at);
                    }
                    int id = VfioAbi.CapHeader.id(s, at);
                    if (id == VfioAbi.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
                        int n = VfioAbi.IovaRangeCap.nrIovas(s, at);
                        if (at + VfioAbi.IovaRangeCap.RANGES_OFFSET + (long) n * VfioAbi.IovaRangeCap.RANGE_SIZEOF > argsz) {
                            throw new VfioException(call, Errno.EIO, n + " IOVA ranges do not fit the " + argsz + "-byte answer");
                        }
                        for (int i = 0; i < n; i++) ranges.add(new IovaRange(VfioAbi.IovaRangeCap.start(s, at, i), VfioAbi.IovaRangeCap.end(s, at, i)));
                    } else if (id == VfioAbi.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
                        avail = OptionalInt.of(VfioAbi.IovaRangeCap.dmaAvail(s, at));
                    }
                    at = VfioAbi.CapHeader.next(s, at);
                }
                return new IommuInfo(flags, VfioAbi.IommuType1Info.iovaPgsizes(s), ranges, avail);
            }
        }
    }

    /**
     * Maps {@code buffer} for device reads and writes at {@code iova} (VFIO_IOMMU_MAP_DMA, READ | WRITE).
     * {@code owner} must be the arena that allocated {@code buffer}: the mapping is unmapped when it closes,
     * before the memory is freed (an arena runs its cleanup actions last-registered first), so the device
     * can never reach memory the JVM has given back. Refused before the ioctl, with the reason: a heap or
     * foreign-arena segment, an address, size or IOVA not a multiple of the IOMMU page, an IOVA range
     * outside the container's usable ranges (the kernel: EINVAL) or overlapping an existing mapping
     * (the kernel: EEXIST; vfio_dma_do_map(), drivers/vfio/vfio_iommu_type1.c, 6.1).
     */
    public DmaMapping mapDma(MemorySegment buffer, long iova, Arena owner) {
        String call = String.format("VFIO_IOMMU_MAP_DMA(0x%x bytes at IOVA 0x%x)", buffer.byteSize(), iova);
        requireType1(call);
        if (!buffer.isNative()) throw new IllegalArgumentException(call + ": a DMA buffer must be native memory (from an Arena), not a heap segment");
        if (!buffer.scope().equals(owner.scope())) {
            throw new IllegalArgumentException(call + ": the buffer must belong to the owning arena, so its memory cannot be freed while it is mapped");
        }
        long size = buffer.byteSize();
        if (size == 0) throw new VfioException(call, Errno.EINVAL, "empty buffer");
        IommuInfo info = iommuInfo();
        long page = info.minPageSize() == 0 ? NativePlatform.pageSize() : info.minPageSize();
        if (((buffer.address() | size | iova) & (page - 1)) != 0) {
            throw new VfioException(call, Errno.EINVAL, String.format("address 0x%x, size 0x%x and IOVA must be multiples of the IOMMU page 0x%x "
                    + "(allocate with arena.allocate(size, 0x%x))", buffer.address(), size, page, page));
        }
        if (Long.compareUnsigned(iova + size - 1, iova) < 0) throw new VfioException(call, Errno.EINVAL, "the IOVA range wraps around");
        if (!info.iovaRanges().isEmpty() && info.iovaRanges().stream().noneMatch(r -> r.contains(iova, size))) {
            throw new VfioException(call, Errno.EINVAL, "outside the container's usable IOVA ranges " + info.iovaRanges());
        }
        synchronized (mappings) {
            for (DmaMapping m : mappings) {
                if (m.overlaps(iova, size)) throw new VfioException(call, Errno.EEXIST, "overlaps the existing " + m);
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(VfioAbi.DmaMap.SIZEOF, 8);
                VfioAbi.DmaMap.fill(s, VfioAbi.VFIO_DMA_MAP_FLAG_READ | VfioAbi.VFIO_DMA_MAP_FLAG_WRITE, buffer.address(), iova, size);
                LibC.ioctl(fd.get(), VfioAbi.VFIO_IOMMU_MAP_DMA, s, call);
            }
            DmaMapping m = new DmaMapping(this, buffer, iova);
            mappings.add(m);
            // registered after the buffer's allocation, so run before the buffer is freed
            MemorySegment.NULL.reinterpret(owner, x -> m.closeQuietly());
            return m;
        }
    }

    /** The live DMA mappings of this container. */
    public List<DmaMapping> mappings() {
        synchronized (mappings) {
            return List.copyOf(mappings);
        }
    }

    void unmap(DmaMapping m) {
        String call = String.format("VFIO_IOMMU_UNMAP_DMA(0x%x bytes at IOVA 0x%x)", m.size(), m.iova());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VfioAbi.DmaUnmap.SIZEOF, 8);
            VfioAbi.DmaUnmap.fill(s, m.iova(), m.size());
            LibC.ioctl(fd.get(), VfioAbi.VFIO_IOMMU_UNMAP_DMA, s, call);
            if (VfioAbi.DmaUnmap.size(s) != m.size()) throw new VfioException(call, Errno.EIO, "the kernel unmapped 0x" + Long.toHexString(VfioAbi.DmaUnmap.size(s)) + " bytes");
        } finally {
            forget(m);
        }
    }

    void forget(DmaMapping m) {
        synchronized (mappings) {
            mappings.remove(m);
        }
    }

    @Override
    public void close() { fd.close(); }
}
