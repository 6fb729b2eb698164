package dev.barmap.model.passthrough;

import java.util.List;
import java.util.Optional;

/**
 * One BAR of a device bound to vfio-pci, as the VMM sees it: the host resource and what
 * VFIO_DEVICE_GET_REGION_INFO reported for it.
 *
 * @param index        BAR number 0-5
 * @param hostStart    host physical start (pci_resource_start)
 * @param size         vfio region size (pci_resource_len; with pci=resource_alignment the kernel's enlarged size)
 * @param io           I/O-port BAR
 * @param mem64        64-bit memory BAR
 * @param prefetchable prefetchable memory BAR
 * @param mmappable    VFIO_REGION_INFO_FLAG_MMAP
 * @param msixMappable VFIO_REGION_INFO_CAP_MSIX_MAPPABLE present (Linux 4.16+, a32295c612c5)
 * @param sparseMmap   VFIO_REGION_INFO_CAP_SPARSE_MMAP areas when present (Linux 4.6-4.15 on the MSI-X BAR)
 */
public record HostBar(int index, long hostStart, long size, boolean io, boolean mem64, boolean prefetchable,
                      boolean mmappable, boolean msixMappable, Optional<List<MmapArea>> sparseMmap) {
    public HostBar {
        if (index < 0 || index > 5) throw new IllegalArgumentException("BAR index " + index);
        if (size < 0) throw new IllegalArgumentException("negative size");
        sparseMmap = sparseMmap.map(List::copyOf);
    }

    /** A memory BAR with the given mmap flag and no capabilities. */
    public static HostBar mem(int index, long hostStart, long size, boolean mmappable) {
        return new HostBar(index, hostStart, size, false, false, false, mmappable, false, Optional.empty());
    }

    public static HostBar ioPort(int index, long hostStart, long size) {
        return new HostBar(index, hostStart, size, true, false, false, false, false, Optional.empty());
    }

    public HostBar withMsixMappable(boolean v) {
        return new HostBar(index, hostStart, size, io, mem64, prefetchable, mmappable, v, sparseMmap);
    }

    public HostBar withMem64(boolean v) {
        return new HostBar(index, hostStart, size, io, v, prefetchable, mmappable, msixMappable, sparseMmap);
    }

    public HostBar withSparseMmap(List<MmapArea> areas) {
        return new HostBar(index, hostStart, size, io, mem64, prefetchable, mmappable, msixMappable, Optional.of(areas));
    }

    /**
     * The mmappable areas as the VMM derives them from region info (QEMU hw/vfio/common.c vfio_region_setup /
     * vfio_setup_region_sparse_mmaps): none unless MMAP; the sparse areas (zero-sized dropped) when the cap is
     * present; else one area covering the region.
     */
    public List<MmapArea> mmapAreas() {
        if (!mmappable || size == 0) return List.of();
        return sparseMmap.map(a -> a.stream().filter(x -> x.size() > 0).toList())
                .orElse(List.of(new MmapArea(0, size)));
    }

    /**
     * The host bytes vfio-pci owns for this BAR: the BAR itself, plus the "vfio sub-page reserved" dummy up
     * to the end of the page when the BAR is mmappable, sub-page and page-aligned (vfio_pci_probe_mmaps,
     * Linux 4.8+ 05f0c03fbac1). Exclusive end.
     */
    public long ownedHostEnd(long hostPageSize) {
        long end = hostStart + size;
        if (mmappable && !io && size > 0 && size < hostPageSize && (hostStart & (hostPageSize - 1)) == 0) {
            return hostStart + hostPageSize;
        }
        return end;
    }
}
