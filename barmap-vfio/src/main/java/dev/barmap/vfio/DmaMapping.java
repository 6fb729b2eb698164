package dev.barmap.vfio;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Java memory segment mapped for device DMA at an IOVA in a type1 container
 * ({@link VfioContainer#mapDma}). The kernel pins the pages while the mapping exists
 * (vfio_pin_pages_remote(), drivers/vfio/vfio_iommu_type1.c); the binding makes sure the segment's memory
 * outlives the mapping: the mapping is owned by the segment's own arena and is unmapped before that
 * arena frees the memory. {@link #close()} unmaps earlier; closing twice does nothing.
 */
public final class DmaMapping implements AutoCloseable {
    private final VfioContainer container;
    private final MemorySegment buffer;
    private final long iova;
    private final AtomicBoolean unmapped = new AtomicBoolean();

    DmaMapping(VfioContainer container, MemorySegment buffer, long iova) {
        this.container = container;
        this.buffer = buffer;
        this.iova = iova;
    }

    /** The device's address of the buffer's first byte. */
    public long iova() { return iova; }

    /** The buffer's size in bytes. */
    public long size() { return buffer.byteSize(); }

    /** The mapped memory, as the CPU sees it. */
    public MemorySegment buffer() { return buffer; }

    /** Whether {@code [iova, iova + size)} overlaps this mapping. */
    boolean overlaps(long otherIova, long otherSize) {
        return Long.compareUnsigned(otherIova, iova + size() - 1) <= 0 && Long.compareUnsigned(iova, otherIova + otherSize - 1) <= 0;
    }

    /** @return true once {@link #close()} (or the owning arena's close) has unmapped it */
    public boolean isUnmapped() { return unmapped.get(); }

    /** VFIO_IOMMU_UNMAP_DMA; the device can no longer reach the buffer afterwards. */
    @Override
    public void close() {
        if (unmapped.compareAndSet(false, true)) container.unmap(this);
    }

    void closeQuietly() {
        if (!unmapped.compareAndSet(false, true)) return;
        try {
            container.unmap(this);
        } catch (RuntimeException e) {
            // the container fd is closed already: closing it released every mapping in the kernel
            // (vfio_iommu_type1_release() -> vfio_iommu_unmap_unpin_all()), nothing is left to undo
            container.forget(this);
        }
    }

    @Override
    public String toString() { return String.format("DMA 0x%x bytes at IOVA 0x%x%s", size(), iova, unmapped.get() ? " (unmapped)" : ""); }
}
