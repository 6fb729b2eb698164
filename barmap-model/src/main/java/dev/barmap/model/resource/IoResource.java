package dev.barmap.model.resource;

/**
 * {@code struct resource} flag bits, include/linux/ioport.h (Linux 6.1). Only the ones barmap reads or
 * checks are named; {@link #KNOWN} is every bit the kernel defines, used to reject garbage input.
 */
public final class IoResource {
    public static final long BITS = 0x000000ffL;          // bus-specific bits (PCI: BAR low bits)
    public static final long TYPE_BITS = 0x00001f00L;
    public static final long IO = 0x00000100L;
    public static final long MEM = 0x00000200L;
    public static final long REG = 0x00000300L;
    public static final long IRQ = 0x00000400L;
    public static final long DMA = 0x00000800L;
    public static final long BUS = 0x00001000L;
    public static final long PREFETCH = 0x00002000L;
    public static final long READONLY = 0x00004000L;
    public static final long CACHEABLE = 0x00008000L;
    public static final long RANGELENGTH = 0x00010000L;
    public static final long SHADOWABLE = 0x00020000L;
    public static final long SIZEALIGN = 0x00040000L;
    public static final long STARTALIGN = 0x00080000L;
    public static final long MEM_64 = 0x00100000L;
    public static final long WINDOW = 0x00200000L;
    public static final long MUXED = 0x00400000L;
    public static final long EXT_TYPE_BITS = 0x01000000L;
    public static final long SYSRAM = 0x01000000L;
    public static final long SYSRAM_DRIVER_MANAGED = 0x02000000L;
    public static final long SYSRAM_MERGEABLE = 0x04000000L;
    public static final long EXCLUSIVE = 0x08000000L;
    public static final long DISABLED = 0x10000000L;
    public static final long UNSET = 0x20000000L;
    public static final long AUTO = 0x40000000L;
    public static final long BUSY = 0x80000000L;
    /** PCI ROM: IORESOURCE_ROM_ENABLE (bit 0 of BITS) and IORESOURCE_ROM_SHADOW (bit 1). */
    public static final long ROM_ENABLE = 1L << 0;
    public static final long ROM_SHADOW = 1L << 1;

    /** Every bit include/linux/ioport.h defines (bit 23 and bits 32-63 are not). */
    public static final long KNOWN = 0xffffffffL & ~(1L << 23);

    private IoResource() {}

    public static long type(long flags) { return flags & TYPE_BITS; }

    public static boolean isMem(long flags) { return type(flags) == MEM; }

    public static boolean isIo(long flags) { return type(flags) == IO; }

    /** Readable flag summary, e.g. {@code mem 64bit pref}. */
    public static String describe(long flags) {
        var sb = new StringBuilder();
        long t = type(flags);
        sb.append(t == MEM ? "mem" : t == IO ? "io" : t == 0 ? "none" : "type 0x" + Long.toHexString(t));
        if ((flags & MEM_64) != 0) sb.append(" 64bit");
        if ((flags & PREFETCH) != 0) sb.append(" pref");
        if ((flags & READONLY) != 0) sb.append(" ro");
        if ((flags & DISABLED) != 0) sb.append(" disabled");
        if ((flags & UNSET) != 0) sb.append(" unset");
        return sb.toString();
    }
}
