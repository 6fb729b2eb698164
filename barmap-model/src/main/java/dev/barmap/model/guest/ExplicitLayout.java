package dev.barmap.model.guest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An explicit guest layout (e.g. read by the CLI from a file, or what {@code info pci} / {@code lspci} showed in a
 * real guest). Text format, one BAR per line: {@code <device> <bar> <address>} with the address in hex
 * (0x prefix optional); '#' starts a comment. BARs the layout does not mention are unassigned.
 */
public record ExplicitLayout(String name, Map<BarKey, Long> addresses) implements GuestFirmware {
    public ExplicitLayout {
        addresses = Map.copyOf(addresses);
    }

    public static ExplicitLayout parse(String name, String text) {
        var m = new LinkedHashMap<BarKey, Long>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (l.isEmpty()) continue;
            String[] f = l.split("\\s+");
            if (f.length != 3) throw new IllegalArgumentException(name + ":" + n + ": expected '<device> <bar> <address>', got '" + l + "'");
            String bar = f[1].toUpperCase().replace("BAR", "");
            long addr = Long.parseUnsignedLong(f[2].toLowerCase().replaceFirst("^0x", ""), 16);
            m.put(new BarKey(f[0], Integer.parseInt(bar)), addr);
        }
        return new ExplicitLayout(name, m);
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
