package dev.barmap.model;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The contract every barmap parser is fuzzed against: it returns a value or throws one
 * {@link BadInputException} that names the file and says what was wrong. Any other exception escaping
 * {@code body} is a bug, and Jazzer reports it as a finding.
 */
public final class FuzzContract {
    private FuzzContract() {}

    /** Runs {@code body}; a {@link BadInputException} is the accepted outcome for bad input, checked for a usable message. */
    public static void onlyBadInput(String file, Runnable body) {
        if (file.isEmpty()) throw new IllegalArgumentException("no file name to check the error against");
        try {
            body.run();
        } catch (BadInputException e) {
            if (!file.equals(e.file()) && !e.file().startsWith(file)) {
                throw new AssertionError("BadInputException names " + e.file() + ", not the input " + file, e);
            }
            if (e.problem() == null || e.problem().isBlank()) throw new AssertionError("BadInputException without a problem", e);
            if (e.line() < 0) throw new AssertionError("negative line number " + e.line(), e);
        }
    }

    /**
     * As {@link #onlyBadInput(String, Runnable)} for a parser given several files at once: the exception must
     * name one of {@code files} exactly (the names the harness handed to the parser).
     */
    public static void onlyBadInput(Collection<String> files, Runnable body) {
        if (files.isEmpty() || files.contains("")) throw new IllegalArgumentException("no file names to check against: " + files);
        try {
            body.run();
        } catch (BadInputException e) {
            if (!files.contains(e.file())) {
                throw new AssertionError("BadInputException names " + e.file() + ", none of the inputs " + files, e);
            }
            onlyBadInput(e.file(), () -> { throw e; });
        }
    }

    /** Files are read as ISO-8859-1 (every byte is one char), as HostReader reads them. */
    public static String text(byte[] data) {
        return new String(data, StandardCharsets.ISO_8859_1);
    }
}
