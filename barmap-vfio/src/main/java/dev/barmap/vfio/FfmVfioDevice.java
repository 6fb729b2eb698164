package dev.barmap.vfio;

import dev.barmap.model.vfio.DeviceInfo;
import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;
import dev.barmap.model.vfio.VfioDevice;
import dev.barmap.model.vfio.VfioException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.OptionalLong;

/**
 * A vfio-pci device fd, driven through {@code java.lang.foreign}: the real-kernel implementation of
 * {@link VfioDevice}. Obtain one from {@link Vfio#device(String)} or {@link VfioGroup#device(String)}.
 * Not thread-safe beyond what the kernel guarantees for each call.
 */
public final class FfmVfioDevice implements VfioDevice {
    private final String bdf;
    private final Fd fd;
    private DeviceInfo info;

    FfmVfioDevice(String bdf, Fd fd) {
        this.bdf = bdf;
        this.fd = fd;
    }

    @Override
    public String bdf() { return bdf; }

    /** The device fd (valid until {@link #close()} or the owning arena's close). */
    public int fd() { return fd.get(); }

    public boolean isClosed() { return fd.isClosed(); }

    @Override
    public DeviceInfo deviceInfo() {
        if (info == null) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(VfioAbi.DeviceInfo.SIZEOF, 8);
                VfioAbi.DeviceInfo.argsz(s, VfioAbi.DeviceInfo.SIZEOF);
                LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_GET_INFO, s, "VFIO_DEVICE_GET_INFO(" + bdf + ")");
                info = new DeviceInfo(VfioAbi.DeviceInfo.flags(s), VfioAbi.DeviceInfo.numRegions(s), VfioAbi.DeviceInfo.numIrqs(s));
            }
        }
        return info;
    }

    /**
     * VFIO_DEVICE_GET_REGION_INFO with its capability chain. The first call passes the bare 32-byte
     * struct; when the kernel needs more room for the chain it returns success with a larger
     * {@code argsz} (vfio_pci_ioctl_get_region_info(), drivers/vfio/pci/vfio_pci_core.c, 6.1:
     * "if (info.argsz < sizeof(info) + caps.size) { info.argsz = ...; info.cap_offset = 0; }"), and the
     * call is repeated once with that size.
     */
    @Override
    public RegionInfo regionInfo(int index) {
        String call = "VFIO_DEVICE_GET_REGION_INFO(" + bdf + ", index " + index + ")";
        int argsz = VfioAbi.RegionInfo.SIZEOF;
        for (int attempt = 0; ; attempt++) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(argsz, 8);
                VfioAbi.RegionInfo.argsz(s, argsz);
                VfioAbi.RegionInfo.index(s, index);
                LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_GET_REGION_INFO, s, call);
                int want = VfioAbi.RegionInfo.argsz(s);
                int flags = VfioAbi.RegionInfo.flags(s);
                if (want > argsz && (flags & RegionInfo.FLAG_CAPS) != 0) {
                    if (attempt > 0) throw new VfioException(call, dev.barmap.model.vfio.Errno.ENOSPC, "kernel asked for " + want + " bytes twice");
                    argsz = want;
                    continue;
                }
                List<RegionCap> caps = List.of();
                if ((flags & RegionInfo.FLAG_CAPS) != 0 && VfioAbi.RegionInfo.capOffset(s) != 0) {
                    try {
                        caps = RegionCaps.decode(s, VfioAbi.RegionInfo.capOffset(s));
                    } catch (IllegalArgumentException e) {
                        throw new VfioException(call, dev.barmap.model.vfio.Errno.EIO, "malformed capability chain: " + e.getMessage());
                    }
                }
                return new RegionInfo(index, VfioAbi.RegionInfo.size(s), VfioAbi.RegionInfo.offset(s), flags, caps);
            }
        }
    }

    /** VFIO_DEVICE_GET_IRQ_INFO. */
    public IrqInfo irqInfo(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VfioAbi.IrqInfo.SIZEOF, 8);
            VfioAbi.IrqInfo.argsz(s, VfioAbi.IrqInfo.SIZEOF);
            VfioAbi.IrqInfo.index(s, index);
            LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_GET_IRQ_INFO, s, "VFIO_DEVICE_GET_IRQ_INFO(" + bdf + ", index " + index + ")");
            return new IrqInfo(index, VfioAbi.IrqInfo.flags(s), VfioAbi.IrqInfo.count(s));
        }
    }

    @Override
    public void tryMmap(long fileOffset, long length, boolean shared) {
        long addr = LibC.mmap(length, LibC.PROT_READ | LibC.PROT_WRITE, shared ? LibC.MAP_SHARED : LibC.MAP_PRIVATE, fd.get(), fileOffset);
        LibC.munmap(addr, length);
    }

    @Override
    public OptionalLong pread(long fileOffset, int width) {
        Widths.check(width);
        return OptionalLong.of(LibC.preadValue(fd.get(), width, fileOffset));
    }

    @Override
    public void pwrite(long fileOffset, int width, long value) {
        Widths.check(width);
        LibC.pwriteValue(fd.get(), width, fileOffset, value);
    }

    /**
     * The region for register access, owned by {@code arena}: mmapped ({@link MappedRegion}) when the
     * kernel sets MMAP and no SPARSE_MMAP capability restricts it, else trapped ({@link TrappedRegion},
     * pread/pwrite on the device fd).
     */
    public RegionAccess region(int index, Arena arena) {
        RegionInfo ri = regionInfo(index);
        if (ri.size() == 0) throw new VfioException("region(" + bdf + ", index " + index + ")", dev.barmap.model.vfio.Errno.EINVAL, "the region is empty");
        boolean sparse = ri.caps().stream().anyMatch(c -> c instanceof RegionCap.SparseMmap);
        if (ri.mmappable() && !sparse) return map(ri, arena);
        return new TrappedRegion(this, ri);
    }

    /** The region trapped (pread/pwrite), even when it could be mapped: for comparisons. */
    public TrappedRegion trapped(int index) {
        return new TrappedRegion(this, regionInfo(index));
    }

    /**
     * mmaps the whole region (MAP_SHARED, read/write), page-rounded as the kernel requires, and returns it
     * as a segment exactly {@code size} bytes long: for a sub-page BAR the kernel maps a whole page (the
     * rest of it reserved by the {@code vfio sub-page reserved} dummy), but the segment does not expose it.
     * {@code arena}'s close unmaps.
     */
    public MappedRegion map(RegionInfo ri, Arena arena) {
        long page = NativePlatform.pageSize();
        long mapLen = NativePlatform.pageAlign(ri.size(), page);
        long addr = LibC.mmap(mapLen, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd.get(), ri.offset());
        MemorySegment whole = MemorySegment.ofAddress(addr).reinterpret(mapLen, arena, s -> LibC.munmap(addr, mapLen));
        return new MappedRegion(ri, MappedRegion.bound(whole, ri.size()));
    }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return "vfio-pci " + bdf + " (" + fd + ")"; }
}
