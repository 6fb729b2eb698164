package dev.barmap.model.vmm.qemu.scenario;

import dev.barmap.model.BadInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A nested-QEMU oracle scenario ({@code scenario.scn}, written by oracle/qemu/): the inner QEMU's devices, the
 * config-space writes its tiny firmware makes through 0xcf8/0xcfc, and the points where the harness dumped the
 * monitor. The format is line based; {@code #} starts a comment, blank lines are ignored:
 * <pre>
 * window 0xc0000000 0xc0100000        # guest-physical [lo,hi): the range whose lines are compared
 * vfio 04.0 host=0000:00:03.0 [KEY=VALUE ...]   # inner slot.fn, outer host BDF, vfio-pci options
 * emulated 07.0 i6300esb              # an emulated QEMU device type
 * write 04.0 0x04 2 0x0003            # slot.fn, offset, size (1, 2 or 4 bytes), value
 * dump s1                             # the harness saved s1-* here
 * </pre>
 * Devices are on the inner command line in file order; the q35 built-ins (00.0, 1f.0, 1f.2, 1f.3) are taken.
 *
 * @param source  the file, for errors
 * @param lo      window start (inclusive)
 * @param hi      window end (exclusive)
 * @param devices the vfio and emulated devices, in file order
 * @param steps   the writes and dumps, in file order
 */
public record Scenario(String source, long lo, long hi, List<Device> devices, List<Step> steps) {
    public Scenario {
        devices = List.copyOf(devices);
        steps = List.copyOf(steps);
    }

    /** An inner PCI address on bus 0: device 0x00-0x1f, function 0-7, written {@code dd.f}. */
    public record Slot(int device, int function) implements Comparable<Slot> {
        public Slot {
            if (device < 0 || device > 0x1f || function < 0 || function > 7) throw new IllegalArgumentException("slot " + device + "." + function);
        }

        @Override
        public String toString() { return String.format("%02x.%d", device, function); }

        @Override
        public int compareTo(Slot o) { return device != o.device ? Integer.compare(device, o.device) : Integer.compare(function, o.function); }
    }

    /** A device on the inner command line. */
    public sealed interface Device {
        Slot slot();

        int line();
    }

    /** {@code -device vfio-pci,host=HOST,addr=SLOT[,KEY=VALUE...]}. */
    public record Vfio(Slot slot, String host, List<Option> options, int line) implements Device {
        public Vfio {
            options = List.copyOf(options);
        }
    }

    /** One vfio-pci property as written. */
    public record Option(String key, String value) {}

    /** {@code -device TYPE,addr=SLOT}. */
    public record Emulated(Slot slot, String type, int line) implements Device {}

    /** What happens in order after the machine is built. */
    public sealed interface Step {
        int line();
    }

    /** A config-space write of {@code size} bytes at {@code offset}. */
    public record Write(Slot slot, int offset, int size, long value, int line) implements Step {}

    /** A monitor dump point; the run dir holds {@code NAME-info-pci.txt} etc. */
    public record Dump(String name, int line) implements Step {}

    /** q35's built-in functions (hw/i386/pc_q35.c: mch 00.0; ICH9 LPC 1f.0, ahci 1f.2, smbus 1f.3). */
    static final Set<Slot> Q35_BUILTIN = Set.of(new Slot(0, 0), new Slot(0x1f, 0), new Slot(0x1f, 2), new Slot(0x1f, 3));

    private static final Pattern SLOT = Pattern.compile("([0-9a-fA-F]{2})\\.([0-7])");
    private static final Pattern BDF = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");
    private static final Pattern OPTION = Pattern.compile("([a-z][a-z0-9-]*)=([^,\\s=]+)");
    private static final Pattern DUMP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    /** Reads a scenario; throws {@link BadInputException} naming {@code source} and the line for the first thing wrong. */
    public static Scenario parse(String source, String text) {
        Long lo = null, hi = null;
        var devices = new ArrayList<Device>();
        var steps = new ArrayList<Step>();
        var slots = new HashSet<Slot>();
        var dumps = new HashSet<String>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String l = lines[i];
            int hash = l.indexOf('#');
            if (hash >= 0) l = l.substring(0, hash);
            l = l.strip();
            if (l.isEmpty()) continue;
            String[] w = l.split("\\s+");
            switch (w[0]) {
                case "window" -> {
                    need(source, no, w, 3, 3, "window LO HI");
                    if (lo != null) throw new BadInputException(source, no, "a second window line");
                    lo = number(source, no, w[1], "window start");
                    hi = number(source, no, w[2], "window end");
                    if (Long.compareUnsigned(lo, hi) >= 0) throw new BadInputException(source, no, "the window's end is not above its start");
                }
                case "vfio" -> {
                    if (w.length < 3) throw new BadInputException(source, no, "expected: vfio SLOT.FN host=DDDD:BB:DD.F [KEY=VALUE ...]");
                    Slot s = slot(source, no, w[1], slots);
                    if (!w[2].startsWith("host=") || !BDF.matcher(w[2].substring(5)).matches()) {
                        throw new BadInputException(source, no, "expected host=DDDD:BB:DD.F (the outer BDF, lower-case hex) after the slot");
                    }
                    var opts = new ArrayList<Option>();
                    for (int k = 3; k < w.length; k++) {
                        Matcher m = OPTION.matcher(w[k]);
                        if (!m.matches()) throw new BadInputException(source, no, "option " + (k - 2) + " is not KEY=VALUE");
                        opts.add(new Option(m.group(1), m.group(2)));
                    }
                    devices.add(new Vfio(s, w[2].substring(5), opts, no));
                }
                case "emulated" -> {
                    need(source, no, w, 3, 3, "emulated SLOT.FN TYPE");
                    Slot s = slot(source, no, w[1], slots);
                    if (EmulatedDevices.of(w[2]).isEmpty()) {
                        throw new BadInputException(source, no, "emulated device type not modelled (known: " + String.join(", ", EmulatedDevices.names()) + ")");
                    }
                    devices.add(new Emulated(s, w[2], no));
                }
                case "write" -> {
                    need(source, no, w, 5, 5, "write SLOT.FN OFFSET SIZE VALUE");
                    Slot s = slotOf(source, no, w[1]);
                    if (!slots.contains(s)) throw new BadInputException(source, no, "no device at " + s + " (declare it with vfio or emulated before writing to it)");
                    long off = number(source, no, w[2], "offset");
                    long size = number(source, no, w[3], "size");
                    long value = number(source, no, w[4], "value");
                    if (size != 1 && size != 2 && size != 4) throw new BadInputException(source, no, "size must be 1, 2 or 4 bytes");
                    if (off < 0 || off + size > 0x1000) throw new BadInputException(source, no, "offset outside the 4 KiB config space");
                    if (value >>> (8 * size) != 0) throw new BadInputException(source, no, "value wider than " + size + " bytes");
                    steps.add(new Write(s, (int) off, (int) size, value, no));
                }
                case "dump" -> {
                    need(source, no, w, 2, 2, "dump NAME");
                    if (!DUMP_NAME.matcher(w[1]).matches()) throw new BadInputException(source, no, "a dump name is letters, digits, '_', '.', '-'");
                    if (!dumps.add(w[1])) throw new BadInputException(source, no, "dump name used twice");
                    steps.add(new Dump(w[1], no));
                }
                default -> throw new BadInputException(source, no, "unknown keyword (expected window, vfio, emulated, write or dump)");
            }
        }
        if (lo == null) throw new BadInputException(source, 0, "no window line");
        if (dumps.isEmpty()) throw new BadInputException(source, 0, "no dump line");
        return new Scenario(source, lo, hi, devices, steps);
    }

    private static void need(String source, int no, String[] w, int min, int max, String form) {
        if (w.length < min || w.length > max) throw new BadInputException(source, no, "expected: " + form);
    }

    private static Slot slotOf(String source, int no, String s) {
        Matcher m = SLOT.matcher(s);
        if (!m.matches()) throw new BadInputException(source, no, "a slot is DD.F (device 00-1f in hex, function 0-7)");
        int dev = Integer.parseInt(m.group(1), 16);
        if (dev > 0x1f) throw new BadInputException(source, no, "device number above 1f");
        return new Slot(dev, Integer.parseInt(m.group(2)));
    }

    private static Slot slot(String source, int no, String s, Set<Slot> taken) {
        Slot slot = slotOf(source, no, s);
        if (Q35_BUILTIN.contains(slot)) throw new BadInputException(source, no, "slot " + slot + " is a q35 built-in function");
        if (!taken.add(slot)) throw new BadInputException(source, no, "slot " + slot + " used twice");
        return slot;
    }

    private static long number(String source, int no, String s, String what) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                if (s.length() > 18) throw new NumberFormatException();
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadInputException(source, no, what + " is not a number (decimal or 0x hex, at most 64 bits)");
        }
    }
}
