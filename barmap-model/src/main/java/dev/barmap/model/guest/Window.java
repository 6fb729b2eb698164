package dev.barmap.model.guest;

/** An address window BARs are placed in: [start, end). */
public record Window(long start, long end) {
    public Window {
        if (end <= start) throw new IllegalArgumentException("empty window");
    }

    public long size() { return end - start; }
}
