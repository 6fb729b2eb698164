package dev.barmap.model.vfio;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a probe found, in the shape of a capture's {@code expected/vfio.json}: per device, per region
 * index 0-8 either the region info and the outcome of each try, or the errno of GET_REGION_INFO;
 * and the {@code vfio sub-page reserved} ranges while all devices were open.
 */
public record ProbeReport(String kernelRelease, long pageSize, Map<String, Device> devices, List<Range> subPageReserved) {

    public ProbeReport {
        devices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(devices));
        subPageReserved = List.copyOf(subPageReserved);
    }

    /** One device's regions. */
    public record Device(String bdf, List<Region> regions) {
        public Device { regions = List.copyOf(regions); }
    }

    /**
     * One region: {@code info} and {@code tries} when GET_REGION_INFO succeeded, else {@code info == null}
     * and {@code error} the errno.
     */
    public record Region(int index, String name, RegionInfo info, int error, List<Try> tries) {
        public Region { tries = List.copyOf(tries); }

        public static Region failed(int index, String name, int errno) {
            return new Region(index, name, null, errno, List.of());
        }

        public boolean failed() { return info == null; }
    }

    /**
     * One try: {@code op} is {@code mmap} or {@code pread4}; {@code offset} is relative to the region;
     * {@code length} is present for mmaps; {@code value} for successful reads whose value is known.
     */
    public record Try(String op, String what, long offset, OptionalLong length, boolean ok, int errno, OptionalLong value) {}

    /** An inclusive address range, as /proc/iomem prints it. */
    public record Range(long start, long end) {}
}
