package dev.barmap.model;

import java.nio.charset.StandardCharsets;

/**
 * The contract every barmap parser is fuzzed against: it returns a value or throws one
 * {@link BadInputException} that names the file and says what was wrong. Any other exception escaping
 * {@code body} is a bug, and Jazzer reports it as a finding.
 */
public final class FuzzContract {
    private FuzzContract() {}

    /** Runs {@code body}; a {@link BadInputException} is the accepted outcome for bad input, checked for a usable message. */
    public static void onlyBadInput(String file, Runnable body) {
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

    /** Files are read as ISO-8859-1 (every byte is one char), as HostReader reads them. */
    public static String text(byte[] data) {
        return new String(data, StandardCharsets.ISO_8859_1);
    }
}
