package dev.barmap.model.vfio;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The oracle's probe, runnable on any {@link VfioDevice}: region info for every region, then the
 * standard tries on every non-empty region except VGA, in the order of the reference probe
 * ({@code shared/oracle/recipe/x86_64/probe.c}, {@code probe_dev}):
 * <ol>
 *   <li>mmap of the page-rounded size, MAP_SHARED;</li>
 *   <li>mmap of the exact size (only when it differs from the rounded size);</li>
 *   <li>mmap of the rounded size plus one page;</li>
 *   <li>mmap of one page just past the rounded end;</li>
 *   <li>mmap of the rounded size, MAP_PRIVATE;</li>
 *   <li>(regions of two pages or more) mmap of the last page alone;</li>
 *   <li>(BARs only) 4-byte pread at the start, at the last dword (size &ge; 4) and at offset = size.</li>
 * </ol>
 * Running the same probe on the model and on the real binding is how the model is checked.
 */
public final class Probe {
    private final long pageSize;

    public Probe(long pageSize) {
        if (pageSize < 4096 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two >= 4096: " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** Probes regions {@code 0 .. numRegions-1} of an open device. */
    public ProbeReport.Device probe(VfioDevice device) {
        int n = device.deviceInfo().numRegions();
        var regions = new ArrayList<ProbeReport.Region>(n);
        for (int i = 0; i < n; i++) {
            regions.add(probeRegion(device, i));
        }
        return new ProbeReport.Device(device.bdf(), regions);
    }

    private ProbeReport.Region probeRegion(VfioDevice device, int index) {
        RegionInfo info;
        try {
            info = device.regionInfo(index);
        } catch (VfioException e) {
            return ProbeReport.Region.failed(index, RegionInfo.regionName(index), e.errno());
        }
        var tries = new ArrayList<ProbeReport.Try>();
        if (info.size() != 0 && index != 8) {
            long size = info.size();
            long rounded = (size + pageSize - 1) & -pageSize;
            long off = info.offset();
            tries.add(mmap(device, "page-rounded size, SHARED", off, rounded, true, off));
            if (size != rounded) {
                tries.add(mmap(device, "exact (unrounded) size", off, size, true, off));
            }
            tries.add(mmap(device, "rounded size + 1 page", off, rounded + pageSize, true, off));
            tries.add(mmap(device, "1 page at off+rounded size", off + rounded, pageSize, true, off));
            tries.add(mmap(device, "page-rounded size, PRIVATE", off, rounded, false, off));
            if (rounded >= 2 * pageSize) {
                tries.add(mmap(device, "last page only", off + rounded - pageSize, pageSize, true, off));
            }
            if (index <= 5) {
                tries.add(pread(device, "BAR start", off, off));
                if (size >= 4) {
                    tries.add(pread(device, "BAR last dword", off + size - 4, off));
                }
                tries.add(pread(device, "BAR end (size)", off + size, off));
            }
        }
        return new ProbeReport.Region(index, RegionInfo.regionName(index), info, 0, tries);
    }

    private static ProbeReport.Try mmap(VfioDevice d, String what, long at, long length, boolean shared, long base) {
        try {
            d.tryMmap(at, length, shared);
            return new ProbeReport.Try("mmap", what, at - base, OptionalLong.of(length), true, 0, OptionalLong.empty());
        } catch (VfioException e) {
            return new ProbeReport.Try("mmap", what, at - base, OptionalLong.of(length), false, e.errno(), OptionalLong.empty());
        }
    }

    private static ProbeReport.Try pread(VfioDevice d, String what, long at, long base) {
        try {
            OptionalLong v = d.pread(at, 4);
            return new ProbeReport.Try("pread4", what, at - base, OptionalLong.empty(), true, 0, v);
        } catch (VfioException e) {
            return new ProbeReport.Try("pread4", what, at - base, OptionalLong.empty(), false, e.errno(), OptionalLong.empty());
        }
    }
}
