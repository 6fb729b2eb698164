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

    public BadInputException(String file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    public String file() { return file; }

    public int line() { return line; }

    public String problem() { return problem; }
}
