package dev.barmap.vfio;

import dev.barmap.model.vfio.RegionCap;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the capability chain after a {@code struct vfio_region_info}: starting at {@code cap_offset},
 * each {@code vfio_info_cap_header} names its id and the offset of the next (0 ends the chain);
 * offsets are from the start of the info struct (include/uapi/linux/vfio.h, vfio_info_add_capability()
 * in drivers/vfio/vfio_main.c, 6.1).
 */
public final class RegionCaps {
    /** More capabilities than any kernel chains; a longer chain is a loop. */
    static final int MAX_CAPS = 64;

    private RegionCaps() {}

    /**
     * The chain in {@code info} (the whole returned buffer, {@code argsz} bytes). A malformed chain (an
     * offset outside the buffer, a capability that does not fit, a loop) is an {@link IllegalArgumentException}.
     */
    public static List<RegionCap> decode(MemorySegment info, int capOffset) {
        var caps = new ArrayList<RegionCap>();
        long size = info.byteSize();
        long at = capOffset & 0xffffffffL;
        while (at != 0) {
            if (caps.size() == MAX_CAPS) throw new IllegalArgumentException("capability chain longer than " + MAX_CAPS + " (a loop?)");
            if (at < VfioAbi.RegionInfo.SIZEOF || at + VfioAbi.CapHeader.SIZEOF > size) {
                throw new IllegalArgumentException("capability at " + at + " outside the " + size + "-byte region info");
            }
            int id = VfioAbi.CapHeader.id(info, at);
            int version = VfioAbi.CapHeader.version(info, at);
            long next = VfioAbi.CapHeader.next(info, at) & 0xffffffffL;
            caps.add(switch (id) {
                case VfioAbi.VFIO_REGION_INFO_CAP_SPARSE_MMAP -> {
                    need(info, at, VfioAbi.SparseMmapCap.SIZEOF, "SPARSE_MMAP");
                    int n = VfioAbi.SparseMmapCap.nrAreas(info, at);
                    if (n < 0 || at + VfioAbi.SparseMmapCap.AREAS_OFFSET + (long) n * VfioAbi.SparseMmapCap.AREA_SIZEOF > size) {
                        throw new IllegalArgumentException("SPARSE_MMAP capability at " + at + " claims " + Integer.toUnsignedString(n) + " areas, more than the buffer holds");
                    }
                    var areas = new ArrayList<RegionCap.Area>(n);
                    for (int i = 0; i < n; i++) {
                        areas.add(new RegionCap.Area(VfioAbi.SparseMmapCap.areaOffset(info, at, i), VfioAbi.SparseMmapCap.areaSize(info, at, i)));
                    }
                    yield new RegionCap.SparseMmap(areas);
                }
                case VfioAbi.VFIO_REGION_INFO_CAP_TYPE -> {
                    need(info, at, VfioAbi.TypeCap.SIZEOF, "TYPE");
                    yield new RegionCap.Type(VfioAbi.TypeCap.type(info, at), VfioAbi.TypeCap.subtype(info, at));
                }
                case VfioAbi.VFIO_REGION_INFO_CAP_MSIX_MAPPABLE -> new RegionCap.MsixMappable();
                default -> new RegionCap.Unknown(id, version);
            });
            at = next;
        }
        return caps;
    }

    private static void need(MemorySegment info, long at, int bytes, String name) {
        if (at + bytes > info.byteSize()) throw new IllegalArgumentException(name + " capability at " + at + " does not fit in " + info.byteSize() + " bytes");
    }
}
