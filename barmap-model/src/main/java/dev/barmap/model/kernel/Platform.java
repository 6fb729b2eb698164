package dev.barmap.model.kernel;

/**
 * Platform facts in one place: architecture and page size. Page size is what decides which BARs are
 * sub-page (4K on x86_64; 4K, 16K or 64K on arm64; 64K on ppc64le distribution kernels).
 */
public record Platform(String arch, long pageSize) {
    public static final long MAX_PAGE_SIZE = 256 * 1024;

    public Platform {
        if (pageSize < 4096 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two >= 4096, got " + pageSize);
        }
        // the largest PAGE_SIZE a Linux architecture configures: 256 KiB (arch/powerpc/Kconfig PPC_256K_PAGES,
        // arch/hexagon/Kconfig HEXAGON_PAGE_SIZE_256KB)
        if (pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be at most 256 KiB (the largest Linux page size), got " + pageSize);
        }
    }

    public long pageMask() { return -pageSize; }

    /** PAGE_ALIGN(): round up to the page. */
    public long pageAlign(long v) { return (v + pageSize - 1) & -pageSize; }

    public boolean pageAligned(long v) { return (v & (pageSize - 1)) == 0; }

    /** The page containing {@code addr}. */
    public long pageOf(long addr) { return addr & -pageSize; }

    /** Default page size for an architecture's distribution kernels (Debian: ppc64el 64K, others 4K). */
    public static long defaultPageSize(String arch) {
        return Architecture.of(arch).defaultPageSize();
    }
}
