package dev.barmap.model.guest;

/** Names one BAR in the guest: the guest-visible device (its guest BDF or a name) and the BAR number (6 = ROM). */
public record BarKey(String device, int index) implements Comparable<BarKey> {
    @Override
    public int compareTo(BarKey o) {
        int c = device.compareTo(o.device);
        return c != 0 ? c : Integer.compare(index, o.index);
    }

    @Override
    public String toString() { return device + " BAR" + index; }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method handles at
    // their first call, which a JDK 25 AOT cache does not keep (start-up, BENCHMARKS.md P1)
    @Override
    public boolean equals(Object o) { return o instanceof BarKey k && index == k.index && device.equals(k.device); }

    @Override
    public int hashCode() { return device.hashCode() * 31 + index; }
}
