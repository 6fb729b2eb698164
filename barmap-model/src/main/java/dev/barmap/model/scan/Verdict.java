package dev.barmap.model.scan;

/** What userspace (and so a VMM) gets for a region on the host. */
public enum Verdict {
    /** mmap allowed: accesses reach the device directly. */
    DIRECT,
    /** mmap allowed except some pages (the MSI-X table under sparse mmap): those trap. */
    PARTIAL,
    /** No mmap: every access goes through read/write on the device fd and is emulated. */
    TRAPPED,
    /** Nothing there (size 0). */
    ABSENT;

    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
}
