package dev.barmap.model.kernel;

import java.util.regex.Pattern;

/** A kernel release string such as {@code 6.1.0-56-amd64}, compared by major.minor. */
public record KernelRelease(String release, int major, int minor, int patch) implements Comparable<KernelRelease> {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*$");

    public static KernelRelease parse(String release) {
        var m = VERSION.matcher(release.trim());
        if (!m.matches()) throw new IllegalArgumentException("not a kernel release (want e.g. 6.1.0-56-amd64): '" + release + "'");
        try {
            return new KernelRelease(release.trim(), Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel release (a version number is too large): '" + release + "'");
        }
    }

    /** Whether this release is at least {@code major.minor}. */
    public boolean atLeast(int maj, int min) {
        return major > maj || major == maj && minor >= min;
    }

    @Override
    public int compareTo(KernelRelease o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() { return release; }
}
