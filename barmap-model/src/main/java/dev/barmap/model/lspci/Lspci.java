package dev.barmap.model.lspci;

import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.host.HostBuilder;
import dev.barmap.model.kernel.KernelRelease;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.ConfigSpace;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what users already have: {@code lspci -vv}/{@code -vvv}/{@code -vvvnn} text, {@code lspci -x},
 * {@code -xxx}, {@code -xxxx} hex dumps (alone or interleaved with the verbose text, as
 * {@code lspci -vvvxxxx} prints them), and the usual IOMMU-group listing ({@code IOMMU Group N BDF ...}
 * on one line, or {@code IOMMU Group N:} followed by indented {@code lspci -nns} lines). Several files
 * about one host are merged by PCI address. Pure: text in, {@link Host} out.
 *
 * <p>Formats follow pciutils lspci.c ({@code show_terse}, {@code show_bases}, {@code show_rom},
 * {@code show_range}, {@code show_size}, {@code show_hex_dump}), ls-caps.c ({@code cap_msix},
 * {@code show_caps}: {@code <access denied>}) and ls-ecaps.c ({@code cap_sriov}: the VF regions, which
 * are not device BARs). Indentation is not trusted (pasted text often loses it): a {@code Region} line
 * is a device BAR only before the first {@code Capabilities:} line, which is where lspci prints them.
 *
 * <p>lspci text has no /proc/iomem, so only PCI BARs and bridge windows are known as neighbours; sizes
 * lspci did not print, MSI-X placement behind {@code <access denied>}, IDs without {@code -nn} are
 * unknown and said so in the host's notes, never guessed.
 */
public final class Lspci {
    private Lspci() {}

    /** One input: its name (for messages) and its text. */
    public record Input(String file, String text) {}

    // show_terse(): "BDF class [cccc]: vendor device [vvvv:dddd] (rev rr) (prog-if pp [name])"
    // The spaces and the class name are matched possessively (the name's trailing spaces are stripped after): a lazy
    // name followed by \\s* backtracked over every space of a long line, quadratic (issue 14: an 80 KB line took 31 s).
    private static final Pattern HEADER = Pattern.compile(
            "^((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7])\\s++([^:\\[]++)(?:\\[([0-9a-fA-F]{4})\\])?:\\s*(.*)$");
    private static final Pattern IDS = Pattern.compile("\\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\\]");
    private static final Pattern BARE_IDS = Pattern.compile("Device ([0-9a-fA-F]{4}):([0-9a-fA-F]{4})");
    private static final Pattern PROG_IF = Pattern.compile("\\(prog-if ([0-9a-fA-F]{2})");
    private static final Pattern GROUP_LISTING = Pattern.compile("^IOMMU [Gg]roup\\s+(\\S+?):?(?:\\s+(.*))?$");
    private static final Pattern GROUP_VERBOSE = Pattern.compile("^IOMMU group:\\s*(\\S+)$");
    private static final Pattern HEX = Pattern.compile("^([0-9a-fA-F]{2,3}):((?: [0-9a-fA-F]{2}){1,16})\\s*$");
    // show_bases(): "Region %d: Memory at %08llx (64-bit, prefetchable) [virtual] [disabled] [size=16K]"
    private static final Pattern REGION = Pattern.compile("^Region (\\d+): (Memory|I/O ports) at (\\S+)(.*)$");
    private static final Pattern ROM = Pattern.compile("^Expansion ROM at (\\S+)(.*)$");
    private static final Pattern MEM_TYPE = Pattern.compile("\\((32-bit|64-bit|low-1M|type 3), (non-)?prefetchable\\)");
    private static final Pattern SIZE = Pattern.compile("\\[size=(\\d+)([KMGT]?)\\]");
    // show_range(): "Memory behind bridge: fe000000-fe0fffff [size=1M] [32-bit]"
    private static final Pattern WINDOW = Pattern.compile("^(I/O|Memory|Prefetchable memory) behind bridge:\\s*(?:([0-9a-fA-F]+)-([0-9a-fA-F]+))?(.*)$");
    private static final Pattern CAP = Pattern.compile("^Capabilities: \\[([0-9a-fA-F]+)(?: v\\d+)?\\] (.*)$");
    // cap_msix(): "MSI-X: Enable+ Count=32 Masked-", "Vector table: BAR=0 offset=00002000", "PBA: BAR=0 offset=00003000"
    private static final Pattern MSIX = Pattern.compile("^MSI-X: Enable[+-] Count=(\\d+)");
    // pciutils before v3.1.3 (ls-caps.c cap_msix until commit 04885ef "Improve MSI and MSI-X display", 2009):
    // "MSI-X: Enable+ Mask- TabSize=10"
    private static final Pattern MSIX_OLD = Pattern.compile("^MSI-X: Enable[+-] Mask[+-] TabSize=(\\d+)");
    private static final Pattern MSIX_TABLE = Pattern.compile("^Vector table: BAR=(\\d) offset=([0-9a-fA-F]{1,8})$");
    private static final Pattern MSIX_PBA = Pattern.compile("^PBA: BAR=(\\d) offset=([0-9a-fA-F]{1,8})$");
    private static final Pattern DRIVER = Pattern.compile("^Kernel driver in use: (\\S+)$");
    private static final Pattern STATUS = Pattern.compile("^Status: Cap([+-])");
    // show_bases() at verbosity 1 (lspci -v): the same text as "Region N:" lines but without the number
    private static final Pattern TERSE_BAR = Pattern.compile("^(Memory|I/O ports) at (\\S+)(.*)$");
    // show_kernel(): printed after the capability list, so seeing them means the list was not cut
    private static final Pattern MODULES = Pattern.compile("^Kernel modules: ");
    // "Bus: primary=00, secondary=01, subordinate=01, sec-latency=0" (lspci.c show_htype1)
    private static final Pattern SECONDARY = Pattern.compile("secondary=([0-9a-fA-F]{2})");

