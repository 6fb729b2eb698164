package dev.barmap.model.vmm.qemu;

import dev.barmap.model.BadInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU release, for the few facts that differ between the versions the nested oracle ran (7.2.22, 10.0.13,
 * 11.1.3). Their BAR mapping is the same (testdata/README.md); what differs is text.
 */
public record QemuVersion(int major, int minor, int micro) implements Comparable<QemuVersion> {
    public static final QemuVersion V7_2 = new QemuVersion(7, 2, 22);

    private static final Pattern BANNER = Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)");

    /** From {@code qemu-system-x86_64 --version}'s first line ("QEMU emulator version 10.0.13 (Debian ...)"). */
    public static QemuVersion parse(String source, String text) {
        Matcher m = BANNER.matcher(text);
        if (!m.find()) throw new BadInputException(source, 1, "no 'QEMU emulator version X.Y.Z'");
        return new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /**
     * The function that reports a vfio listener section whose guest address and region offset disagree below the
     * host page (its {@code __func__} starts the message). Up to 7.2: vfio_listener_region_add and
     * vfio_listener_region_del each check (hw/vfio/common.c); from 8.0 both call vfio_listener_valid_section
     * (b92f23763505, Joao Martins, "vfio/common: Consolidate skip/invalid section into helper", pulled 2023-03-07 for 8.0;
     * hw/vfio/listener.c from 10.0).
     */
    public String unalignedReporter(boolean add) {
        if (major >= 8) return "vfio_listener_valid_section";
        return add ? "vfio_listener_region_add" : "vfio_listener_region_del";
    }

    @Override
    public int compareTo(QemuVersion o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() { return major + "." + minor + "." + micro; }
}
