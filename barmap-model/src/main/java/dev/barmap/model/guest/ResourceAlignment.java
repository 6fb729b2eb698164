package dev.barmap.model.guest;

import dev.barmap.model.BadInputException;
import java.util.LinkedHashMap;
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
    /** What a {@link dev.barmap.model.BadInputException} from {@link #parse} names as its "file". */
    public static final String PARAM = "pci=resource_alignment=";

    public ResourceAlignment {
        alignments = Map.copyOf(alignments);
        alignments.values().forEach(a -> {
            if (a <= 0 || Long.bitCount(a) != 1) throw new IllegalArgumentException("alignment " + a);
        });
    }

    public ResourceAlignment(Map<String, Long> alignments) { this(alignments, new LinuxAssign()); }

    /**
     * Parse the kernel parameter value, e.g. {@code 12@0000:00:03.0;0000:00:05.0}: entries separated by ';' or ',',
     * each {@code [<decimal order>@]<device>} (drivers/pci/pci.c pci_specified_resource_alignment, Linux 6.1).
     *
     * @throws BadInputException naming {@link #PARAM} for an order that is not a decimal number in 0–62 or an
     *         entry without a device. Linux logs "PCI: Invalid requested alignment (order %d)" for orders above 63
     *         and uses PAGE_SIZE instead (commit "PCI: Bounds-check command-line resource alignment requests",
     *         5.10); barmap refuses them, and 63 too (a 2^63 alignment is past a signed 64-bit address).
     */
    public static ResourceAlignment parse(String value, long pageSize) {
        var m = new LinkedHashMap<String, Long>();
        for (String part : value.split("[;,]")) {
            if (part.isBlank()) continue;
            int at = part.indexOf('@');
            long align = pageSize;
            String dev = part.strip();
            if (at >= 0) {
                String order = part.substring(0, at).strip();
                int o;
                try {
                    o = Integer.parseInt(order);
                } catch (NumberFormatException e) {
                    throw new BadInputException(PARAM, 0, "alignment order '" + order + "' is not a decimal number (in '" + part.strip() + "')");
                }
                if (o < 0 || o > 62) throw new BadInputException(PARAM, 0, "alignment order " + o + " is not 0-62 (in '" + part.strip() + "')");
                align = 1L << o;
                dev = part.substring(at + 1).strip();
            }
            if (dev.isEmpty()) throw new BadInputException(PARAM, 0, "no device in '" + part.strip() + "'");
            m.put(dev, align);
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
