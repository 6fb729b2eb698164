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
}
