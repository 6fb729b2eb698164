package dev.barmap.model.vfio;

/** Byte counts for humans, exact: 16 B, 4 KiB, 1.5 MiB, 4064 B. */
public final class Sizes {
    private Sizes() {}

    /**
     * Exact: the largest unit that gives a whole number, or one exact decimal ({@code 1.5 MiB}); otherwise a
     * smaller unit, down to bytes ({@code 4064 B}, never "4.0 KiB" for 4,064 bytes).
     */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        for (int u = units.length - 1; u > 0; u--) {
            long unit = 1L << (10 * u);
            if (bytes < unit) continue;
            if (bytes % unit == 0) return bytes / unit + " " + units[u];
            if ((bytes % unit) * 10 % unit == 0) return bytes / unit + "." + (bytes % unit) * 10 / unit + " " + units[u];
        }
        return bytes + " B";
    }
}
