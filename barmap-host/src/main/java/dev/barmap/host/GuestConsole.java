package dev.barmap.host;

import dev.barmap.model.BadInputException;
import dev.barmap.model.alloc.PciBuses;
import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serial console of an oracle hot-add run (testdata/hotplug/*&#47;console.log): the guest Linux is the
 * host barmap models. Extracted: the kernel release, the PCI functions and their sysfs resource lines at
 * boot, /proc/iomem at boot, the host bridge windows with their flags ("root bus resource" lines),
 * and, when present, the hot-added device, its BARs as found and as assigned, and /proc/iomem after the
 * hot-add.
 *
 * @param rootWindows   "pci_bus DDDD:BB: root bus resource [mem ...]" / "[io  ...]" in log order (I/O windows kept: the kernel
 *                      numbers a root bus's resources over both, drivers/pci/probe.c pci_register_host_bridge)
 * @param hotAddedFound the new device's BARs as the kernel first read them ("BAR n [mem 0x0-0xff]"): size, flags
 * @param hotAddedAssigned the new device's BARs as assigned ("BAR n [mem ...]: assigned")
 */
public record GuestConsole(String file, KernelRelease kernel, SortedMap<Bdf, PciFunction> functions, String bootIomem,
                           List<PciBuses.RootWindow> rootWindows, Optional<Bdf> hotAdded, List<Bar> hotAddedFound,
                           List<Bar> hotAddedAssigned, Optional<String> iomemAfterHotAdd) {

    private static final Pattern KERNEL = Pattern.compile("^GUEST: kernel (\\S+?);");
    private static final Pattern DEV = Pattern.compile("^GUEST: dev (\\S+) vendor=0x(\\p{XDigit}+) device=0x(\\p{XDigit}+) class=0x(\\p{XDigit}+) driver=(\\S+) iommu_group=(\\S+)$");
    private static final Pattern RES = Pattern.compile("^GUEST:\\s+res\\[(\\d+)] 0x(\\p{XDigit}+) 0x(\\p{XDigit}+) 0x(\\p{XDigit}+)$");
    private static final Pattern ROOT = Pattern.compile("pci_bus (\\p{XDigit}{4}:\\p{XDigit}{2}): root bus resource (\\[(?:mem|io ) [^]]*])");
    private static final Pattern NEW_DEV = Pattern.compile("^HOLD: NEW DEVICE (\\S+) appeared");
    /** %pR of a memory resource: [mem 0xS-0xE( 64bit)?( pref)?( window)?]. */
    private static final Pattern PR = Pattern.compile("^\\[(mem|io ) 0x(\\p{XDigit}+)-0x(\\p{XDigit}+)((?: \\w+)*)]$");
    private static final String IOMEM_BOOT = "GUEST: ----- /proc/iomem at boot -----";
    private static final String DEVS_BOOT = "GUEST: ----- PCI devices at boot -----";

    public static GuestConsole read(Path file) {
        // bytes as ISO-8859-1: a serial log may hold any byte ("Input length = 3" was the UTF-8 decoder's complaint)
        String text = Jail.NONE.read(file, Jail.TEXT_CAP);
        if (text == null) throw new BadInputException(file.toString(), 0, "no such file");
        return parse(file.toString(), text);
    }

    public static GuestConsole parse(String file, String text) {
        String[] lines = text.split("\n", -1);
        KernelRelease kernel = null;
        SortedMap<Bdf, PciFunction> functions = new TreeMap<>();
        StringBuilder iomem = null;
        var roots = new ArrayList<PciBuses.RootWindow>();
        Bdf hot = null;
        var found = new ArrayList<Bar>();
        var assigned = new ArrayList<Bar>();
        StringBuilder after = null;
        String section = "";
        Dev cur = null;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int lineNo = i + 1;
            try {
                if (l.startsWith("GUEST: -----")) {
                    if (cur != null) functions.put(cur.bdf, cur.build());
                    cur = null;
                    section = l;
                    if (l.equals(IOMEM_BOOT)) iomem = new StringBuilder();
                    continue;
                }
                Matcher m;
                if (kernel == null && (m = KERNEL.matcher(l)).find()) {
                    try {
                        kernel = KernelRelease.parse(m.group(1));
                    } catch (IllegalArgumentException e) {
                        throw new BadInputException(file, lineNo, e.getMessage());
                    }
                }
                if (section.equals(DEVS_BOOT)) {
                    if ((m = DEV.matcher(l)).matches()) {
                        if (cur != null) functions.put(cur.bdf, cur.build());
                        cur = new Dev(bdf(file, lineNo, m.group(1)), Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16),
                                Integer.parseInt(m.group(4), 16), m.group(5), m.group(6));
                    } else if ((m = RES.matcher(l)).matches()) {
                        if (cur == null) throw new BadInputException(file, lineNo, "res[] line before any 'dev' line");
                        int idx = Integer.parseInt(m.group(1));
                        if (idx > 16) throw new BadInputException(file, lineNo, "resource index " + idx + " > 16");
                        // the guest's init prints /sys/bus/pci/devices/*/resource: checked as that file is (a range running past
                        // 2^64, unknown flags), issue 14
                        cur.res[idx] = dev.barmap.model.pci.SysfsResource.bar(file, lineNo, idx, Long.parseUnsignedLong(m.group(2), 16),
                                Long.parseUnsignedLong(m.group(3), 16), Long.parseUnsignedLong(m.group(4), 16));
                    } else if (!l.isBlank()) {
                        throw new BadInputException(file, lineNo, "unexpected line in the boot device list: '" + l + "'");
                    }
                    continue;
                }
                if (section.equals(IOMEM_BOOT)) {
                    if (!l.startsWith("GUEST: ")) throw new BadInputException(file, lineNo, "expected a 'GUEST: ' iomem line, got '" + l + "'");
                    iomem.append(strip(l, "GUEST:   ", file, lineNo)).append('\n');
                    continue;
                }
                if ((m = ROOT.matcher(l)).find()) {
                    long[] r = pR(file, lineNo, m.group(2));
                    if (roots.stream().noneMatch(w -> w.start() == r[0] && w.end() == r[1] && IoResource.type(w.flags()) == IoResource.type(r[2]))) {
                        roots.add(new PciBuses.RootWindow(m.group(1), r[0], r[1], r[2]));
                    }
                }
                if ((m = NEW_DEV.matcher(l)).find()) hot = bdf(file, lineNo, m.group(1));
                if (hot != null) {
                    String tag = "pci " + hot + ": BAR ";
                    int at = l.indexOf(tag);
                    if (at >= 0) {
                        String rest = l.substring(at + tag.length());
                        int sp = rest.indexOf(' ');
                        int close = rest.indexOf(']');
                        if (sp > 0 && close > sp && rest.substring(sp + 1).startsWith("[mem ")) {
                            int idx = Integer.parseInt(rest.substring(0, sp));
                            long[] r = pR(file, lineNo, rest.substring(sp + 1, close + 1));
                            var bar = new Bar(idx, r[0], r[1], r[2] | IoResource.SIZEALIGN);
                            if (rest.substring(close + 1).startsWith(": assigned")) assigned.add(bar);
                            else if (rest.length() == close + 1) found.add(bar);
                        }
                    }
                }
                if (l.startsWith("HOLD: /proc/iomem after hot-add")) {
                    after = new StringBuilder();
                    int j = i + 1;
                    for (; j < lines.length && lines[j].matches("^HOLD:    +\\p{XDigit}+-\\p{XDigit}+ : .*"); j++) {
                        after.append(strip(lines[j], "HOLD:    ", file, j + 1)).append('\n');
                    }
                    i = j - 1;
                }
            } catch (NumberFormatException e) {
                // every field is matched as digits first, so only the range can fail (fuzz finding: a
                // 72-digit res[] value threw a bare NumberFormatException)
                throw new BadInputException(file, lineNo, "number out of range in '" + (l.length() > 120 ? l.substring(0, 120) + "..." : l) + "'");
            }
        }
        if (cur != null) functions.put(cur.bdf, cur.build());
        if (kernel == null) throw new BadInputException(file, 0, "no 'GUEST: kernel RELEASE;' line");
        if (iomem == null || iomem.isEmpty()) throw new BadInputException(file, 0, "no '" + IOMEM_BOOT + "' section");
        if (functions.isEmpty()) throw new BadInputException(file, 0, "no '" + DEVS_BOOT + "' section with devices");
        return new GuestConsole(file, kernel, functions, iomem.toString(), roots, Optional.ofNullable(hot), found, assigned,
                Optional.ofNullable(after).map(StringBuilder::toString));
    }

    /** The host at boot: x86_64, 4 KiB pages (the runs are x86_64-4k), tree from the boot /proc/iomem. */
    public Host host() {
        return HostBuilder.build(file, new Platform("x86_64", 4096), kernel, file + " (/proc/iomem at boot)", bootIomem, functions, List.of());
    }

    private static String strip(String l, String prefix, String file, int lineNo) {
        if (!l.startsWith(prefix)) throw new BadInputException(file, lineNo, "expected '" + prefix + "' before an iomem line: '" + l + "'");
        return l.substring(prefix.length());
    }

    private static Bdf bdf(String file, int lineNo, String s) {
        try {
            return Bdf.parse(s);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file, lineNo, e.getMessage());
        }
    }

    /** Parses a %pR memory resource: {start, end, IORESOURCE flags from the 64bit/pref/window words}. */
    static long[] pR(String file, int lineNo, String s) {
        Matcher m = PR.matcher(s);
        if (!m.matches()) throw new BadInputException(file, lineNo, "not a memory or I/O resource: '" + s + "'");
        // lib/vsprintf.c resource_string: "[io  " for IORESOURCE_IO, "[mem " for IORESOURCE_MEM
        long flags = m.group(1).equals("mem") ? IoResource.MEM : IoResource.IO;
        for (String w : m.group(4).trim().split(" ")) {
            switch (w) {
                case "64bit" -> flags |= IoResource.MEM_64;
                case "pref" -> flags |= IoResource.PREFETCH;
                case "window" -> flags |= IoResource.WINDOW;
                case "" -> { }
                default -> throw new BadInputException(file, lineNo, "unknown resource attribute '" + w + "' in '" + s + "'");
            }
        }
        long start = Long.parseUnsignedLong(m.group(2), 16), end = Long.parseUnsignedLong(m.group(3), 16);
        // a range is [start, end] with end >= start (include/linux/ioport.h resource_size = end - start + 1): one that
        // ends below its start would run past 2^64 (issue 14: a hot-added BAR spanning the 64-bit space)
        if (Long.compareUnsigned(end, start) < 0) {
            throw new BadInputException(file, lineNo, String.format("end 0x%x is below start 0x%x (the range would run past 2^64): '%s'", end, start, s));
        }
        return new long[] {start, end, flags};
    }

    private static final class Dev {
        final Bdf bdf;
        final int vendor, device, cls;
        final String driver, group;
        final Bar[] res = new Bar[17];

        Dev(Bdf bdf, int vendor, int device, int cls, String driver, String group) {
            this.bdf = bdf;
            this.vendor = vendor;
            this.device = device;
            this.cls = cls;
            this.driver = driver;
            this.group = group;
        }

        PciFunction build() {
            var list = new ArrayList<Bar>(17);
            for (int i = 0; i < 17; i++) list.add(res[i] != null ? res[i] : new Bar(i, 0, 0, 0));
            return new PciFunction(bdf, vendor, device, cls, list, Optional.empty(), false, Optional.empty(),
                    group.equals("-") ? Optional.empty() : Optional.of(group), driver.equals("-") ? Optional.empty() : Optional.of(driver));
        }
    }
}
