package dev.barmap.model.vfio;

import java.util.List;

/**
 * VFIO_DEVICE_GET_REGION_INFO: {@code struct vfio_region_info} plus its decoded capability chain.
 *
 * @param index  region index (BAR0-5 = 0-5, ROM = 6, CONFIG = 7, VGA = 8)
 * @param size   region size in bytes (for BARs: pci_resource_len, not page-rounded)
 * @param offset file offset of the region in the device fd ({@code index << 40})
 * @param flags  VFIO_REGION_INFO_FLAG_* bits
 * @param caps   capabilities in chain order
 */
public record RegionInfo(int index, long size, long offset, int flags, List<RegionCap> caps) {
    public static final int FLAG_READ = 1 << 0;
    public static final int FLAG_WRITE = 1 << 1;
    public static final int FLAG_MMAP = 1 << 2;
    public static final int FLAG_CAPS = 1 << 3;

    public RegionInfo {
        caps = List.copyOf(caps);
    }

    public boolean mmappable() { return (flags & FLAG_MMAP) != 0; }

    /** Flag names in the order the probe prints them: READ WRITE MMAP CAPS. */
    public List<String> flagNames() {
        var names = new java.util.ArrayList<String>(4);
        if ((flags & FLAG_READ) != 0) names.add("READ");
        if ((flags & FLAG_WRITE) != 0) names.add("WRITE");
        if ((flags & FLAG_MMAP) != 0) names.add("MMAP");
        if ((flags & FLAG_CAPS) != 0) names.add("CAPS");
        return names;
    }

    /** Region name as the probe prints it. */
    public static String regionName(int index) {
        return switch (index) {
            case 0, 1, 2, 3, 4, 5 -> "BAR" + index;
            case 6 -> "ROM";
            case 7 -> "CONFIG";
            case 8 -> "VGA";
            default -> "DEVSPEC";
        };
    }
}
