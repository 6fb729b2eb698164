package dev.barmap.model.passthrough;

import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;

import java.util.List;
import java.util.Optional;

/**
 * The seam to the host model: a BAR's {@link RegionInfo} (VFIO_DEVICE_GET_REGION_INFO, as the model or the real
 * binding answers it) plus the host resource (sysfs {@code resource} line) give the {@link HostBar} the plan needs.
 */
public final class RegionInfos {
    private RegionInfos() {}

    /** sysfs resource flags (include/linux/ioport.h). */
    public static final long IORESOURCE_IO = 0x100, IORESOURCE_MEM = 0x200, IORESOURCE_PREFETCH = 0x2000, IORESOURCE_MEM_64 = 0x100000;

    /**
     * @param info          region info of BAR {@code info.index()} (0-5)
     * @param hostStart     pci_resource_start
     * @param resourceFlags the flags column of the sysfs resource line
     */
    public static HostBar hostBar(RegionInfo info, long hostStart, long resourceFlags) {
        if (info.index() < 0 || info.index() > 5) throw new IllegalArgumentException("not a BAR region: " + info.index());
        boolean msixMappable = info.caps().stream().anyMatch(c -> c instanceof RegionCap.MsixMappable);
        Optional<List<MmapArea>> sparse = info.caps().stream()
                .filter(c -> c instanceof RegionCap.SparseMmap).map(c -> (RegionCap.SparseMmap) c).findFirst()
                .map(s -> s.areas().stream().map(a -> new MmapArea(a.offset(), a.size())).toList());
        return new HostBar(info.index(), hostStart, info.size(), (resourceFlags & IORESOURCE_IO) != 0,
                (resourceFlags & IORESOURCE_MEM_64) != 0, (resourceFlags & IORESOURCE_PREFETCH) != 0,
                info.mmappable(), msixMappable, sparse);
    }
}
