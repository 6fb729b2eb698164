package dev.barmap.model.vmm.qemu.scenario;

import dev.barmap.model.BadInputException;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.qemu.QemuMachine;
import dev.barmap.model.vmm.qemu.QemuOptions;
import dev.barmap.model.vmm.qemu.QemuPciFunction;
import dev.barmap.model.vmm.qemu.QemuVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link Scenario} run on the model: the inner QEMU's devices realized in file order on a q35
 * {@link QemuMachine} (vfio-pci ones from the outer host's devices), then the writes applied as QEMU applies
 * them ({@link QemuPciFunction#writeConfig}), and at each dump point the windowed flat view and pci container
 * listing, and where every BAR decodes. The q35 built-ins are not modelled: a scenario never writes them, so
 * they stay unmapped.
 */
public final class ScenarioReplay {
    private ScenarioReplay() {}

    /** One BAR as {@code info pci} shows it: inner slot, BAR number, I/O or memory, address, registered size. */
    public record BarState(Scenario.Slot slot, int bar, boolean io, long address, long size) {
        @Override
        public String toString() {
            return String.format("%s BAR%d %s 0x%x size 0x%x", slot, bar, io ? "I/O" : "mem", address, size);
        }
    }

    /**
     * The model at one dump point.
     *
     * @param flat the {@code info mtree -f} lines of the "memory" flat view whose start is in the window
     * @param pci  the {@code info mtree} lines under the "pci" container whose start is in the window
     * @param bars every mapped BAR (effective address not PCI_BAR_UNMAPPED), by slot and BAR number
     * @param vfioListener what the vfio memory listener printed on stderr so far ({@link QemuMachine#logVfioListener})
     */
    public record Snapshot(String name, int line, List<String> flat, List<String> pci, List<BarState> bars, List<String> vfioListener) {
        public Snapshot {
            flat = List.copyOf(flat);
            pci = List.copyOf(pci);
            bars = List.copyOf(bars);
            vfioListener = List.copyOf(vfioListener);
        }
    }

    /**
     * Replays {@code s}. {@code hosts} finds an outer device by BDF; {@code hostPageSize} is the outer guest's page
     * size (qemu_real_host_page_size of the inner QEMU); {@code version} the inner QEMU's. Throws {@link BadInputException} naming the scenario line
     * for a device the outer host lacks, an option QEMU rejects, a device QEMU would refuse to realize, or a write
     * the model does not cover.
     */
    public static List<Snapshot> run(Scenario s, Function<String, Optional<HostDevice>> hosts, long hostPageSize, QemuVersion version) {
        var m = new QemuMachine(hostPageSize);
        m.logVfioListener(version);
        Map<Scenario.Slot, QemuPciFunction> bySlot = new HashMap<>();
        for (Scenario.Device d : s.devices()) {
            switch (d) {
                case Scenario.Vfio v -> {
                    HostDevice host = hosts.apply(v.host()).orElseThrow(() -> new BadInputException(s.source(), v.line(),
                            "the outer host has no passthrough device " + v.host() + " with a BAR"));
                    QemuOptions opts = QemuOptions.DEFAULT;
                    for (Scenario.Option o : v.options()) {
                        try {
                            opts = opts.with(o.key(), o.value());
                        } catch (IllegalArgumentException e) {
                            throw new BadInputException(s.source(), v.line(), e.getMessage());
                        }
                    }
                    switch (QemuPciFunction.VfioPci.realize(m, host, opts)) {
                        case QemuPciFunction.VfioPci.Realized.Ok ok -> bySlot.put(v.slot(), ok.device());
                        case QemuPciFunction.VfioPci.Realized.Failed f ->
                                throw new BadInputException(s.source(), v.line(), "QEMU would not start: " + f.error());
                    }
                }
                case Scenario.Emulated e -> bySlot.put(e.slot(), m.addEmulated(e.type(), EmulatedDevices.of(e.type()).orElseThrow()));
            }
        }
        var out = new ArrayList<Snapshot>();
        for (Scenario.Step step : s.steps()) {
            switch (step) {
                case Scenario.Write w -> {
                    try {
                        bySlot.get(w.slot()).writeConfig(w.offset(), w.size(), w.value());
                    } catch (IllegalArgumentException e) {
                        throw new BadInputException(s.source(), w.line(), e.getMessage());
                    }
                }
                case Scenario.Dump d -> {
                    var bars = new ArrayList<BarState>();
                    bySlot.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                        QemuPciFunction f = e.getValue();
                        for (int i = 0; i < 6; i++) {
                            if (f.registeredSize(i) == 0 || f.barAddress(i) == QemuPciFunction.UNMAPPED) continue;
                            bars.add(new BarState(e.getKey(), i, f.isIoBar(i), f.barAddress(i), f.registeredSize(i)));
                        }
                    });
                    out.add(new Snapshot(d.name(), d.line(), window(m.flatView().mtreeLines(), s.lo(), s.hi()),
                            window(m.pciMemory().mtreeLines(), s.lo(), s.hi()), bars, m.vfioListenerLog()));
                }
            }
        }
        return out;
    }

    /** The {@code info mtree} lines whose start address (the first 16 hex digits after the indent) is in [lo, hi). */
    public static List<String> window(List<String> lines, long lo, long hi) {
        return lines.stream().filter(l -> {
            long start = Long.parseUnsignedLong(l.strip().substring(0, 16), 16);
            return Long.compareUnsigned(start, lo) >= 0 && Long.compareUnsigned(start, hi) < 0;
        }).toList();
    }
}
