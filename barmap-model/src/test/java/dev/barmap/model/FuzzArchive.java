package dev.barmap.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A whole host directory as one fuzz input: entries {@code "@@ relative/path\n"} followed by the file's
 * bytes (ISO-8859-1), up to the next line starting with {@code "@@ "}. Seeds are real captures packed
 * this way ({@code scripts/fuzz-seeds.sh}), so mutations stay close to real hosts. Paths that could
 * leave the directory are dropped.
 */
public final class FuzzArchive {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+){0,7}");

    private FuzzArchive() {}

    public static Map<String, String> unpack(String text) {
        var out = new LinkedHashMap<String, String>();
        int pos = text.startsWith("@@ ") ? 0 : text.indexOf("\n@@ ");
        if (pos < 0) return out;
        if (!text.startsWith("@@ ")) pos++;
        while (pos >= 0 && pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            String path = (nl < 0 ? text.substring(pos + 3) : text.substring(pos + 3, nl)).strip();
            int next = nl < 0 ? -1 : text.indexOf("\n@@ ", nl);
            String body = nl < 0 ? "" : next < 0 ? text.substring(nl + 1) : text.substring(nl + 1, next + 1);
            if (SAFE.matcher(path).matches() && !path.contains("..") && out.size() < 64) out.put(path, body);
            pos = next < 0 ? -1 : next + 1;
        }
        return out;
    }

    public static String pack(Map<String, String> files) {
        var sb = new StringBuilder();
        files.forEach((p, b) -> sb.append("@@ ").append(p).append('\n').append(b));
        return sb.toString();
    }
}
