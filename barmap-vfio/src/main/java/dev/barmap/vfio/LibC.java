package dev.barmap.vfio;

import dev.barmap.model.vfio.VfioException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls VFIO needs, as {@code java.lang.foreign} downcalls. Every call that can fail
 * captures {@code errno} ({@link Linker.Option#captureCallState}) and failures become a
 * {@link VfioException} naming the call, the errno and its meaning. {@code open} and {@code ioctl} are
 * variadic, so their handles say where the variadic arguments start ({@link Linker.Option#firstVariadicArg}).
 *
 * <p>Numeric constants are Linux's generic values (checked against the C headers by VfioAbiTest).
 */
public final class LibC {
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    /** MAP_ANONYMOUS (x86, arm64, ppc, s390: 0x20; only used by tests). */
    public static final int MAP_ANONYMOUS = 0x20;
    /** eventfd(2) flags (include/uapi/linux/eventfd.h via glibc's sys/eventfd.h: O_CLOEXEC, O_NONBLOCK). */
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    /** poll(2): POLLIN and {@code struct pollfd} {int fd; short events; short revents;}. */
    public static final int POLLIN = 1;
    public static final int POLLFD_FD_OFFSET = 0;
    public static final int POLLFD_EVENTS_OFFSET = 4;
    public static final int POLLFD_REVENTS_OFFSET = 6;
    public static final int POLLFD_SIZEOF = 8;
    /** {@code _SC_PAGESIZE} in glibc's confname.h. */
    public static final int SC_PAGESIZE = 30;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO_OPT);
    /** ioctl(int fd, unsigned long request, void *arg). */
    private static final MethodHandle IOCTL_PTR = handle("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    /** ioctl(int fd, unsigned long request, int arg). */
    private static final MethodHandle IOCTL_INT = handle("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PREAD = handle("pread",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            ERRNO_OPT);
    private static final MethodHandle PWRITE = handle("pwrite",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            ERRNO_OPT);
    private static final MethodHandle MMAP = handle("mmap",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            ERRNO_OPT);
    private static final MethodHandle MUNMAP = handle("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle SYSCONF = handle("sysconf",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), ERRNO_OPT);

    private static final MethodHandle EVENTFD = handle("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO_OPT);
    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), ERRNO_OPT);

    /** One errno capture buffer per thread, reused by every call (calls are synchronous). */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));
    /** One small scratch buffer per thread for pread/pwrite of up to 8 bytes. */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    private LibC() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, options);
    }

    /** invokeExact declares Throwable: a VfioException passes through, anything else is a bug in the binding. */
    private static RuntimeException rethrow(Throwable t) {
        return t instanceof VfioException e ? e : new IllegalStateException(t);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** open(path, flags): the new fd, or VfioException. */
    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = STATE.get();
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path), flags, 0);
            if (fd < 0) throw new VfioException("open(" + path + ")", errno(state), null);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(fd); errors other than EINTR are reported. */
    public static void close(int fd) {
        try {
            MemorySegment state = STATE.get();
            int r = (int) CLOSE.invokeExact(state, fd);
            if (r < 0 && errno(state) != 4) throw new VfioException("close(" + fd + ")", errno(state), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(fd, request, arg) with a pointer argument; returns the non-negative result. */
    public static int ioctl(int fd, long request, MemorySegment arg, String call) {
        try {
            MemorySegment state = STATE.get();
            int r = (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
            if (r < 0) throw new VfioException(call, errno(state), null);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(fd, request, arg) with an int argument; returns the non-negative result. */
    public static int ioctl(int fd, long request, int arg, String call) {
        try {
            MemorySegment state = STATE.get();
            int r = (int) IOCTL_INT.invokeExact(state, fd, request, arg);
            if (r < 0) throw new VfioException(call, errno(state), null);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread(fd, buf, count, offset): bytes read (may be short), or VfioException. */
    public static long pread(int fd, MemorySegment buf, long count, long offset) {
        try {
            MemorySegment state = STATE.get();
            long r = (long) PREAD.invokeExact(state, fd, buf, count, offset);
            if (r < 0) throw new VfioException(String.format("pread(fd %d, %d bytes at 0x%x)", fd, count, offset), errno(state), null);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pwrite(fd, buf, count, offset): bytes written, or VfioException. */
    public static long pwrite(int fd, MemorySegment buf, long count, long offset) {
        try {
            MemorySegment state = STATE.get();
            long r = (long) PWRITE.invokeExact(state, fd, buf, count, offset);
            if (r < 0) throw new VfioException(String.format("pwrite(fd %d, %d bytes at 0x%x)", fd, count, offset), errno(state), null);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads exactly {@code width} (1, 2, 4, 8) bytes little-endian at {@code offset} in one pread call. */
    public static long preadValue(int fd, int width, long offset) {
        MemorySegment buf = SCRATCH.get();
        long n = pread(fd, buf, width, offset);
        if (n != width) throw new VfioException(String.format("pread(fd %d, %d bytes at 0x%x)", fd, width, offset), 5, "short read: " + n + " bytes");
        return Widths.get(buf, width);
    }

    /** Writes exactly {@code width} bytes little-endian at {@code offset} in one pwrite call. */
    public static void pwriteValue(int fd, int width, long offset, long value) {
        MemorySegment buf = SCRATCH.get();
        Widths.put(buf, width, value);
        long n = pwrite(fd, buf, width, offset);
        if (n != width) throw new VfioException(String.format("pwrite(fd %d, %d bytes at 0x%x)", fd, width, offset), 5, "short write: " + n + " bytes");
    }

    /** mmap(NULL, length, prot, flags, fd, offset): the mapping's address, or VfioException. */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        try {
            MemorySegment state = STATE.get();
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (p.address() == -1L) {
                throw new VfioException(String.format("mmap(fd %d, 0x%x bytes at 0x%x, %s)", fd, length, offset,
                        (flags & MAP_SHARED) != 0 ? "MAP_SHARED" : "MAP_PRIVATE"), errno(state), null);
            }
            return p.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** munmap(address, length). */
    public static void munmap(long address, long length) {
        try {
            MemorySegment state = STATE.get();
            int r = (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length);
            if (r < 0) throw new VfioException(String.format("munmap(0x%x, 0x%x)", address, length), errno(state), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sysconf(name). */
    public static long sysconf(int name) {
        try {
            MemorySegment state = STATE.get();
            long r = (long) SYSCONF.invokeExact(state, name);
            if (r < 0) throw new VfioException("sysconf(" + name + ")", errno(state), null);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(initval, flags): the new fd, or VfioException. */
    public static int eventfd(int initval, int flags) {
        try {
            MemorySegment state = STATE.get();
            int fd = (int) EVENTFD.invokeExact(state, initval, flags);
            if (fd < 0) throw new VfioException("eventfd", errno(state), null);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * One 8-byte read(2) of an eventfd counter: the counter (and the counter reset to 0), or -1 when it is
     * 0 and the fd is non-blocking (EAGAIN). EINTR is retried.
     */
    public static long readCounter(int fd) {
        try {
            MemorySegment state = STATE.get();
            MemorySegment buf = SCRATCH.get();
            while (true) {
                long r = (long) READ.invokeExact(state, fd, buf, 8L);
                if (r == 8) return buf.get(ValueLayout.JAVA_LONG, 0);
                int e = r < 0 ? errno(state) : 5;
                if (e == 4) continue;
                if (e == 11) return -1;
                throw new VfioException("read(eventfd " + fd + ")", e, r >= 0 ? "short read: " + r + " bytes" : null);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** One 8-byte write(2) adding {@code value} to an eventfd counter. */
    public static void writeCounter(int fd, long value) {
        try {
            MemorySegment state = STATE.get();
            MemorySegment buf = SCRATCH.get();
            buf.set(ValueLayout.JAVA_LONG, 0, value);
            long r = (long) WRITE.invokeExact(state, fd, buf, 8L);
            if (r != 8) throw new VfioException("write(eventfd " + fd + ")", r < 0 ? errno(state) : 5, null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * poll(2) for POLLIN on one fd: true when readable, false when {@code timeoutMs} (-1: none) passed.
     * EINTR counts as "not yet" (false), so callers loop with their own deadline.
     */
    public static boolean pollIn(int fd, int timeoutMs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = STATE.get();
            MemorySegment p = a.allocate(POLLFD_SIZEOF, 4);
            p.set(ValueLayout.JAVA_INT, POLLFD_FD_OFFSET, fd);
            p.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS_OFFSET, (short) POLLIN);
            int r = (int) POLL.invokeExact(state, p, 1L, timeoutMs);
            if (r < 0) {
                if (errno(state) == 4) return false;
                throw new VfioException("poll(fd " + fd + ")", errno(state), null);
            }
            return r > 0 && (p.get(ValueLayout.JAVA_SHORT, POLLFD_REVENTS_OFFSET) & POLLIN) != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
