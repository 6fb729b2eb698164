package dev.barmap.model.guest;

/** An address window BARs are placed in: [start, end). */
public record Window(long start, long end) {
    public Window {
        if (end <= start) throw new IllegalArgumentException("empty window");
    }

    public long size() { return end - start; }

    // written out, as BarKey's: no method-handle bootstrap at the first call (start-up)
    @Override
    public boolean equals(Object o) { return o instanceof Window w && start == w.start && end == w.end; }

    @Override
    public int hashCode() { return Long.hashCode(start) * 31 + Long.hashCode(end); }
}
