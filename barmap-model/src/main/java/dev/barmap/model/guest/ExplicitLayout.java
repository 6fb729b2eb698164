package dev.barmap.model.guest;

import dev.barmap.model.BadInputException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An explicit guest layout (e.g. read by the CLI from a file, or what {@code info pci} / {@code lspci} showed in a
 * real guest). Text format, one BAR per line: {@code <device> <bar> <address>} with the address in hex
 * (0x prefix optional); '#' starts a comment. BARs the layout does not mention are unassigned. A device written as
 * a PCI address may leave out the domain, as lspci does for domain 0000 ({@code 00:03.0} is {@code 0000:00:03.0}),
 * and may use upper-case hex: passthrough devices are named by their full lower-case host address.
 */
public record ExplicitLayout(String name, Map<BarKey, Long> addresses, Map<BarKey, Integer> lines) implements GuestFirmware {
    public ExplicitLayout {
        addresses = Map.copyOf(addresses);
        lines = Map.copyOf(lines);
    }

    /** A layout not read from a file (no line numbers). */
    public ExplicitLayout(String name, Map<BarKey, Long> addresses) {
        this(name, addresses, Map.of());
    }

    /**
     * The lines of the file that name a BAR outside {@code known} (no device that is passed through has it), in
     * line order: they place nothing. What input does not match is said, not dropped without a word.
     */
    public List<Integer> strayLines(java.util.Set<BarKey> known) {
        return lines.entrySet().stream().filter(e -> !known.contains(e.getKey())).map(Map.Entry::getValue).sorted().toList();
    }

    /**
     * @throws BadInputException naming the line when a line is not {@code <device> <bar> <address>}. The errors
     *     describe the line without quoting it (issue 14): the file is named by the user, may be a link to a file
     *     barmap can read and the user cannot (barmap often runs as root), and its first line must not leak.
     */
    public static ExplicitLayout parse(String name, String text) {
        var m = new LinkedHashMap<BarKey, Long>();
        var firstLine = new java.util.HashMap<BarKey, Integer>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (l.isEmpty()) continue;
            String[] f = l.split("\\s+");
            if (f.length != 3) throw new BadInputException(name, n, "expected '<device> <bar> <address>', got " + f.length + " field" + (f.length == 1 ? "" : "s"));
            String bar = f[1].toUpperCase().replace("BAR", "");
            int index;
            long addr;
            try {
                index = Integer.parseInt(bar);
                addr = Long.parseUnsignedLong(f[2].toLowerCase().replaceFirst("^0x", ""), 16);
            } catch (NumberFormatException e) {
                throw new BadInputException(name, n, "expected a BAR number 0-5 and a hex address as the second and third fields");
            }
            if (index < 0 || index > 5) throw new BadInputException(name, n, "BAR " + index + " is not 0-5");
            String device;
            try {
                device = deviceName(f[0]);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(name, n, "the device is not a PCI address (a device number above 1f)");
            }
            var key = new BarKey(device, index);
            if (m.put(key, addr) != null) {
                throw new BadInputException(name, n, "BAR listed twice: BAR" + index + " of the device on line " + firstLine.get(key));
            }
            firstLine.put(key, n);
        }
        return new ExplicitLayout(name, m, firstLine);
    }

    private static final java.util.regex.Pattern BDF = java.util.regex.Pattern.compile("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    /**
     * A PCI address in its full form (domain 0000 when left out, lower case); any other name as written.
     * @throws IllegalArgumentException for an address with a device above 1f
     */
    static String deviceName(String written) {
        return BDF.matcher(written).matches() ? dev.barmap.model.pci.Bdf.parse(written).toString() : written;
    }

    @Override
    public String id() { return "file:" + name; }

    @Override
    public GuestLayout place(List<GuestBar> bars, GuestPlatform platform) {
        var placed = new HashMap<BarKey, Long>();
        var missing = new HashMap<BarKey, String>();
        for (GuestBar b : bars) {
            Long a = addresses.get(b.key());
            if (a == null) missing.put(b.key(), "not in layout " + name);
            else if ((a & (b.size() - 1)) != 0) missing.put(b.key(), String.format("0x%x is not aligned to the BAR size 0x%x", a, b.size()));
            else placed.put(b.key(), a);
        }
        return new GuestLayout(id(), placed, missing, Map.of());
    }
}
