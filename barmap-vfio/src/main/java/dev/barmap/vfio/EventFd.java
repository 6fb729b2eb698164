package dev.barmap.vfio;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An eventfd(2) the kernel signals when a device interrupt fires (VFIO_DEVICE_SET_IRQS with
 * DATA_EVENTFD | ACTION_TRIGGER: vfio-pci's interrupt handler calls {@code eventfd_signal()}). The fd is
 * non-blocking and owned by an {@link Arena}: closed when the arena closes, or by {@link #close()}.
 *
 * <p>Two ways to wait: {@link #await(Duration)} blocks the calling thread in poll(2) (for platform
 * threads: cheapest wake-up); {@link #awaitParking(Duration)} never blocks in native code: it reads the
 * counter and parks between tries (50 µs, doubling to 1 ms), so a virtual thread unmounts from its
 * carrier while it waits. {@link #awaitInterrupt(Duration)} picks the one that suits the current thread.
 */
public final class EventFd implements AutoCloseable {
    private final Fd fd;

    private EventFd(Fd fd) {
        this.fd = fd;
    }

    /** A new non-blocking, close-on-exec eventfd with counter 0, owned by {@code arena}. */
    public static EventFd create(Arena arena) {
        int n = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        return new EventFd(Fd.own(n, "eventfd", arena));
    }

    /** The fd number (what VFIO_DEVICE_SET_IRQS is given). */
    public int fd() { return fd.get(); }

    public boolean isClosed() { return fd.isClosed(); }

    /** The counter (signals since the last read), reset to 0; 0 when nothing arrived. Never blocks. */
    public long poll() {
        long c = LibC.readCounter(fd.get());
        return c < 0 ? 0 : c;
    }

    /** Adds {@code n} to the counter, as an interrupt would (for loopback tests). */
    public void signal(long n) {
        LibC.writeCounter(fd.get(), n);
    }

    /**
     * Waits until the counter is non-zero or {@code timeout} passes, blocked in poll(2); returns the
     * counter (reset to 0), or 0 on timeout.
     */
    public long await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long c = poll();
            if (c > 0) return c;
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            // slices of at most 100 ms, so a close from another thread is noticed (close does not wake poll)
            LibC.pollIn(fd.get(), (int) Math.max(1, Math.min(100, left / 1_000_000)));
        }
    }

    /**
     * Waits like {@link #await(Duration)} without blocking in native code: the thread parks between reads
     * of the counter, so a virtual thread releases its carrier.
     */
    public long awaitParking(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50_000;
        while (true) {
            long c = poll();
            if (c > 0) return c;
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            LockSupport.parkNanos(Math.min(pause, left));
            pause = Math.min(pause * 2, 1_000_000);
        }
    }

    /** {@link #awaitParking} on a virtual thread, {@link #await} on a platform thread. */
    public long awaitInterrupt(Duration timeout) {
        return Thread.currentThread().isVirtual() ? awaitParking(timeout) : await(timeout);
    }

    @Override
    public void close() { fd.close(); }

    @Override
    public String toString() { return fd.toString(); }
}
