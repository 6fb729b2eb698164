package dev.barmap.model.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * render(parse(iomem)) == iomem for generated /proc/iomem texts. The text is written here with the
 * kernel's r_show() format ({@code "%*s%0*llx-%0*llx : %s\n"}, kernel/resource.c), independently of
 * {@link Iomem#render}: random nested, address-sorted, non-overlapping ranges up to MAX_IORES_LEVEL deep,
 * 32- and 64-bit addresses, names with spaces and colons.
 */
class IomemProperties {
    private static final String[] NAMES = {"System RAM", "Reserved", "PCI Bus 0000:00", "0000:00:03.0", "vfio sub-page reserved",
            "Kernel code", "PCI MMCONFIG 0000 [bus 00-ff]", "pnp 00:04", "a : b", "IOAPIC 0", "PCI ECAM"};

    @Property(tries = 300, seed = "20261123")
    void renderOfParseIsTheText(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int top, @ForAll boolean wide) {
        var rnd = new Random(seed);
        var sb = new StringBuilder();
        long hi = wide ? -1L : 0xffffffffL;
        emit(sb, rnd, 0, hi, 0, top);
        String text = sb.toString();
        Iomem.Parsed p = Iomem.parse("iomem", text, n -> n.startsWith("PCI"));
        assertFalse(p.addressesHidden());
        assertEquals(text, Iomem.render(p.tree()));
        assertEquals(text.isEmpty() ? 0 : text.split("\n").length, p.tree().all().size());
    }

    /** Children of [lo, hi] at {@code depth}: 2k distinct sorted points paired into k disjoint ranges. */
    private static void emit(StringBuilder sb, Random rnd, long lo, long hi, int depth, int k) {
        if (depth > Iomem.MAX_IORES_LEVEL || k == 0) return;
        var pts = new TreeSet<Long>(Long::compareUnsigned);
        long span = hi - lo; // unsigned
        for (int tries = 0; pts.size() < 2 * k && tries < 8 * k; tries++) {
            long off = span == -1L ? rnd.nextLong() : Long.remainderUnsigned(rnd.nextLong(), span + 1);
            pts.add(lo + off);
        }
        if (pts.size() % 2 == 1) pts.pollLast();
        var it = pts.iterator();
        while (it.hasNext()) {
            long s = it.next(), e = it.next();
            if (rnd.nextInt(4) == 0) e = s + rnd.nextInt(Math.toIntExact(Math.min(16, e - s + 1 > 0 ? e - s + 1 : 16))); // small ranges too
            sb.repeat(' ', 2 * depth).append(hex(s)).append('-').append(hex(e)).append(" : ")
                    .append(NAMES[rnd.nextInt(NAMES.length)]).append('\n');
            if (rnd.nextInt(3) > 0) emit(sb, rnd, s, e, depth + 1, rnd.nextInt(4));
        }
    }

    private static String hex(long v) { return String.format("%08x", v); }
}
