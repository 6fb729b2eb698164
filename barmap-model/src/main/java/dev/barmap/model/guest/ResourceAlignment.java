package dev.barmap.model.guest;

import java.util.List;
import java.util.Map;

/**
 * The guest kernel's {@code pci=resource_alignment=[order@]device;...} (drivers/pci/pci.c
 * pci_specified_resource_alignment / pci_request_resource_alignment): for the listed devices each memory BAR
 * smaller than the alignment is enlarged to it (order 12 = 4 KiB; no order = PAGE_SIZE), then Linux assigns
 * (setup-res.c). The enlarged resource owns the whole aligned block, so nothing else is placed in its page.
 *
 * @param alignments device (guest BDF or name) → alignment in bytes
 * @param linux      the Linux assignment doing the placement
 */
public record ResourceAlignment(Map<String, Long> alignments, LinuxAssign linux) implements GuestFirmware {
    public ResourceAlignment {
        alignments = Map.copyOf(alignments);
        alignments.values().forEach(a -> {
            if (a <= 0 || Long.bitCount(a) != 1) throw new IllegalArgumentException("alignment " + a);
        });
    }

    public ResourceAlignment(Map<String, Long> alignments) { this(alignments, new LinuxAssign()); }

    /** Parse the kernel parameter value, e.g. {@code 12@0000:00:03.0;0000:00:05.0}. */
    public static ResourceAlignment parse(String value, long pageSize) {
        var m = new java.util.LinkedHashMap<String, Long>();
        for (String part : value.split(";")) {
            if (part.isBlank()) continue;
            int at = part.indexOf('@');
            long align = pageSize;
            String dev = part;
            if (at >= 0) {
                align = 1L << Integer.parseInt(part.substring(0, at).strip());
                dev = part.substring(at + 1);
            }
            m.put(dev.strip(), align);
        }
        return new ResourceAlignment(m);
    }

    @Override
    public String id() { return "resource_alignment"; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        return linux.placer(id(), b -> {
            Long a = alignments.get(b.key().device());
            return a == null || b.io() ? b.size() : Math.max(a, b.size());
        }).place(bars, platform);
    }
}
