package dev.barmap.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the running machine, read from procfs (one place for them). */
public final class LiveFacts {
    private LiveFacts() {}

    /** {@code uname -r}, from /proc/sys/kernel/osrelease. */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /** The base page size, from the KernelPageSize of this process's first mapping (/proc/self/smaps). */
    public static long pageSize() {
        try (var lines = Files.lines(Path.of("/proc/self/smaps"))) {
            return lines.filter(l -> l.startsWith("KernelPageSize:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(4096L);
        } catch (IOException | RuntimeException e) {
            return 4096;
        }
    }

    /** {@code uname -m} spelling of the JVM's architecture. */
    public static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> a;
        };
    }
}
