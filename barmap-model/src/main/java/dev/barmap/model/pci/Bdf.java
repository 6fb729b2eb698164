package dev.barmap.model.pci;

/** A PCI function address {@code DDDD:BB:DD.F}, ordered as the kernel lists devices (by domain, bus, device, function). */
public record Bdf(int domain, int bus, int device, int function) implements Comparable<Bdf> {

    public Bdf {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f || function < 0 || function > 7) {
            throw new IllegalArgumentException("not a PCI address: " + domain + ":" + bus + ":" + device + "." + function);
        }
    }

    /** Parses {@code 0000:00:03.0} (the domain may be omitted, as lspci does: {@code 00:03.0}). */
    public static Bdf parse(String s) {
        String t = s.trim();
        int dot = t.lastIndexOf('.');
        String[] parts = dot < 0 ? new String[0] : t.substring(0, dot).split(":");
        try {
            if (dot < 0 || dot == t.length() - 1 || parts.length < 2 || parts.length > 3) throw new NumberFormatException();
            int i = parts.length == 3 ? 1 : 0;
            int domain = parts.length == 3 ? Integer.parseInt(parts[0], 16) : 0;
            return new Bdf(domain, Integer.parseInt(parts[i], 16), Integer.parseInt(parts[i + 1], 16), Integer.parseInt(t.substring(dot + 1), 16));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PCI address (want DDDD:BB:DD.F): '" + s + "'");
        }
    }

    public static boolean isBdf(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // equals and hashCode written out: a record's generated ones bootstrap through
    // java.lang.runtime.ObjectMethods, which spins method handle classes at run time on the first call
    // (tens of milliseconds of `barmap scan`'s start-up, issue 16). Same value as the generated hashCode
    // (ObjectMethods.makeHashCode, JDK 25: h = h * 31 + component, from 0), so hash orders do not change.
    @Override
    public boolean equals(Object o) {
        return o instanceof Bdf b && domain == b.domain && bus == b.bus && device == b.device && function == b.function;
    }

    @Override
    public int hashCode() {
        return ((domain * 31 + bus) * 31 + device) * 31 + function;
    }

    @Override
    public int compareTo(Bdf o) {
        int c = Integer.compare(domain, o.domain);
        if (c == 0) c = Integer.compare(bus, o.bus);
        if (c == 0) c = Integer.compare(device, o.device);
        return c != 0 ? c : Integer.compare(function, o.function);
    }

    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }
}
