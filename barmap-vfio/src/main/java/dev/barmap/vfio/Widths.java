package dev.barmap.vfio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Single, aligned, volatile accesses of 1, 2, 4 or 8 bytes. Volatile so the JIT neither hoists, merges
 * nor splits them; aligned layouts so a misaligned offset is refused instead of becoming two bus
 * cycles. PCI MMIO is little-endian; values are returned zero-extended.
 */
final class Widths {
    private static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle VB = B.varHandle();
    private static final java.lang.invoke.VarHandle VS = S.varHandle();
    private static final java.lang.invoke.VarHandle VI = I.varHandle();
    private static final java.lang.invoke.VarHandle VL = L.varHandle();

    private Widths() {}

    static void check(int width) {
        if (width != 1 && width != 2 && width != 4 && width != 8) throw new IllegalArgumentException("access width must be 1, 2, 4 or 8 bytes, got " + width);
    }

    static byte getVolatile8(MemorySegment s, long off) { return (byte) VB.getVolatile(s, off); }
    static short getVolatile16(MemorySegment s, long off) { return (short) VS.getVolatile(s, off); }
    static int getVolatile32(MemorySegment s, long off) { return (int) VI.getVolatile(s, off); }
    static long getVolatile64(MemorySegment s, long off) { return (long) VL.getVolatile(s, off); }
    static void setVolatile8(MemorySegment s, long off, byte v) { VB.setVolatile(s, off, v); }
    static void setVolatile16(MemorySegment s, long off, short v) { VS.setVolatile(s, off, v); }
    static void setVolatile32(MemorySegment s, long off, int v) { VI.setVolatile(s, off, v); }
    static void setVolatile64(MemorySegment s, long off, long v) { VL.setVolatile(s, off, v); }

    /** Plain little-endian read of a scratch buffer (not MMIO). */
    static long get(MemorySegment buf, int width) {
        return switch (width) {
            case 1 -> buf.get(B, 0) & 0xffL;
            case 2 -> buf.get(S, 0) & 0xffffL;
            case 4 -> buf.get(I, 0) & 0xffffffffL;
            case 8 -> buf.get(L, 0);
            default -> throw new IllegalArgumentException("access width must be 1, 2, 4 or 8 bytes, got " + width);
        };
    }

    static void put(MemorySegment buf, int width, long v) {
        switch (width) {
            case 1 -> buf.set(B, 0, (byte) v);
            case 2 -> buf.set(S, 0, (short) v);
            case 4 -> buf.set(I, 0, (int) v);
            case 8 -> buf.set(L, 0, v);
            default -> throw new IllegalArgumentException("access width must be 1, 2, 4 or 8 bytes, got " + width);
        }
    }
}
