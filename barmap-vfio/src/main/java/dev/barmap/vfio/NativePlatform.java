package dev.barmap.vfio;

import java.util.Locale;

/**
 * Facts about the machine the binding runs on, in one place (in the spirit of Netty's
 * {@code PlatformDependent}): operating system, architecture, page size and the ioctl encoding.
 * Everything else in this package asks here instead of probing on its own.
 */
public final class NativePlatform {
    private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    private static final String ARCH = normaliseArch(System.getProperty("os.arch", ""));

    private NativePlatform() {}

    /** Whether this is Linux (VFIO exists nowhere else). */
    public static boolean isLinux() {
        return OS.startsWith("linux");
    }

    /** The architecture as {@code uname -m} spells it: x86_64, aarch64, ppc64le, s390x, ... */
    public static String arch() {
        return ARCH;
    }

    static String normaliseArch(String a) {
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    /** The base page size: {@code sysconf(_SC_PAGESIZE)}. */
    public static long pageSize() {
        return PageSizeHolder.PAGE_SIZE;
    }

    private static final class PageSizeHolder {
        static final long PAGE_SIZE = LibC.sysconf(LibC.SC_PAGESIZE);
    }

    /** {@code size} rounded up to a multiple of {@code page} (a power of two). */
    public static long pageAlign(long size, long page) {
        if (page <= 0 || Long.bitCount(page) != 1) throw new IllegalArgumentException("page size must be a power of two: " + page);
        if (size < 0) throw new IllegalArgumentException("negative size " + size);
        return (size + page - 1) & -page;
    }

    /**
     * The {@code _IOC_NONE} direction value, shifted into place, for this architecture: 0 on x86, arm64,
     * s390, riscv (include/uapi/asm-generic/ioctl.h); {@code 1U << 29} on powerpc, mips and sparc, whose
     * headers redefine {@code _IOC_NONE} as 1 and {@code _IOC_DIRSHIFT} as 29
     * (arch/powerpc/include/uapi/asm/ioctl.h, arch/mips/include/uapi/asm/ioctl.h).
     */
    public static long iocNone() {
        return iocNone(ARCH);
    }

    static long iocNone(String arch) {
        return arch.startsWith("ppc") || arch.startsWith("powerpc") || arch.startsWith("mips") || arch.startsWith("sparc") ? 1L << 29 : 0L;
    }

    /**
     * {@code _IO(type, nr)}: {@code (dir << DIRSHIFT) | (type << 8) | nr} with size 0
     * (include/uapi/asm-generic/ioctl.h, _IOC_NRSHIFT 0, _IOC_TYPESHIFT 8).
     */
    public static long io(char type, int nr) {
        return io(ARCH, type, nr);
    }

    static long io(String arch, char type, int nr) {
        if (type > 0xff || nr < 0 || nr > 0xff) throw new IllegalArgumentException("ioctl type and nr are 8-bit: " + (int) type + ", " + nr);
        return iocNone(arch) | ((long) type << 8) | nr;
    }
}
