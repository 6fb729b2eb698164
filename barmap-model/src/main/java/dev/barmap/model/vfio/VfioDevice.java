package dev.barmap.model.vfio;

import java.util.OptionalLong;

/**
 * One vfio-pci device file descriptor, as userspace sees it. Implemented twice: by the pure model
 * ({@code dev.barmap.model.vfio.ModelVfioDevice}, which predicts what the kernel answers) and by the
 * real binding ({@code dev.barmap.vfio.FfmVfioDevice}, which asks the kernel through
 * {@code java.lang.foreign}). The same probe ({@link Probe}) and the CLI run on either.
 *
 * <p>Offsets are file offsets in the device fd, i.e. {@code (index << 40) + offsetInRegion}
 * (VFIO_PCI_OFFSET_SHIFT, include/linux/vfio_pci_core.h). Every failure is a {@link VfioException}
 * carrying the errno the kernel returns.
 */
public interface VfioDevice extends AutoCloseable {

    /** PCI address, e.g. {@code 0000:00:03.0}. */
    String bdf();

    /** VFIO_DEVICE_GET_INFO. */
    DeviceInfo deviceInfo();

    /** VFIO_DEVICE_GET_REGION_INFO for {@code index}, including the capability chain. */
    RegionInfo regionInfo(int index);

    /**
     * mmap(2) of the device fd: {@code length} bytes (the kernel rounds it up to the page) at file
     * offset {@code fileOffset}, MAP_SHARED when {@code shared}, else MAP_PRIVATE. The mapping is
     * released at once; what matters is whether the kernel allowed it (and its side effects: the
     * first successful mmap of a BAR requests it, which shows as a busy child in /proc/iomem).
     */
    void tryMmap(long fileOffset, long length, boolean shared);

    /**
     * pread(2) of {@code width} (1, 2, 4 or 8) bytes at {@code fileOffset}. Returns the value read when
     * it is knowable: the real binding always knows it; the model knows it only where the kernel
     * itself fixes the answer (reads of the MSI-X table read all ones).
     */
    OptionalLong pread(long fileOffset, int width);

    /** pwrite(2) of {@code width} bytes at {@code fileOffset}. */
    void pwrite(long fileOffset, int width, long value);

    /** Closes the device fd (the last close disables the device and releases its reservations). */
    @Override
    void close();
}
