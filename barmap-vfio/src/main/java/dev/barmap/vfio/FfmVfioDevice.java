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
     * {@code if (info.argsz < sizeof(info) + caps.size) { info.argsz = ...; info.cap_offset = 0; }}), and the
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

    /**
     * Arms interrupt {@code index} (vfio-pci: {@link VfioAbi#VFIO_PCI_INTX_IRQ_INDEX} 0, MSI 1, MSI-X 2)
     * with {@code count} new eventfds, one per vector from 0 (VFIO_DEVICE_SET_IRQS, DATA_EVENTFD |
     * ACTION_TRIGGER). For MSI and MSI-X this makes the kernel allocate the vectors and enable the
     * capability in the device (vfio_msi_enable(), drivers/vfio/pci/vfio_pci_intrs.c, 6.1). Owned by
     * {@code arena}: its close disarms the index, then closes the eventfds; {@link #disableIrq} disarms earlier.
     */
    public List<EventFd> enableIrq(int index, int count, Arena arena) {
        IrqInfo ii = irqInfo(index);
        String call = "VFIO_DEVICE_SET_IRQS(" + bdf + ", index " + index + ", " + count + " eventfds)";
        if (count < 1 || count > ii.count()) {
            throw new VfioException(call, dev.barmap.model.vfio.Errno.EINVAL, "index " + index + " has " + ii.count() + " vectors");
        }
        if (!ii.eventfd()) throw new VfioException(call, dev.barmap.model.vfio.Errno.EINVAL, "index " + index + " does not signal through eventfds");
        var fds = new java.util.ArrayList<EventFd>(count);
        for (int i = 0; i < count; i++) fds.add(EventFd.create(arena));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VfioAbi.IrqSet.SIZEOF + 4L * count, 8);
            VfioAbi.IrqSet.header(s, VfioAbi.VFIO_IRQ_SET_DATA_EVENTFD | VfioAbi.VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, count, 4 * count);
            for (int i = 0; i < count; i++) VfioAbi.IrqSet.eventfd(s, i, fds.get(i).fd());
            LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_SET_IRQS, s, call);
        } catch (RuntimeException e) {
            fds.forEach(EventFd::close);
            throw e;
        }
        // registered after the eventfds: runs before they are closed
        MemorySegment.NULL.reinterpret(arena, x -> {
            try {
                if (!fd.isClosed()) disableIrq(index);
            } catch (RuntimeException e) {
                // the device fd's release disables every interrupt (vfio_pci_core_close_device() -> vfio_pci_core_disable())
            }
        });
        return List.copyOf(fds);
    }

    private void setIrqs(int flags, int index, int start, int count, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VfioAbi.IrqSet.SIZEOF, 8);
            VfioAbi.IrqSet.header(s, flags, index, start, count, 0);
            LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_SET_IRQS, s, "VFIO_DEVICE_SET_IRQS(" + bdf + ", index " + index + ", " + what + ")");
        }
    }

    /** Disarms interrupt {@code index} as a whole (DATA_NONE | ACTION_TRIGGER, count 0; include/uapi/linux/vfio.h). */
    public void disableIrq(int index) {
        setIrqs(VfioAbi.VFIO_IRQ_SET_DATA_NONE | VfioAbi.VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, "disable");
    }

    /**
     * Unmasks INTx (DATA_NONE | ACTION_UNMASK, index 0, start 0, count 1). vfio-pci masks INTx when it fires
     * (AUTOMASKED, vfio_intx_handler(), drivers/vfio/pci/vfio_pci_intrs.c): a driver acknowledges the
     * interrupt in the device, then unmasks.
     */
    public void unmaskIntx() {
        setIrqs(VfioAbi.VFIO_IRQ_SET_DATA_NONE | VfioAbi.VFIO_IRQ_SET_ACTION_UNMASK, VfioAbi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1, "unmask");
    }

    /** Masks INTx (DATA_NONE | ACTION_MASK). */
    public void maskIntx() {
        setIrqs(VfioAbi.VFIO_IRQ_SET_DATA_NONE | VfioAbi.VFIO_IRQ_SET_ACTION_MASK, VfioAbi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1, "mask");
    }

    /** Fires vector {@code sub} of an armed index from software (DATA_NONE | ACTION_TRIGGER, count 1): loopback test of the eventfd wiring. */
    public void triggerIrq(int index, int sub) {
        setIrqs(VfioAbi.VFIO_IRQ_SET_DATA_NONE | VfioAbi.VFIO_IRQ_SET_ACTION_TRIGGER, index, sub, 1, "trigger " + sub);
    }

    /**
     * Sets or clears Bus Master Enable (bit 2 of the PCI command register, include/uapi/linux/pci_regs.h
     * PCI_COMMAND 0x04, PCI_COMMAND_MASTER 0x4) through the config region. vfio-pci does not set it when
     * the device is opened (vfio_pci_core_enable(), 6.1, only pci_enable_device()), and without it the
     * device can neither DMA nor send MSI/MSI-X (both are memory writes by the device); a driver sets it
     * before either, as DPDK's pci_vfio_set_bus_master() does. Returns the command register written.
     */
    public int setBusMaster(boolean on) {
        RegionInfo cfg = regionInfo(VfioAbi.VFIO_PCI_CONFIG_REGION_INDEX);
        int cmd = (int) LibC.preadValue(fd.get(), 2, cfg.offset() + 4);
        int next = on ? cmd | 0x4 : cmd & ~0x4;
        if (next != cmd) LibC.pwriteValue(fd.get(), 2, cfg.offset() + 4, next);
        return (int) LibC.preadValue(fd.get(), 2, cfg.offset() + 4);
    }

    /** Whether the kernel offers VFIO_DEVICE_RESET for this device (VFIO_DEVICE_FLAGS_RESET). */
    public boolean resetSupported() {
        return (deviceInfo().flags() & DeviceInfo.FLAG_RESET) != 0;
    }

    /**
     * VFIO_DEVICE_RESET; refused before the ioctl when the device offers none (vfio-pci sets
     * FLAGS_RESET only when {@code vdev->reset_works}, vfio_pci_core_enable(), 6.1).
     */
    public void reset() {
        if (!resetSupported()) {
            throw new VfioException("VFIO_DEVICE_RESET(" + bdf + ")", dev.barmap.model.vfio.Errno.EINVAL,
                    "the device offers no reset (VFIO_DEVICE_FLAGS_RESET is clear: no FLR, PM or bus reset the kernel can use)");
        }
        LibC.ioctl(fd.get(), VfioAbi.VFIO_DEVICE_RESET, 0, "VFIO_DEVICE_RESET(" + bdf + ")");
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
