package dev.barmap.vfio;

import dev.barmap.model.vfio.RegionInfo;

/**
 * A region reached through pread/pwrite on the device fd: every access traps into vfio-pci, which
 * performs it with ioread/iowrite of the same width when the offset is aligned to it
 * (vfio_pci_core_do_io_rw(), drivers/vfio/pci/vfio_pci_rdwr.c, 6.1: 4-, 2- or 1-byte chunks).
 *
 * <p>8-byte accesses are refused: Linux 6.1's vfio_pci_core_do_io_rw() has no 8-byte case and would
 * split one pread of 8 bytes into two 4-byte reads (ioread64/iowrite64 support came to that function
 * later, with Ramesh Thomas's series of December 2024), which this class promises never to do.
 */
public final class TrappedRegion implements RegionAccess {
    private final FfmVfioDevice device;
    private final RegionInfo info;

    TrappedRegion(FfmVfioDevice device, RegionInfo info) {
        this.device = device;
        this.info = info;
    }

    @Override
    public RegionInfo info() { return info; }

    @Override
    public boolean direct() { return false; }

    private static void no64(int width) {
        if (width == 8) {
            throw new UnsupportedOperationException("8-byte trapped accesses are split in two by vfio-pci (vfio_pci_core_do_io_rw, Linux 6.1); use two 4-byte accesses or a mapped region");
        }
    }

    @Override
    public long read(long offset, int width) {
        RegionAccess.check(offset, width, info.size());
        no64(width);
        return LibC.preadValue(device.fd(), width, info.offset() + offset);
    }

    @Override
    public int read32(long offset) {
        RegionAccess.check(offset, 4, info.size());
        return (int) LibC.preadValue(device.fd(), 4, info.offset() + offset);
    }

    @Override
    public void write(long offset, int width, long value) {
        RegionAccess.check(offset, width, info.size());
        no64(width);
        LibC.pwriteValue(device.fd(), width, info.offset() + offset, value);
    }
}
