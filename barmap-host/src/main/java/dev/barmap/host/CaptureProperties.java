package dev.barmap.host;

import dev.barmap.model.BadInputException;
import dev.barmap.model.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.Optional;

/** {@code capture.properties}: {@code key=value} lines (pageSize, kernelRelease, arch, cmdline). */
public record CaptureProperties(Optional<Long> pageSize, Optional<String> kernelRelease, Optional<String> arch, Optional<String> cmdline) {

    public static CaptureProperties read(Path file) {
        return read(Jail.NONE, file);
    }

    /** Reads {@code file} inside {@code jail} (at most {@link Jail#PROPERTIES_CAP} bytes); empty when absent. */
    public static CaptureProperties read(Jail jail, Path file) {
        String text = jail.read(file, Jail.PROPERTIES_CAP);
        return text == null ? new CaptureProperties(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()) : parse(file.toString(), text);
    }

    public static CaptureProperties parse(String file, String text) {
        Long page = null;
        String kernel = null, arch = null, cmdline = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip(); // strip() also drops a CR of CRLF line ends
            if (l.isEmpty() || l.startsWith("#")) continue;
            int eq = l.indexOf('=');
            if (eq <= 0) throw new BadInputException(file, i + 1, "expected key=value, got " + BadInputException.quote(l));
            String k = l.substring(0, eq).strip(), v = l.substring(eq + 1).strip();
            switch (k) {
                case "pageSize" -> {
                    try {
                        page = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new BadInputException(file, i + 1, "pageSize is not a number: " + BadInputException.quote(v));
                    }
                    if (page < 4096 || Long.bitCount(page) != 1) {
                        throw new BadInputException(file, i + 1, "pageSize must be a power of two >= 4096, got " + v);
                    }
                }
                case "kernelRelease" -> {
                    if (!v.matches("\\d+\\.\\d+.*")) throw new BadInputException(file, i + 1, "kernelRelease is not a kernel release: " + BadInputException.quote(v));
                    try {
                        KernelRelease.parse(v); // accept only what the reader can use (fuzz finding: 6.1.<50 digits>)
                    } catch (IllegalArgumentException e) {
                        throw new BadInputException(file, i + 1, e.getMessage());
                    }
                    kernel = v;
                }
                case "arch" -> arch = v;
                case "cmdline" -> cmdline = v;
                default -> { /* other keys are informational */ }
            }
        }
        return new CaptureProperties(Optional.ofNullable(page), Optional.ofNullable(kernel), Optional.ofNullable(arch), Optional.ofNullable(cmdline));
    }
}
