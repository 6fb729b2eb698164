package dev.barmap.cli;

import dev.barmap.cli.report.HotplugJson;
import dev.barmap.cli.report.HotplugText;
import dev.barmap.cli.report.Outputs;
import dev.barmap.host.GuestConsole;
import dev.barmap.model.BadInputException;
import dev.barmap.model.alloc.HotAdd;
import dev.barmap.model.alloc.PciBuses;
import dev.barmap.model.host.Host;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.vfio.VfioException;
import dev.barmap.model.vfio.VfioPciModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code barmap hotplug}: open devices through vfio-pci on the host model, hot-add a device, and show
 * where Linux's BAR allocator puts its BARs, with and without the {@code vfio sub-page reserved} dummies.
 */
@Command(name = "hotplug", mixinStandardHelpOptions = true,
        description = {"Open devices through vfio-pci, hot-add a device with the given BAR sizes on a bus, and show where Linux assigns each new BAR "
                + "- and where it would have gone without vfio-pci's sub-page reservations.",
                "Exit code 1 when a BAR finds no space."})
public final class HotplugCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;

    @Option(names = "--console", paramLabel = "FILE",
            description = "Build the host from an oracle hot-add run's console.log (its /proc/iomem at boot) instead of --root.")
    Path console;

    @Option(names = "--open", paramLabel = "BDF", split = ",", description = "Devices to open through vfio-pci (mmapping what it allows, as a VMM does) and hold open at the hot-add (comma-separated).")
    List<String> open = new ArrayList<>();

    @Option(names = "--close", paramLabel = "BDF", split = ",",
            description = "Devices to open through vfio-pci and close again before the hot-add (comma-separated): their reservations are released.")
    List<String> close = new ArrayList<>();

    @Option(names = "--add", required = true, paramLabel = "BUS:SIZE[,SIZE...]",
            description = {"The new device: its bus (DDDD:BB or BB) and its memory BARs' sizes (4096, 4K, 1M, 0x100).",
                    "Suffix a size with +64 for a 64-bit BAR and/or +pref for a prefetchable one, e.g. 0000:02:256,1M+64+pref."})
    String add;

    @Option(names = "--as", paramLabel = "BDF", description = "The new device's address (default: the lowest free slot on the bus, function 0).")
    String as;

    /** What hotplug renders. */
    record Result(Host host, List<String> opened, List<String> closed, HotAdd.Result run) {}

    /** hotplug's output formats. */
    static final Outputs<Result> OUTPUTS = Outputs.of("hotplug", r -> HotplugText.render(r.host(), r.opened(), r.closed(), r.run()),
            r -> HotplugJson.render(r.host(), r.opened(), r.closed(), r.run()), null);

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text is the default.")
    Format format = Format.text;

    @Spec
    CommandSpec spec;

    /** The parsed --add. */
    record AddSpec(String bus, List<HotAdd.NewBar> bars) {}

    static AddSpec parseAdd(String add) {
        int colon = add.lastIndexOf(':');
        if (colon <= 0 || colon == add.length() - 1) throw new BadInputException("--add", 0, "expected BUS:SIZE[,SIZE...], got '" + add + "'");
        String bus;
        try {
            bus = PciBuses.normalize(add.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--add", 0, e.getMessage());
        }
        var bars = new ArrayList<HotAdd.NewBar>();
        int index = 0;
        for (String item : add.substring(colon + 1).split(",")) {
            String[] parts = item.trim().split("\\+");
            boolean mem64 = false, pref = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i].toLowerCase(Locale.ROOT)) {
                    case "64" -> mem64 = true;
                    case "pref" -> pref = true;
                    default -> throw new BadInputException("--add", 0, "unknown BAR attribute '+" + parts[i] + "' in '" + item + "' (use +64, +pref)");
                }
            }
            long size;
            try {
                size = new Sizes().convert(parts[0]);
            } catch (CommandLine.TypeConversionException e) {
                throw new BadInputException("--add", 0, e.getMessage());
            }
            if (size <= 0 || Long.bitCount(size) != 1) throw new BadInputException("--add", 0, "BAR size " + parts[0] + " is not a power of two (PCI BARs are)");
            if (index > 5 || (mem64 && index > 4)) throw new BadInputException("--add", 0, "more BARs than a device has (6 slots; a 64-bit BAR takes two)");
            bars.add(new HotAdd.NewBar(index, size, mem64, pref));
            index += mem64 ? 2 : 1;
        }
        return new AddSpec(bus, bars);
    }

    private static Bdf parse(String text, String option) {
        try {
            return Bdf.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option, 0, e.getMessage());
        }
    }

    private static dev.barmap.model.vfio.ModelVfioDevice open(VfioPciModel model, Bdf bdf, String option) {
        dev.barmap.model.vfio.ModelVfioDevice d;
        try {
            d = model.open(bdf);
        } catch (VfioException e) {
            throw new BadInputException(option, 0, e.getMessage());
        }
        // opened as a VMM opens it: QEMU mmaps every BAR region with the MMAP flag at realize (hw/vfio/pci.c
        // vfio_bar_register -> hw/vfio/common.c vfio_region_mmap), so vfio-pci requests the BAR
        // (vfio_pci_core_mmap -> pci_request_selected_regions) and /proc/iomem shows it, as in the oracle's runs
        for (int i = 0; i < 6; i++) {
            if (!d.decision(i).mmappable()) continue;
            try {
                d.tryMmap((long) i << dev.barmap.model.vfio.ModelVfioDevice.OFFSET_SHIFT, d.function().resource(i).len(), true);
            } catch (VfioException e) {
                // refused (e.g. overlapping the MSI-X table before 4.16): QEMU keeps that BAR trapped
            }
        }
        return d;
    }

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, this.spec);
        AddSpec spec = parseAdd(add);
        // a malformed --as is an error of --as, not of --add (issue 14); HotAdd checks its bus and that it is free
        String asBdf = as == null ? null : parse(as, "--as").toString();
        Host h;
        List<PciBuses.RootWindow> roots = List.of();
        if (console != null) {
            if (!Files.isRegularFile(console)) throw new BadInputException(console.toString(), 0, "not a file");
            GuestConsole c = GuestConsole.read(console);
            h = c.host();
            if (host.pageSize != null || host.kernel != null) {
                dev.barmap.model.kernel.Platform platform = h.platform();
                dev.barmap.model.kernel.KernelRelease kernel = h.kernel();
                try {
                    if (host.pageSize != null) platform = new dev.barmap.model.kernel.Platform(h.platform().arch(), host.pageSize);
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("--page-size", 0, e.getMessage());
                }
                try {
                    if (host.kernel != null) kernel = dev.barmap.model.kernel.KernelRelease.parse(host.kernel);
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("--kernel", 0, e.getMessage());
                }
                h = h.with(platform, kernel);
            }
            roots = c.rootWindows();
        } else {
            h = host.read();
        }
        VfioPciModel model = new VfioPciModel(h);
        var opened = new ArrayList<String>();
        var toClose = new ArrayList<dev.barmap.model.vfio.ModelVfioDevice>();
        var closed = new ArrayList<String>();
        for (String o : open) opened.add(open(model, parse(o, "--open"), "--open").bdf());
        for (String c : close) {
            Bdf bdf = parse(c, "--close");
            if (opened.contains(bdf.toString()) || closed.contains(bdf.toString())) {
                throw new BadInputException("--close", 0, bdf + " is named twice (a device is either held open or closed at the hot-add)");
            }
            toClose.add(open(model, bdf, "--close"));
            closed.add(bdf.toString());
        }
        // opened, then closed before the hot-add (the oracle run x86_64-4k-q35br-closed): vfio_pci_core_disable
        // releases the device's "vfio sub-page reserved" dummies
        toClose.forEach(dev.barmap.model.vfio.ModelVfioDevice::close);
        HotAdd.Result r;
        try {
            r = HotAdd.run(model, roots, spec.bus(), asBdf, spec.bars());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(asBdf != null && e.getMessage().startsWith("device") ? "--as" : "--add", 0, e.getMessage());
        }
        var out = this.spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, new Result(h, opened, closed, r)));
        out.flush();
        return r.bars().stream().allMatch(b -> b.withReservations().assigned()) ? 0 : 1;
    }
}
