package dev.barmap.model;

/**
 * Input barmap cannot use: names the file, the line (1-based, 0 when the problem is not on one line)
 * and what was wrong. Parsers throw it before returning anything, so nothing half-read is used.
 */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String problem;

    /** Longest problem text kept: errors quote input, and input may be a 100 MB file (issue 14). */
    static final int MAX_PROBLEM = 300;

    public BadInputException(String file, int line, String problem) {
        this(file, line, problem, null);
    }

    public BadInputException(String file, int line, String problem, Throwable cause) {
        super(escape(file, 200) + (line > 0 ? ":" + line : "") + ": " + escape(problem, MAX_PROBLEM), cause);
        this.file = file;
        this.line = line;
        this.problem = escape(problem, MAX_PROBLEM);
    }

    /** An excerpt of input for an error message: quoted, control characters escaped, at most 40 characters. */
    public static String quote(String s) {
        return "'" + escape(s, 40) + "'";
    }

    /**
     * {@code s} with control characters (C0 incl. CR/LF, DEL, C1) written as {@code \xNN}, cut to {@code max}
     * characters with "..." appended when longer.
     */
    public static String escape(String s, int max) {
        if (s == null) return "null";
        var sb = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= max) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c < 0xa0) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    public String file() { return file; }

    public int line() { return line; }

    public String problem() { return problem; }
}
