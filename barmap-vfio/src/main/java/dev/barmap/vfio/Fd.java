package dev.barmap.vfio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file descriptor owned by an {@link Arena}: closed when the arena closes, or earlier by
 * {@link #close()}. Closing twice is harmless (the second close does nothing), so an fd number the
 * kernel has since handed to someone else is never closed by mistake.
 */
public final class Fd implements AutoCloseable {
    private final int fd;
    private final String what;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Fd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /** Takes ownership of {@code fd}; {@code arena}'s close will close it. */
    public static Fd own(int fd, String what, Arena arena) {
        Fd f = new Fd(fd, what);
        // a zero-length segment whose only purpose is the cleanup action run at arena close
        MemorySegment.NULL.reinterpret(arena, s -> f.closeQuietly());
        return f;
    }

    /** The fd number; refuses after close. */
    public int get() {
        if (closed.get()) throw new IllegalStateException(what + " (fd " + fd + ") is closed");
        return fd;
    }

    public boolean isClosed() { return closed.get(); }

    public String what() { return what; }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) LibC.close(fd);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // arena close must go on releasing the other resources
        }
    }

    @Override
    public String toString() { return what + " (fd " + fd + (closed.get() ? ", closed)" : ")"); }
}
