package dev.barmap.model.vmm.qemu.monitor;

import dev.barmap.model.BadInputException;
import dev.barmap.model.memory.RegionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a running QEMU's monitor printed, as far as {@code barmap inspect} needs it: the flat view of the
 * "memory" address space ({@code info mtree -f}), the region tree of that address space and of "I/O"
 * ({@code info mtree}), and the guest's BARs ({@code info pci}). The text is QEMU's own; this class only reads
 * it. Formats (QEMU system/memory.c, 7.2 to 11.x):
 * <pre>
 * mtree_print_flatview:  "FlatView #N" / " AS \"NAME\", root: ROOT" / " Root memory region: ROOT" /
 *                        "  %016x-%016x (prio %d, [nv-]KIND): NAME[ @%016x][ ACCEL]"
 * mtree_print_as:        "address-space: NAME" (one line per address space sharing the root), then
 *                        "  " × depth "%016x-%016x (prio %d, [nv-]KIND): NAME[ [disabled]]"
 * </pre>
 * {@code info pci} (hw/pci/pci-hmp-cmds.c hmp_info_pci_device): "  Bus %2d, device %3d, function %d:" then
 * "      BAR%d: I/O at 0x%04x [0x%04x]." or "      BAR%d: %d bit[ prefetchable] memory at 0x%08x [0x%08x]."; since
 * QEMU 9.2 (commit "hw/pci/pci-hmp-cmds: Avoid displaying bogus size in 'info pci'", Philippe Mathieu-Daudé,
 * 20240801131449.51328-1-philmd@linaro.org) without the final "." and an unplaced BAR as "BAR%d: I/O (not mapped)"
 * or "BAR%d: %d bit[ prefetchable] memory (not mapped)" (seen from QEMU 10.0.13 and 11.1.3 in testdata/qemu-nested).
 * A pasted monitor session may hold several of these outputs, with or without the "(qemu) " prompts. Errors
 * describe a bad line rather than quote it: the file is whatever the user named, perhaps a link to anything.
 *
 * @param source  the file (or "qmp:SOCKET") the text came from, for errors
 * @param flat    the ranges of the flat view whose address spaces include "memory", in address order
 * @param regions the regions of the "memory" and "I/O" address-space trees (not the alias listings)
 * @param bars    the guest's BARs from {@code info pci}; empty when {@code info pci} was not given
 * @param pciGiven whether {@code info pci} output was present (its absence makes true BAR sizes unknown)
 * @param accel   the accelerator name QEMU appended to flat ranges it has in memory slots ("KVM"), if any
 */
