package dev.barmap.model.resource;

import dev.barmap.model.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code /proc/iomem} text, parsed into a {@link ResourceTree} and rendered back byte for byte.
 *
 * <p>Format, kernel/resource.c {@code r_show()} (Linux 6.1):
 * {@code "%*s%0*llx-%0*llx : %s\n"} with two spaces per depth (depth capped at MAX_IORES_LEVEL = 5, undone
 * here by address containment)
 * and a width of 8 hex digits for iomem (4 only for roots ending below 0x10000, i.e. ioports);
 * 64-bit addresses simply print wider. Without CAP_SYS_ADMIN every address reads as 0.
 */
public final class Iomem {
    /** kernel/resource.c MAX_IORES_LEVEL. */
    public static final int MAX_IORES_LEVEL = 5;

    /** Deepest nesting accepted (barmap's limit, far above what 256 PCI buses can make; the model walks trees recursively). */
    public static final int MAX_NESTING = 1024;

    private Iomem() {}

    /** Result of parsing: the tree, and whether the addresses were hidden (all zero: read without root). */
    public record Parsed(ResourceTree tree, boolean addressesHidden, int lines) {}

    private record Line(int depth, long start, long end, String name) {}

    /**
     * Parses /proc/iomem text. Resources accepted by {@code notBusy} (PCI bus windows, BARs) are created
     * without IORESOURCE_BUSY so busy regions can be requested inside them; everything else is taken as
     * busy (System RAM, Reserved, driver claims), as /proc/iomem does not show flags.
     *
     * @throws BadInputException on a malformed line, a child outside its parent, overlapping or unsorted siblings
     */
    public static Parsed parse(String file, String text, Predicate<String> notBusy) {
        ResourceTree tree = ResourceTree.iomem();
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) n--;
        else if (n > 0) {
            // r_show() ends every line with '\n': a last line without one is a cut-off file
            throw new BadInputException(file, n, "the file ends in the middle of a line (truncated?): " + quote(lines[n - 1]));
        }
        boolean allZero = n > 0;
        var parsed = new ArrayList<Line>(n);
        for (int i = 0; i < n; i++) {
            String line = lines[i];
            int lineNo = i + 1;
            // CRLF line ends (a capture that went through a Windows editor or mail): the kernel never writes '\r'
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            int sp = 0;
            while (sp < line.length() && line.charAt(sp) == ' ') sp++;
            if (sp % 2 != 0) throw new BadInputException(file, lineNo, "indentation of " + sp + " spaces is not a multiple of 2: " + quote(line));
            int dash = line.indexOf('-', sp);
            int colon = line.indexOf(" : ", sp);
            if (dash < 0 || colon < 0 || dash > colon) throw new BadInputException(file, lineNo, "expected 'start-end : name', got " + quote(line));
            long s = hex(file, lineNo, line.substring(sp, dash), line);
            long e = hex(file, lineNo, line.substring(dash + 1, colon), line);
            if (s != 0 || e != 0) allZero = false;
            parsed.add(new Line(sp / 2, s, e, line.substring(colon + 3)));
        }
        if (allZero) return new Parsed(tree, true, n);
        List<Resource> stack = new ArrayList<>();
        stack.add(tree.root());
        for (int i = 0; i < parsed.size(); i++) {
            Line l = parsed.get(i);
            int lineNo = i + 1;
            if (l.depth + 1 > stack.size()) {
                throw new BadInputException(file, lineNo, "indented " + l.depth * 2 + " spaces but the previous line is at depth " + (stack.size() - 2));
            }
            if (Long.compareUnsigned(l.end, l.start) < 0) {
                throw new BadInputException(file, lineNo, String.format("end %x is below start %x", l.end, l.start));
            }
            if (l.depth == MAX_IORES_LEVEL) {
                // r_show() caps the indentation at MAX_IORES_LEVEL (kernel/resource.c r_show(), unchanged from 2.6 to 6.x: "for (depth = 0,
                // p = r; depth < MAX_IORES_LEVEL; depth++, p = p->parent)"), so a line at the cap may sit at any depth >= 5.
                // Siblings never overlap, so its parent is the deepest open resource at depth >= 4 that contains it.
                while (stack.size() > l.depth + 1 && !contains(stack.get(stack.size() - 1), l)) stack.remove(stack.size() - 1);
            } else {
                while (stack.size() > l.depth + 1) stack.remove(stack.size() - 1);
            }
            Resource parent = stack.get(stack.size() - 1);
            if (stack.size() > MAX_NESTING) {
                // PCI has at most 256 buses, each behind a bridge (a window and a bus level): real trees stay far below
                throw new BadInputException(file, lineNo, "resources nest deeper than " + MAX_NESTING + " levels: not a real resource tree");
            }
            long flags = notBusy.test(l.name) ? IoResource.MEM : IoResource.MEM | IoResource.BUSY;
            Resource r = new Resource(l.start, l.end, l.name, flags);
            var conflict = tree.requestConflict(parent, r);
            if (conflict.isPresent()) {
                Resource c = conflict.get();
                throw new BadInputException(file, lineNo, c == parent
                        ? String.format("%x-%x : %s lies outside its parent %s", l.start, l.end, l.name, parent.parent() == null ? "(the address space)" : parent.toString())
                        : String.format("%x-%x : %s overlaps %s", l.start, l.end, l.name, c));
            }
            if (parent.children.higherEntry(r.start()) != null) {
                throw new BadInputException(file, lineNo, "resources are not in address order: " + r + " comes after " + parent.children.lastEntry().getValue());
            }
            stack.add(r);
        }
        return new Parsed(tree, false, n);
    }

    private static long hex(String file, int lineNo, String s, String line) {
        if (s.isEmpty() || s.length() > 16) throw new BadInputException(file, lineNo, "bad address " + quote(s) + " in " + quote(line));
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) throw new BadInputException(file, lineNo, "bad hex digit in " + quote(s) + " in " + quote(line));
        }
        return Long.parseUnsignedLong(s, 16);
    }

    private static boolean contains(Resource r, Line l) {
        return Long.compareUnsigned(r.start(), l.start) <= 0 && Long.compareUnsigned(l.end, r.end()) <= 0;
    }

    private static String quote(String s) {
        return BadInputException.quote(s);
    }

    /** Renders the tree as the kernel's r_show() prints /proc/iomem. */
    public static String render(ResourceTree tree) {
        var sb = new StringBuilder(4096);
        Resource root = tree.root();
        int width = Long.compareUnsigned(root.end(), 0x10000) < 0 ? 4 : 8;
        tree.forEach(r -> {
            int depth = Math.min(r.depth(), MAX_IORES_LEVEL);
            sb.repeat(' ', depth * 2);
            appendHex(sb, r.start(), width);
            sb.append('-');
            appendHex(sb, r.end(), width);
            sb.append(" : ").append(r.name()).append('\n');
        });
        return sb.toString();
    }

    private static void appendHex(StringBuilder sb, long v, int width) {
        String h = Long.toHexString(v);
        for (int i = h.length(); i < width; i++) sb.append('0');
        sb.append(h);
    }
}
