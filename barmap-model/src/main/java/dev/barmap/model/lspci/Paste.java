package dev.barmap.model.lspci;

import dev.barmap.model.BadInputException;
import dev.barmap.model.pci.Bdf;
import java.util.ArrayList;
import java.util.Map;

/**
 * What people wrap around lspci text when they paste it, taken off line by line (linear in the input, no
 * backtracking regex): e-mail quote markers ({@code > }), markdown code fences ({@code ```}, {@code ~~~}),
 * bold ({@code **}) and inline-code backticks; and the bridge path {@code lspci -P}/{@code -PP} prints before
 * the device's own address. Line numbers are kept: a removed fence becomes an empty line.
 */
final class Paste {
    private Paste() {}

    /** The lines with decoration removed, and what was removed in words (empty when nothing was). */
    record Cleaned(String[] lines, String removed) {}

    static Cleaned clean(String[] in) {
        String[] out = new String[in.length];
        int quoted = 0, fences = 0, bold = 0, ticks = 0;
        for (int i = 0; i < in.length; i++) {
            String s = in[i];
            // e-mail quoting: "> ", ">> ", "> > " before the text (lspci never starts a line with '>')
            int k = 0;
            boolean q = false;
            while (true) {
                int j = k;
                while (j < s.length() && (s.charAt(j) == ' ') && j - k < 4) j++;
                if (j < s.length() && s.charAt(j) == '>') {
                    k = j + 1;
                    if (k < s.length() && s.charAt(k) == ' ') k++;
                    q = true;
                } else {
                    break;
                }
            }
            if (q) {
                quoted++;
                s = s.substring(k);
            }
            String st = s.strip();
            if (st.startsWith("```") || st.startsWith("~~~")) {
                fences++;
                out[i] = "";
                continue;
            }
            if (s.contains("**")) {
                bold++;
                s = s.replace("**", "");
                st = s.strip();
            }
            if (st.length() >= 1 && (st.charAt(0) == '`' || st.charAt(st.length() - 1) == '`')) {
                ticks++;
                int lead = 0;
                while (lead < s.length() && Character.isWhitespace(s.charAt(lead))) lead++;
                String body = st;
                if (body.startsWith("`")) body = body.substring(1);
                if (body.endsWith("`")) body = body.substring(0, body.length() - 1);
                s = s.substring(0, lead) + body;
            }
            out[i] = s;
        }
        var parts = new ArrayList<String>();
        if (quoted > 0) parts.add("e-mail quote markers ('>') on " + quoted + " line(s)");
        if (fences > 0) parts.add(fences + " markdown code fence line(s)");
        if (bold > 0) parts.add("markdown bold ('**') on " + bold + " line(s)");
        if (ticks > 0) parts.add("markdown inline-code backticks on " + ticks + " line(s)");
        return new Cleaned(out, String.join(", ", parts));
    }

    /**
     * A device line printed with {@code lspci -P} or {@code -PP} (lspci.c {@code show_slot_path}): the path of
     * bridges first, {@code [dddd:]bb:dd.f/bb:dd.f} (-PP) or {@code [dddd:]bb:dd.f/dd.f} (-P, without the bus:
     * that is the parent bridge's secondary bus, taken from its {@code Bus: secondary=} line). Returns the line
     * with the path replaced by the device's own address; any other line unchanged.
     */
    static String unpath(String file, int ln, String t, Map<Bdf, Integer> secondaryBus) {
        int ws = 0;
        while (ws < t.length() && !Character.isWhitespace(t.charAt(ws))) ws++;
        String token = t.substring(0, ws);
        if (token.indexOf('/') < 0) return t;
        String[] parts = token.split("/", -1);
        Bdf cur;
        if (!Bdf.isBdf(parts[0])) return t;
        try {
            cur = Bdf.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            return t;
        }
        for (int p = 1; p < parts.length; p++) {
            String c = parts[p];
            if (isDevFn(c)) {
                Integer bus = secondaryBus.get(cur);
                if (bus == null) {
                    throw new BadInputException(file, ln, "lspci -P path '" + token + "' does not give the bus number of '" + c
                            + "' and the 'Bus: secondary=' line of " + cur + " is not above it; use lspci -PP (full addresses)");
                }
                cur = new Bdf(cur.domain(), bus, Integer.parseInt(c.substring(0, 2), 16), c.charAt(3) - '0');
            } else if (c.length() == 7 && c.charAt(2) == ':' && isDevFn(c.substring(3))) {
                int bus;
                try {
                    bus = Integer.parseInt(c.substring(0, 2), 16);
                } catch (NumberFormatException e) {
                    return t;
                }
                cur = new Bdf(cur.domain(), bus, Integer.parseInt(c.substring(3, 5), 16), c.charAt(6) - '0');
            } else {
                return t;
            }
        }
        return cur + t.substring(ws);
    }

    /** {@code dd.f}: two hex digits, a dot, a function 0-7 (the device part lspci prints). */
    private static boolean isDevFn(String c) {
        return c.length() == 4 && hex(c.charAt(0)) && hex(c.charAt(1)) && c.charAt(2) == '.' && c.charAt(3) >= '0' && c.charAt(3) <= '7'
                && Integer.parseInt(c.substring(0, 2), 16) < 32;
    }

    private static boolean hex(char ch) {
        return Character.digit(ch, 16) >= 0;
    }
}