public record MonitorDump(String source, List<Range> flat, List<Range> regions, List<GuestBar> bars, boolean pciGiven,
                          Optional<String> accel) {
    public MonitorDump {
        flat = List.copyOf(flat);
        regions = List.copyOf(regions);
        bars = List.copyOf(bars);
    }

    /**
     * One printed range: [{@code start}, {@code end}] inclusive as QEMU prints it, its priority, kind word
     * ({@code ram}, {@code ramd}, {@code rom}, {@code romd}, {@code i/o}), region name and, in the flat view, the
     * offset into the region and whether QEMU marked it as present in the accelerator's memory slots.
     */
    public record Range(long start, long end, int prio, String kind, String name, long offset, boolean inAccel,
                        String addressSpace, int line) {
        /** Exclusive end (QEMU prints inclusive ends). */
        public long endExclusive() { return end + 1; }

        /** memory_region_is_ram of the kind word ({@link RegionKind#isRam}); i/o and romd are not RAM. */
        public boolean isRam() { return RegionKind.isRam(kind); }

        public boolean intersects(long lo, long hiExclusive) {
            return Long.compareUnsigned(start, hiExclusive) < 0 && Long.compareUnsigned(end, lo) >= 0;
        }
    }

    /** A BAR as the guest programmed it ({@code info pci}): guest bus/device/function, BAR number, [start, end]. */
    public record GuestBar(int bus, int device, int function, int bar, boolean io, long start, long end, int line) {
        public long size() { return end - start + 1; }

        public String guestBdf() { return String.format("%02x:%02x.%d", bus, device, function); }
    }

    private static final Pattern RANGE = Pattern.compile(
            "^(\\s*)([0-9a-f]{16})-([0-9a-f]{16}) \\(prio (-?\\d+), (?:nv-)?([a-z/]+)\\): (.*)$");
    /**
     * A flat range's name, then " @%016x" when it starts inside its region, then " KVM" when the accelerator has it
     * in a memory slot (mtree_print_flatview: the accelerator's name after ranges its has_memory finds; only KVM
     * implements has_memory, accel/kvm/kvm-all.c kvm_accel_has_memory).
     */
    private static final Pattern OFFSET_ACCEL = Pattern.compile("^(.*?)(?: @([0-9a-f]{16}))?(?: (KVM))?$");
    private static final Pattern AS_LINE = Pattern.compile("^ AS \"([^\"]*)\", root: .*$");
    private static final Pattern PCI_DEV = Pattern.compile("^\\s*Bus\\s+(\\d+), device\\s+(\\d+), function (\\d+):\\s*$");
    private static final Pattern PCI_BAR = Pattern.compile(
            "^\\s*BAR(\\d): (?:I/O|(?:32|64) bit (?:prefetchable )?memory) (?:at 0x([0-9a-f]+) \\[0x([0-9a-f]+)\\]\\.?|\\(not mapped\\))\\s*$");
    private static final Pattern PCI_IO = Pattern.compile("^\\s*BAR\\d: I/O .*");
    /** The "unassigned" address info pci prints for a BAR the guest has not placed (PCI_BAR_UNMAPPED). */
    private static final long UNMAPPED = -1L;

    private enum Section { NONE, FLAT, FLAT_OTHER, TREE, TREE_OTHER, PCI }

    /**
     * Reads monitor text. Throws {@link BadInputException} naming {@code source} and the line for a range line
     * QEMU could not have printed, and when neither flat view nor region tree of "memory" is present.
     */
    public static MonitorDump parse(String source, String text) {
        return parseAll(source, List.of(source), List.of(text));
    }

    /**
     * Several outputs read as one (e.g. three files, one per monitor command), in one pass: a malformed line is
     * reported with its own file and line; what is missing from all of them together is reported under
     * {@code label}. Each file starts with no section open.
     */
    public static MonitorDump parseAll(String label, List<String> sources, List<String> texts) {
        var flat = new ArrayList<Range>();
        var regions = new ArrayList<Range>();
        var bars = new ArrayList<GuestBar>();
        boolean pciGiven = false;
        String accel = null;
        for (int t = 0; t < texts.size(); t++) {
            String source = sources.get(t);
            Section s = Section.NONE;
            List<String> asNames = new ArrayList<>();
            int bus = -1, dev = -1, fn = -1;
            boolean lastAs = false; // the previous line named an address space (those sharing a root are listed together)
            String[] lines = texts.get(t).split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                int no = i + 1;
                String l = lines[i];
                boolean wasAs = lastAs;
                lastAs = false;
                if (l.startsWith("(qemu) ")) {
                    l = l.substring(7);
                    s = Section.NONE;
                }
                if (l.startsWith("FlatView #")) {
                    s = Section.FLAT_OTHER;
                    asNames.clear();
                    continue;
                }
                if (l.startsWith("address-space: ")) {
                    if (!wasAs) asNames.clear();
                    asNames.add(l.substring(15));
                    s = asNames.contains("memory") || asNames.contains("I/O") ? Section.TREE : Section.TREE_OTHER;
                    lastAs = true;
                    continue;
                }
                if (l.startsWith("memory-region: ")) { // the alias listings after the trees: not address spaces
                    s = Section.TREE_OTHER;
                    asNames.clear();
                    continue;
                }
                Matcher as = AS_LINE.matcher(l);
                if ((s == Section.FLAT || s == Section.FLAT_OTHER) && as.matches()) {
                    asNames.add(as.group(1));
                    if (as.group(1).equals("memory")) s = Section.FLAT;
                    continue;
                }
                Matcher pd = PCI_DEV.matcher(l);
                if (pd.matches()) {
                    s = Section.PCI;
                    pciGiven = true;
                    bus = Integer.parseInt(pd.group(1));
                    dev = Integer.parseInt(pd.group(2));
                    fn = Integer.parseInt(pd.group(3));
                    continue;
                }
                if (l.trim().equals("info pci")) pciGiven = true;
                if (s == Section.PCI && l.trim().startsWith("BAR")) {
                    Matcher pb = PCI_BAR.matcher(l);
                    if (!pb.matches()) throw new BadInputException(source, no, "not an 'info pci' BAR line (BARn: I/O at 0x... [0x...]. or BARn: 32|64 bit [prefetchable ]memory at 0x... [0x...]., the final dot and '(not mapped)' as QEMU 9.2+ prints them)");
                    if (pb.group(2) == null) continue; // "(not mapped)": not placed by the guest (QEMU 9.2+)
                    long start = Long.parseUnsignedLong(pb.group(2), 16), end = Long.parseUnsignedLong(pb.group(3), 16);
                    if (start == UNMAPPED) continue; // not placed by the guest
                    if (Long.compareUnsigned(end, start) < 0) throw new BadInputException(source, no, "the BAR's last address is below its first");
                    bars.add(new GuestBar(bus, dev, fn, Integer.parseInt(pb.group(1)), PCI_IO.matcher(l).matches(), start, end, no));
                    continue;
                }
                if (l.matches("^\\s*[0-9a-f]{16}-.*")) {
                    Matcher m = RANGE.matcher(l);
                    if (!m.matches()) throw new BadInputException(source, no, "not an 'info mtree' range line (START-END (prio P, KIND): NAME, addresses in 16 hex digits)");
                    long start = Long.parseUnsignedLong(m.group(2), 16), end = Long.parseUnsignedLong(m.group(3), 16);
                    if (Long.compareUnsigned(end, start) < 0) throw new BadInputException(source, no, "the range's last address is below its first");
                    int prio;
                    try {
                        prio = Integer.parseInt(m.group(4));
                    } catch (NumberFormatException e) {
                        throw new BadInputException(source, no, "the priority is out of range");
                    }
                    String rest = m.group(6);
                    if (s == Section.FLAT) {
                        Matcher oa = OFFSET_ACCEL.matcher(rest); // always matches: name, optional offset, optional " KVM"
                        oa.matches();
                        boolean inAccel = oa.group(3) != null;
                        if (inAccel) accel = oa.group(3);
                        long offset = oa.group(2) != null ? Long.parseUnsignedLong(oa.group(2), 16) : 0;
                        flat.add(new Range(start, end, prio, m.group(5), oa.group(1), offset, inAccel, "memory", no));
                    } else if (s == Section.TREE) {
                        if (rest.endsWith(" [disabled]")) continue;
                        String space = asNames.contains("memory") ? "memory" : "I/O";
                        regions.add(new Range(start, end, prio, m.group(5), rest, 0, false, space, no));
                    }
                }
            }
        }
        if (flat.isEmpty() && regions.isEmpty()) {
            throw new BadInputException(label, 0, "no 'info mtree -f' flat view of address space \"memory\" and no 'info mtree' tree"
                    + " (barmap inspect reads QEMU monitor output: info mtree -f, info mtree, info pci)");
        }
        if (flat.isEmpty()) throw new BadInputException(label, 0, "no 'info mtree -f' output (a FlatView listing AS \"memory\")");
        if (regions.isEmpty()) throw new BadInputException(label, 0, "no 'info mtree' output (the tree of address-space: memory)");
        return new MonitorDump(label, flat, regions, bars, pciGiven, Optional.ofNullable(accel));
    }
}
