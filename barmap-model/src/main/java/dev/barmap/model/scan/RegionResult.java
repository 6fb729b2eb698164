package dev.barmap.model.scan;

import dev.barmap.model.vfio.RegionInfo;

/**
 * One region of a scanned device: the region info vfio-pci would return (or the errno), and for BARs
 * and the ROM a verdict with its reason.
 *
 * @param info    null when GET_REGION_INFO fails ({@code error} is then the errno)
 * @param verdict null for CONFIG/VGA and failed regions
 */
public record RegionResult(int index, String name, RegionInfo info, int error, Verdict verdict, String reason,
                           long hostStart, long hostEnd) {
    public boolean failed() { return info == null; }
}