    /** Whether a text looks like lspci output or an IOMMU-group listing (for readers that sniff files). */
    public static boolean looksLikeLspci(String text) {
        String[] lines = Paste.clean(text.split("\n", 200)).lines();
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            try {
                t = Paste.unpath("-", i + 1, t, java.util.Map.of());
            } catch (BadInputException e) {
                return true; // an lspci -P path line
            }
            if (HEADER.matcher(t).matches() || GROUP_LISTING.matcher(t).matches()) return true;
        }
        return false;
    }

    /**
     * Builds the host. {@code platform} and {@code kernel} come from the caller (lspci does not print
     * them); {@code notes} should already say where they came from.
     */
    public static Host host(String source, Platform platform, KernelRelease kernel, List<Input> inputs, List<String> notes) {
        var facts = new TreeMap<Bdf, FunctionFacts>();
        var allNotes = new ArrayList<>(notes);
        for (Input in : inputs) parse(in, facts, allNotes);
        if (facts.isEmpty()) {
            throw new BadInputException(inputs.isEmpty() ? "lspci" : inputs.getFirst().file(), 0,
                    "no PCI function found (expected lspci -vvv / -xxx output or an IOMMU group listing)");
        }
        SortedMap<Bdf, PciFunction> functions = new TreeMap<>();
        for (FunctionFacts f : facts.values()) functions.put(f.bdf, f.build(allNotes));
        var guessed = facts.values().stream().filter(f -> f.terseGuessed).map(f -> f.bdf.toString()).toList();
        if (!guessed.isEmpty()) {
            allNotes.add("lspci -v does not print BAR numbers: for " + (guessed.size() <= 4 ? String.join(", ", guessed) : guessed.size() + " functions")
                    + " they are numbered in the order shown (a 64-bit BAR taking two), which is the device's numbering"
                    + " unless it leaves a BAR unimplemented in between; lspci -vv shows them");
        }
        for (FunctionFacts f : facts.values()) {
            if (f.vfRegions > 0) {
                allNotes.add(f.bdf + ": " + f.vfRegions + " Region line(s) inside its SR-IOV capability are the VFs' BARs"
                        + " (ls-ecaps.c cap_sriov), not this function's: not modelled");
            }
        }
        var unknownWhy = new TreeMap<String, List<String>>();
        for (FunctionFacts f : facts.values()) {
            if (f.msixUnknownWhy != null && f.passthroughCandidate()) unknownWhy.computeIfAbsent(f.msixUnknownWhy, k -> new ArrayList<>()).add(f.bdf.toString());
        }
        unknownWhy.forEach((why, bdfs) -> allNotes.add("MSI-X unknown for " + (bdfs.size() <= 4 ? String.join(", ", bdfs) : bdfs.size() + " functions")
                + ": " + why + "; verdicts on their BARs say what the MSI-X table would change"));
        boolean anyNoIds = facts.values().stream().anyMatch(f -> f.vendor == null);
        if (anyNoIds) allNotes.add("some functions have no vendor:device IDs (lspci run without -nn and without a hex dump): shown as ffff:ffff");
        try {
            return HostBuilder.build(source, platform, kernel, "lspci", null, functions, allNotes);
        } catch (BadInputException e) {
            // synthesize() names sysfs files; point at the lspci line instead
            for (FunctionFacts f : facts.values()) {
                if (e.file().contains(f.bdf.toString()) && e.line() > 0) {
                    BarFact b = f.bars.get(e.line() - 1);
                    if (b != null) throw new BadInputException(b.file, b.line, e.problem());
                }
                // config-space facts (the MSI-X capability): the function's first line in the paste
                if (e.file().contains(f.bdf.toString()) && f.firstFile != null) throw new BadInputException(f.firstFile, f.firstLine, f.bdf + ": " + e.problem());
            }
            throw e;
        }
    }

    /** Parses one input into {@code facts} (merging with what other inputs said about the same functions). */
    static void parse(Input in, SortedMap<Bdf, FunctionFacts> facts) {
        parse(in, facts, new ArrayList<>());
    }

    /** As {@link #parse(Input, SortedMap)}; what was stripped or could not be placed is said in {@code notes}. */
    static void parse(Input in, SortedMap<Bdf, FunctionFacts> facts, List<String> notes) {
        String file = in.file();
        String[] lines = in.text().split("\r?\n", -1);
        Paste.Cleaned cleaned = Paste.clean(lines);
        lines = cleaned.lines();
        if (!cleaned.removed().isEmpty()) notes.add(file + ": removed " + cleaned.removed() + " around the lspci text before reading it");
        FunctionFacts cur = null;
        String listingGroup = null;
        String capName = null; // the capability whose sub-lines follow
        boolean sawAnyHeader = false;
        int orphanBars = 0, firstOrphan = 0;
        var secondaryBus = new java.util.HashMap<Bdf, Integer>();
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            String raw = lines[i];
            String t = raw.strip();
            if (t.isEmpty()) continue;
            boolean indented = Character.isWhitespace(raw.charAt(0));
            t = Paste.unpath(file, ln, t, secondaryBus);
            Matcher m;
            if ((m = GROUP_VERBOSE.matcher(t)).matches()) {
                if (cur != null) cur.setGroup(file, ln, m.group(1));
                continue;
            }
            if ((m = GROUP_LISTING.matcher(t)).matches()) {
                listingGroup = m.group(1);
                String rest = m.group(2);
                if (rest != null && !rest.isBlank()) {
                    Matcher h = HEADER.matcher(Paste.unpath(file, ln, rest.strip(), secondaryBus));
                    if (!h.matches()) throw new BadInputException(file, ln, "IOMMU group line without a PCI function: '" + t + "'");
                    cur = header(file, ln, h, facts);
                    cur.setGroup(file, ln, listingGroup);
                    listingGroup = null;
                    sawAnyHeader = true;
                }
                capName = null;
                continue;
            }
            if ((m = HEADER.matcher(t)).matches()) {
                cur = header(file, ln, m, facts);
                sawAnyHeader = true;
                if (indented && listingGroup != null) cur.setGroup(file, ln, listingGroup);
                else listingGroup = null;
                capName = null;
                continue;
            }
            if (cur == null) {
                // shell prompts, fences, text around a paste; but a BAR line here belongs to a device whose line is not in the paste
                if (t.startsWith("Region ") && REGION.matcher(t).matches() || TERSE_BAR.matcher(t).matches()) {
                    if (orphanBars++ == 0) firstOrphan = ln;
                }
                continue;
            }
            if ((m = HEX.matcher(t)).matches()) {
                cur.hex(file, ln, Integer.parseInt(m.group(1), 16), m.group(2));
                if (cur.capsStarted) cur.capsEnded = true; // show_hex_dump() comes after the capability list
                continue;
            }
            if (t.startsWith("WARNING: Cannot show hex-dump")) continue;
            if ((m = REGION.matcher(t)).matches()) {
                if (!cur.capsStarted) cur.region(file, ln, m);
                // else: a region inside a capability (SR-IOV VF BARs, ls-ecaps.c cap_sriov): not a device BAR
                else if ("sriov".equals(capName)) cur.vfRegions++;
                continue;
            }
            if ((m = ROM.matcher(t)).matches()) {
                if (!cur.capsStarted) cur.rom(file, ln, m);
                continue;
            }
            if ((m = WINDOW.matcher(t)).matches()) {
                cur.window(file, ln, m);
                continue;
            }
            if (t.startsWith("Bus: primary=")) {
                cur.headerType = 1;
                Matcher sec = SECONDARY.matcher(t);
                if (sec.find()) secondaryBus.put(cur.bdf, Integer.parseInt(sec.group(1), 16));
                continue;
            }
            if (t.equals("Capabilities: <access denied>")) {
                cur.capsStarted = true;
                cur.capsDenied = true;
                continue;
            }
            if ((m = CAP.matcher(t)).matches()) {
                cur.capsStarted = true;
                cur.capsListed = true;
                int off = Integer.parseInt(m.group(1), 16);
                if (off >= 0x100) cur.extendedCaps = true;
                else cur.standardCaps = true;
                String what = m.group(2);
                Matcher mx = MSIX.matcher(what);
                boolean current = mx.find();
                if (!current) mx = MSIX_OLD.matcher(what);
                if (mx.reset().find()) {
                    capName = "msix";
                    cur.msixCount = parseInt(file, ln, mx.group(1));
                    // pciutils ls-caps.c cap_msix prints Count=(cap & PCI_MSIX_TABSIZE) + 1 with PCI_MSIX_TABSIZE 0x07ff
                    // (lib/header.h): a real lspci shows 1 to 2048, never 0 (issue 14: Count=0 gave a 0-byte table)
                    if (current && (cur.msixCount < 1 || cur.msixCount > 2048)) {
                        throw new BadInputException(file, ln, "MSI-X Count=" + mx.group(1)
                                + " is impossible: lspci prints the table size field + 1, 1 to 2048");
                    }
                    cur.msixLine = ln;
                } else if (what.startsWith("Single Root I/O Virtualization")) {
                    capName = "sriov";
                } else {
                    capName = "other";
                }
                continue;
            }
            if ("msix".equals(capName)) {
                if ((m = MSIX_TABLE.matcher(t)).matches()) {
                    cur.tableBir = Integer.parseInt(m.group(1));
                    cur.tableOffset = Long.parseLong(m.group(2), 16);
                    continue;
                }
                if ((m = MSIX_PBA.matcher(t)).matches()) {
                    cur.pbaBir = Integer.parseInt(m.group(1));
                    cur.pbaOffset = Long.parseLong(m.group(2), 16);
                    continue;
                }
            }
            if ((m = DRIVER.matcher(t)).matches()) {
                cur.driver = m.group(1);
                if (cur.capsStarted) cur.capsEnded = true;
                capName = null;
                continue;
            }
            if (MODULES.matcher(t).find()) {
                if (cur.capsStarted) cur.capsEnded = true;
                capName = null;
                continue;
            }
            if ((m = STATUS.matcher(t)).find()) {
                cur.statusCapList = m.group(1).equals("+");
                continue;
            }
            if (!cur.capsStarted && (m = TERSE_BAR.matcher(t)).matches()) {
                cur.terseBar(file, ln, m);
            }
        }
        if (!sawAnyHeader && !in.text().isBlank()) {
            throw new BadInputException(file, 0, "no lspci device line found (expected e.g. '01:00.0 Ethernet controller: ...')");
        }
        if (orphanBars > 0) {
            notes.add(file + ":" + firstOrphan + ": " + orphanBars + " BAR line(s) before the first device line (the paste starts inside a device):"
                    + " their device is not shown, so they are not modelled");
        }
    }

    private static FunctionFacts header(String file, int ln, Matcher m, SortedMap<Bdf, FunctionFacts> facts) {
        Bdf bdf;
        try {
            bdf = Bdf.parse(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file, ln, e.getMessage());
        }
        FunctionFacts f = facts.computeIfAbsent(bdf, FunctionFacts::new);
        f.newBlock(file, ln);
        String className = m.group(2).strip();
        String rest = m.group(4);
        Integer cs = null;
        if (m.group(3) != null) cs = Integer.parseInt(m.group(3), 16);
        else cs = PciClassNames.classSub(className).orElse(null);
        Integer progIf = null;
        Matcher p = PROG_IF.matcher(rest);
        if (p.find()) {
            progIf = Integer.parseInt(p.group(1), 16);
            rest = rest.substring(0, p.start());
        }
        if (cs != null) f.setClass(file, ln, (cs << 8) | (progIf == null ? 0 : progIf));
        else f.unknownClassName = className;
        Matcher ids = IDS.matcher(rest);
        Integer v = null, d = null;
        while (ids.find()) {
            v = Integer.parseInt(ids.group(1), 16);
            d = Integer.parseInt(ids.group(2), 16);
        }
        if (v == null) {
            Matcher b = BARE_IDS.matcher(rest);
            if (b.find()) {
                v = Integer.parseInt(b.group(1), 16);
                d = Integer.parseInt(b.group(2), 16);
            }
        }
        if (v != null) f.setIds(file, ln, v, d);
        return f;
    }

    static long parseSize(String file, int ln, Matcher s) {
        long n = parseLong(file, ln, s.group(1), 10);
        int shift = switch (s.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        if (n <= 0 || Long.numberOfLeadingZeros(n) <= shift) throw new BadInputException(file, ln, "size out of range: " + s.group());
        return n << shift;
    }

    static long parseLong(String file, int ln, String s, int radix) {
        try {
            return Long.parseUnsignedLong(s, radix);
        } catch (NumberFormatException e) {
            throw new BadInputException(file, ln, "not a number: '" + s + "'");
        }
    }

    static int parseInt(String file, int ln, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadInputException(file, ln, "not a number: '" + s + "'");
        }
    }

    /** A BAR as lspci showed it: where, how big (null when not shown), kind, and where it was read. */
    record BarFact(int index, Long start, Long size, long flags, String file, int line, String state) {}

    /** Everything the inputs said about one function; turned into a {@link PciFunction} at the end. */
    static final class FunctionFacts {
        final Bdf bdf;
        Integer vendor, device, classCode;
        String unknownClassName;
        int headerType = -1;
        final Map<Integer, BarFact> bars = new LinkedHashMap<>();
        final Map<Integer, Bar> windows = new TreeMap<>();
        boolean regionsSeen;
        boolean capsStarted, capsListed, capsDenied, extendedCaps, standardCaps;
        /** a line lspci prints after the capability list (show_kernel, show_hex_dump) was seen: the list is whole */
        boolean capsEnded;
        /** next BAR number for an lspci -v line (no "Region N:"), and whether any BAR was numbered that way */
        int terseNext;
        boolean terseNumbered;
        /** BAR numbers of lspci -v lines could not be checked against a hex dump */
        boolean terseGuessed;
        /** why MSI-X is unknown for this function (null when known) */
        String msixUnknownWhy;
        Boolean statusCapList;
        Integer msixCount;
        int msixLine;
        Integer tableBir, pbaBir;
        long tableOffset, pbaOffset;
        int vfRegions;
        String group, driver;
        byte[] config = new byte[4096];
        int configLen;
        int hexNext;
        String hexFile;
        int firstLine;
        String firstFile;

        FunctionFacts(Bdf bdf) {
            this.bdf = bdf;
        }

        void newBlock(String file, int ln) {
            if (firstFile == null) {
                firstFile = file;
                firstLine = ln;
            }
            // capability context and the hex cursor start again with every block
            capsStarted = false;
            terseNext = 0;
            hexNext = 0;
            hexFile = file;
        }

        void setIds(String file, int ln, int v, int d) {
            if (vendor != null && (vendor != v || device != d)) {
                throw new BadInputException(file, ln, String.format("%s is %04x:%04x here but %04x:%04x in an earlier input", bdf, v, d, vendor, device));
            }
            vendor = v;
            device = d;
        }

        void setClass(String file, int ln, int cc) {
            if (classCode != null && (classCode >>> 8) != (cc >>> 8)) {
                throw new BadInputException(file, ln, String.format("%s has class %04x here but %04x in an earlier input", bdf, cc >>> 8, classCode >>> 8));
            }
            if (classCode == null || (cc & 0xff) != 0) classCode = cc;
        }

        void setGroup(String file, int ln, String g) {
            if (group != null && !group.equals(g)) {
                throw new BadInputException(file, ln, bdf + " is in IOMMU group " + g + " here but " + group + " in an earlier input");
            }
            group = g;
        }

        void hex(String file, int ln, int off, String bytes) {
            if (off != hexNext) {
                throw new BadInputException(file, ln, String.format("hex dump of %s jumps to offset %x, expected %x", bdf, off, hexNext));
            }
            String[] b = bytes.strip().split(" ");
            if (off + b.length > 4096) throw new BadInputException(file, ln, "hex dump runs past 4096 bytes of config space");
            boolean mismatch = false;
            for (int k = 0; k < b.length; k++) {
                byte v = (byte) Integer.parseInt(b[k], 16);
                if (off + k < configLen && config[off + k] != v) mismatch = true;
                config[off + k] = v;
            }
            if (mismatch && off < 0x10) {
                throw new BadInputException(file, ln, "config space header of " + bdf + " differs from an earlier dump");
            }
            hexNext = off + b.length;
            configLen = Math.max(configLen, hexNext);
        }

        void region(String file, int ln, Matcher m) {
            int idx = parseInt(file, ln, m.group(1));
            if (idx > 5) throw new BadInputException(file, ln, "Region " + idx + ": a function has BARs 0-5 only");
            region(file, ln, idx, m.group(2).startsWith("I/O"), m.group(3), m.group(4));
        }

        /**
         * An lspci -v BAR line ({@code Memory at fe200000 (32-bit, non-prefetchable) [size=16K]}): show_bases()
         * prints the same text as for -vv but not the number, skipping unimplemented BARs and the upper half of
         * a 64-bit BAR. Numbered here in print order; {@link #build} renumbers from a hex dump when there is one.
         */
        void terseBar(String file, int ln, Matcher m) {
            int idx = terseNext;
            if (idx > 5) throw new BadInputException(file, ln, "more than six BAR lines for " + bdf + ": a function has BARs 0-5 only");
            terseNumbered = true;
            region(file, ln, idx, m.group(1).startsWith("I/O"), m.group(2), m.group(3));
            BarFact b = bars.get(idx);
            terseNext = idx + ((b.flags & IoResource.MEM_64) != 0 ? 2 : 1);
        }

        void region(String file, int ln, int idx, boolean io, String addr, String rest) {
            regionsSeen = true;
            long flags;
            if (io) {
                flags = IoResource.IO | IoResource.SIZEALIGN | 0x1; // PCI_BASE_ADDRESS_SPACE_IO in the low bits
            } else {
                Matcher t = MEM_TYPE.matcher(rest);
                if (!t.find()) throw new BadInputException(file, ln, "memory region without '(32-bit|64-bit, [non-]prefetchable)'");
                flags = IoResource.MEM | IoResource.SIZEALIGN;
                // the BAR's low bits (PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x4, PREFETCH = 0x8) stay in IORESOURCE_BITS
                if (t.group(1).equals("64-bit")) flags |= IoResource.MEM_64 | 0x4;
                if (t.group(2) == null) flags |= IoResource.PREFETCH | 0x8;
            }
            Long size = null;
            Matcher s = SIZE.matcher(rest);
            if (s.find()) size = parseSize(file, ln, s);
            Long start = null;
            String state = rest.contains("[virtual]") ? "virtual" : null;
            if (addr.startsWith("<")) {
                state = addr.substring(1, addr.length() - 1); // unassigned, ignored, broken-64-bit-slot
            } else {
                start = parseLong(file, ln, addr, 16);
            }
            BarFact b = new BarFact(idx, start, size, flags, file, ln, state);
            BarFact old = bars.get(idx);
            if (old != null && !(java.util.Objects.equals(old.start, b.start) && java.util.Objects.equals(old.size, b.size))) {
                throw new BadInputException(file, ln, bdf + " Region " + idx + " differs from " + old.file + ":" + old.line);
            }
            bars.put(idx, b);
        }

        void rom(String file, int ln, Matcher m) {
            String addr = m.group(1);
            String rest = m.group(2);
            Long size = null;
            Matcher s = SIZE.matcher(rest);
            if (s.find()) size = parseSize(file, ln, s);
            // pci_read_bases(): the ROM resource is IORESOURCE_MEM | PREFETCH | READONLY | SIZEALIGN
            long flags = IoResource.MEM | IoResource.PREFETCH | IoResource.READONLY | IoResource.SIZEALIGN;
            Long start = addr.startsWith("<") ? null : parseLong(file, ln, addr, 16);
            String state = addr.startsWith("<") ? addr.substring(1, addr.length() - 1) : rest.contains("[virtual]") ? "virtual" : null;
            bars.put(Bar.ROM, new BarFact(Bar.ROM, start, size, flags, file, ln, state));
        }

        void window(String file, int ln, Matcher m) {
            headerType = 1;
            if (m.group(2) == null) return; // "[disabled]" without a range
            long base = parseLong(file, ln, m.group(2), 16), limit = parseLong(file, ln, m.group(3), 16);
            if (Long.compareUnsigned(base, limit) > 0 || m.group(4).contains("[disabled]")) return; // show_range(): base > limit is closed
            int idx;
            long flags;
            switch (m.group(1)) {
                case "I/O" -> { idx = 13; flags = IoResource.IO | IoResource.WINDOW; }
                case "Memory" -> { idx = 14; flags = IoResource.MEM | IoResource.WINDOW; }
                default -> { idx = 15; flags = IoResource.MEM | IoResource.PREFETCH | IoResource.MEM_64 | IoResource.WINDOW; }
            }
            windows.put(idx, new Bar(idx, base, limit, flags));
        }

        boolean bridge() {
            if (headerType >= 0) return headerType == 1;
            if (configLen >= 64) return (config[ConfigSpace.HEADER_TYPE] & 0x7f) == 1;
            return classCode != null && (classCode >>> 8) == 0x0604;
        }

        boolean passthroughCandidate() {
            int cs = classCode == null ? 0xff00 : classCode >>> 8;
            return cs != 0x0600 && cs != 0x0601 && cs != 0x0604 && cs != 0x0609;
        }

        PciFunction build(List<String> notes) {
            ConfigSpace cs = configLen >= 64 ? ConfigSpace.of(java.util.Arrays.copyOf(config, configLen)) : null;
            if (cs != null) {
                if (vendor != null && (cs.vendor() != vendor || cs.device() != device)) {
                    throw new BadInputException(hexFile, 0, String.format("%s: hex dump says %04x:%04x, the device line %04x:%04x", bdf, cs.vendor(), cs.device(), vendor, device));
                }
                vendor = cs.vendor();
                device = cs.device();
                classCode = (int) (cs.u32(ConfigSpace.CLASS_REVISION) >>> 8);
            }
            if (classCode == null) {
                notes.add(bdf + ": class '" + (unknownClassName == null ? "?" : unknownClassName)
                        + "' not recognised: treated as a device (not a bridge); run lspci -nn to give the class code");
            }
            boolean bridge = bridge();
            int n = bridge ? 17 : 13;
            var res = new ArrayList<Bar>(n);
            for (int i = 0; i < n; i++) res.add(new Bar(i, 0, 0, 0));
            var unknownSizes = new ArrayList<String>();
            if (terseNumbered) renumberTerse(cs, notes);
            for (BarFact b : bars.values()) {
                if (bridge && b.index > 1 && b.index < Bar.ROM) {
                    throw new BadInputException(b.file, b.line, bdf + " is a bridge: it has BARs 0-1 only, not Region " + b.index);
                }
                String name = b.index == Bar.ROM ? "ROM" : "BAR" + b.index;
                if (b.size == null) {
                    if (b.start == null || "unassigned".equals(b.state) || "ignored".equals(b.state)) {
                        // no kernel resource behind it (reset_resource(): all zero), so vfio-pci sees size 0
                        notes.add(bdf + " " + name + " is <" + (b.state == null ? "unassigned" : b.state) + "> with no size: the kernel holds no resource for it; treated as absent");
                    } else {
                        unknownSizes.add(name + String.format(" at %x", b.start));
                    }
                    continue;
                }
                long start = b.start == null ? 0 : b.start;
                long flags = b.flags;
                if (b.start == null) {
                    flags |= IoResource.UNSET;
                    notes.add(bdf + " " + name + " is <" + b.state + ">: not assigned, so pci_enable_device() (pci_enable_resources) refuses the device until it is");
                } else if ("virtual".equals(b.state)) {
                    notes.add(bdf + " " + name + " is [virtual]: the kernel has a resource the device's register does not show; modelled as the kernel's");
                }
                if (start + b.size - 1 < start) throw new BadInputException(b.file, b.line, "region wraps past the end of the address space");
                res.set(b.index, new Bar(b.index, start, start + b.size - 1, flags));
            }
            for (Bar w : windows.values()) if (bridge) res.set(w.index(), w);
            if (!unknownSizes.isEmpty()) {
                notes.add(bdf + ": size of " + String.join(", ", unknownSizes) + " not shown by lspci: not modelled (their verdict is unknown)");
            }
            if (!regionsSeen && cs != null) hexOnlyBars(cs, notes);
            // MSI-X: config bytes past the header are authoritative; then the -vv capability lines
            Optional<MsixCapability> msix = Optional.empty();
            boolean msixKnown = false;
            if (cs != null && configLen >= 256) {
                msix = cs.msix();
                msixKnown = true;
            } else if (msixCount != null) {
                if (tableBir != null && pbaBir != null) {
                    msix = Optional.of(new MsixCapability(tableBir, tableOffset, msixCount, pbaBir, pbaOffset));
                    msixKnown = true;
                } else {
                    notes.add(bdf + ": MSI-X present but its table location is not shown (needs lspci -vv as root): MSI-X effects unknown");
                }
            } else if (capsListed && capsEnded && (standardCaps || !extendedCaps)) {
                msixKnown = true; // the whole list was printed (show_kernel/show_hex_dump came after it), none is MSI-X
            } else if (!capsDenied && !capsListed && Boolean.FALSE.equals(statusCapList)) {
                msixKnown = true; // Status: Cap- : no capability list at all
            } else if (capsDenied) {
                msixUnknownWhy = "'Capabilities: <access denied>' (lspci run without root)";
            } else if (capsListed && !standardCaps) {
                msixUnknownWhy = "only extended capabilities (0x100 and up) in the input, the standard list where MSI-X lives is left out";
            } else if (capsListed) {
                msixUnknownWhy = "the capability list has no MSI-X but ends without what lspci prints after it"
                        + " ('Kernel driver in use', 'Kernel modules' or the hex dump), so it may be cut";
            } else if (Boolean.TRUE.equals(statusCapList)) {
                msixUnknownWhy = "'Status: Cap+' (it has capabilities) but none of its Capabilities lines is in the input";
            } else {
                msixUnknownWhy = "no capability list in the input";
            }
            if (msix.isPresent() && msix.get().tableBir() > 5) {
                throw new BadInputException(firstFile, msixLine, bdf + ": MSI-X table in BAR " + msix.get().tableBir() + " (BIR must be 0-5)");
            }
            Optional<Integer> cfgSize = configLen >= 4096 || extendedCaps ? Optional.of(4096) : Optional.empty();
            return new PciFunction(bdf, vendor == null ? 0xffff : vendor, device == null ? 0xffff : device,
                    classCode == null ? 0xff0000 : classCode, res, msix, msixKnown, cfgSize,
                    Optional.ofNullable(group), Optional.ofNullable(driver));
        }

        /**
         * lspci -v BARs were numbered in print order. A hex dump gives the real numbers (each BAR's address is in
         * its register); without one, say that the numbers are the lowest the order allows.
         */
        private void renumberTerse(ConfigSpace cs, List<String> notes) {
            if (cs != null) {
                var renumbered = new LinkedHashMap<Integer, BarFact>();
                boolean all = true;
                for (BarFact b : bars.values()) {
                    if (b.index == Bar.ROM || b.start == null) {
                        renumbered.put(b.index, b);
                        continue;
                    }
                    int found = -1;
                    for (int i = 0; i < 6 && found < 0; i++) {
                        long lo = cs.u32(0x10 + 4 * i);
                        boolean io = (lo & 1) != 0;
                        long addr = io ? lo & ~3L : lo & ~0xfL;
                        if (!io && (lo & 0x6) == 0x4 && i < 5) addr |= cs.u32(0x10 + 4 * (i + 1)) << 32;
                        if (addr == b.start && addr != 0) found = i;
                    }
                    if (found < 0) all = false;
                    int idx = found < 0 ? b.index : found;
                    renumbered.put(idx, new BarFact(idx, b.start, b.size, b.flags, b.file, b.line, b.state));
                }
                if (all && renumbered.size() == bars.size()) {
                    bars.clear();
                    bars.putAll(renumbered);
                    return;
                }
            }
            terseGuessed = true;
        }

        /** A config dump alone gives BAR addresses and types but not sizes (sizing needs writes): say so. */
        private void hexOnlyBars(ConfigSpace cs, List<String> notes) {
            // lspci.c show_bases(): 6 BARs for a normal header, 2 for a bridge, 1 for a CardBus bridge (header type 2)
            int type = cs.u8(ConfigSpace.HEADER_TYPE) & 0x7f;
            int count = type == 2 ? 1 : bridge() ? 2 : 6;
            var seen = new ArrayList<String>();
            for (int i = 0; i < count; i++) {
                long lo = cs.u32(0x10 + 4 * i);
                if (lo == 0) continue;
                if ((lo & 1) != 0) {
                    seen.add(String.format("BAR%d I/O at %x (I/O: always trapped)", i, lo & ~3L));
                    continue;
                }
                long addr = lo & ~0xfL;
                boolean is64 = (lo & 0x6) == 0x4;
                if (is64 && i < count - 1) addr |= cs.u32(0x10 + 4 * (i + 1)) << 32;
                seen.add(String.format("BAR%d memory at %x", i, addr));
                if (is64) i++;
            }
            if (!seen.isEmpty()) {
                notes.add(bdf + ": only a config-space dump: BAR sizes are unknown (lspci -vv shows them), not modelled: " + String.join("; ", seen));
            }
        }
    }
}
