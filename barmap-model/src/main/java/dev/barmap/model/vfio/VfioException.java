package dev.barmap.model.vfio;

/** A VFIO call refused by the kernel (or by the model of it), with the errno it returns. */
public final class VfioException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public VfioException(String call, int errno, String detail) {
        super(call + " failed: errno " + errno + " (" + Errno.name(errno) + ": " + Errno.meaning(errno) + ")"
                + (detail == null || detail.isEmpty() ? "" : " - " + detail));
        this.call = call;
        this.errno = errno;
    }

    public String call() { return call; }

    public int errno() { return errno; }
}
