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

    /**
     * The base page size: AT_PAGESZ (6) from this process's ELF auxiliary vector, /proc/self/auxv (pairs of
     * native-order 64-bit words, include/uapi/linux/auxvec.h), else the KernelPageSize of the first mapping
     * in /proc/self/smaps, else 4096. auxv is one small read; smaps costs ~15 ms in a JVM (start-up, P1).
     */
    public static long pageSize() {
        try {
            var b = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(java.nio.ByteOrder.nativeOrder());
            while (b.remaining() >= 16) {
                long type = b.getLong(), value = b.getLong();
                if (type == 6 && value >= 4096 && Long.bitCount(value) == 1) return value;
                if (type == 0) break;
            }
        } catch (IOException | RuntimeException e) {
            // fall through to smaps
        }
        try (var r = Files.newBufferedReader(Path.of("/proc/self/smaps"))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("KernelPageSize:")) return Long.parseLong(l.substring(15).replace("kB", "").strip()) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return 4096;
        }
        return 4096;
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
