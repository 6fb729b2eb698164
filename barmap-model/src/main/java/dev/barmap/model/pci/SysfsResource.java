package dev.barmap.model.pci;

import dev.barmap.model.BadInputException;
import dev.barmap.model.resource.IoResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The sysfs {@code resource} file, drivers/pci/pci-sysfs.c {@code resource_show()}: one line
 * {@code "0x%016llx 0x%016llx 0x%016llx\n"} (start, end, flags) per resource, PCI_BRIDGE_RESOURCES
 * lines for a device (7, or 13 with CONFIG_PCI_IOV) and DEVICE_COUNT_RESOURCE for a bridge (11 or 17).
 */
public final class SysfsResource {
    private SysfsResource() {}

    public static List<Bar> parse(String file, String text) {
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) n--;
        if (n != 7 && n != 11 && n != 13 && n != 17) {
            throw new BadInputException(file, 0, "has " + n + " lines; a sysfs resource file has 7, 11, 13 or 17 (truncated?)");
        }
        var out = new ArrayList<Bar>(n);
        for (int i = 0; i < n; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length != 3) throw new BadInputException(file, i + 1, "expected 'start end flags', got '" + lines[i] + "'");
            long s = num(file, i + 1, f[0]), e = num(file, i + 1, f[1]), fl = num(file, i + 1, f[2]);
            out.add(bar(file, i + 1, i, s, e, fl));
        }
        return out;
    }

    /**
     * One line of a sysfs resource file (or the same three numbers printed elsewhere, as the oracle guest's console
     * prints each function's resources) checked as {@link #parse} checks it: known flag bits, an I/O or memory
     * type, an end not below its start (a range may not run past 2^64), a type for every range.
     */
    public static Bar bar(String file, int line, int index, long s, long e, long fl) {
        if ((fl & ~IoResource.KNOWN) != 0) {
            throw new BadInputException(file, line, String.format("unknown resource flag bits 0x%x (include/linux/ioport.h defines none there)", fl & ~IoResource.KNOWN));
        }
        long t = IoResource.type(fl);
        if (t != 0 && t != IoResource.IO && t != IoResource.MEM && !(index >= 13 && t == IoResource.BUS)) {
            throw new BadInputException(file, line, String.format("resource type 0x%x is neither I/O (0x100) nor memory (0x200)", t));
        }
        if (Long.compareUnsigned(e, s) < 0 && !(s == 0 && e == 0)) {
            throw new BadInputException(file, line, String.format("end 0x%x is below start 0x%x", e, s));
        }
        if (t == 0 && (s != 0 || e != 0) && (fl & IoResource.UNSET) == 0) {
            throw new BadInputException(file, line, String.format("range 0x%x-0x%x has no type in flags 0x%x", s, e, fl));
        }
        return new Bar(index, s, e, fl);
    }

    private static long num(String file, int line, String s) {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (h.isEmpty() || h.length() > 16) throw new BadInputException(file, line, "not a 64-bit hex number: '" + s + "'");
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            throw new BadInputException(file, line, "not a hex number: '" + s + "'");
        }
    }
}
