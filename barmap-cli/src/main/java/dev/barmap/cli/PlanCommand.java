package dev.barmap.cli;

import dev.barmap.cli.report.Outputs;
import dev.barmap.cli.report.PlanJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.PlanText;
import dev.barmap.model.plan.Planner;
import dev.barmap.model.vmm.VmmPolicy;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code barmap plan}: the guest side. Every function vfio-pci would open on the host is passed through to a guest;
 * the guest firmware (or Linux) places the BARs; each VMM maps what it can. Per BAR and VMM: which guest pages are
 * direct, which trap and why, and whether any direct page reaches another device's bytes (the isolation check).
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Pass every vfio-pci device of the host through to a guest and show, per BAR and per VMM, which guest pages "
                + "reach the device directly and which trap, and why.",
                "Exit code 1 when a direct mapping would reach bytes outside its own BAR (isolation check), 2 on bad input."})
public final class PlanCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;

    @Option(names = "--vmm", paramLabel = "VMM", defaultValue = "latest",
            description = "A version id (qemu-7.2, qemu-10.0, qemu-11.1, cloud-hypervisor-51, cloud-hypervisor-52, crosvm-2024, crosvm-2025-07, "
                    + "firecracker-pr6055, openvmm-2026-08), a family (qemu, cloud-hypervisor, crosvm, firecracker, openvmm: all its versions), "
                    + "a range of one family's versions (qemu-7.2..11.1, qemu-10.0.., qemu-..10.0), latest (default: the newest version of "
                    + "each) or all; a comma-separated list also works.")
    String vmm;

    @Option(names = "--guest", paramLabel = "seabios|linux|slof|FILE", defaultValue = "default",
            description = "Who places the guest BARs where the guest decides (QEMU, OpenVMM): SeaBIOS, Linux itself, SLOF, or a FILE of "
                    + "'<device> <bar> <address>' lines. Default: by architecture (x86_64 seabios on q35, ppc64le slof on pseries, "
                    + "aarch64 and others linux on virt).")
    String guest;

    @Option(names = "--qemu-opt", paramLabel = "[host=BDF,]KEY=VALUE[,...]",
            description = "QEMU vfio-pci options to try, as on its command line: x-no-mmap=on, x-msix-relocation=bar0..bar5, "
                    + "vfio-no-msix-emulation=on (the pseries machine property). With host=BDF only that device; repeatable.")
    List<String> qemuOpts = List.of();

    /** What plan renders: the plan and the host facts its rows rest on. */
    record Result(Plan plan, Host host, List<HostDevice> devices, String arch) {}

    /** plan's output formats. */
    static final Outputs<Result> OUTPUTS = Outputs.of("plan", PlanCommand::text, r -> PlanJson.render(r.plan(), r.host(), r.devices()), null);

    /** The formats {@code --format} completes to. */
    static final class Formats extends Outputs.Candidates {
        Formats() {
            super(OUTPUTS);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = Formats.class,
            description = "${COMPLETION-CANDIDATES}; text (the default) is a table, one row per BAR, one column per VMM, then details.")
    Format format = Format.text;

    @Spec
    CommandSpec spec;

    /** --vmm to policies: {@link Planner#vmms}; tests substitute a VMM outside the modelled ones. */
    private final Function<String, List<VmmPolicy>> policies;

    public PlanCommand() {
        this(Planner::vmms);
    }

    PlanCommand(Function<String, List<VmmPolicy>> policies) {
        this.policies = policies;
    }

    @Override
    public Integer call() {
        FormatOption.check(OUTPUTS, format, spec);
        List<VmmPolicy> vmms;
        try {
            vmms = policies.apply(vmm);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--vmm", 0, e.getMessage());
        }
        try {
            vmms = Planner.withQemuOptions(vmms, qemuOpts);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--qemu-opt", 0, e.getMessage());
        }
        Host h = host.read();
        guestSizable(h);
        String arch = h.platform().arch();
        GuestFirmware firmware = Planner.firmware(guest, arch, PlanCommand::readLayout);
        List<HostDevice> devices = HostDevices.of(h);
        if (firmware instanceof ExplicitLayout layout) warnStrayLines(layout, devices);
        Plan plan = Planner.plan(devices, arch, h.pageSize(), firmware, vmms);
        var out = spec.commandLine().getOut();
        out.print(OUTPUTS.render(format, new Result(plan, h, devices, arch)));
        out.flush();
        return exitCode(plan);
    }

    /**
     * A layout line naming a BAR that no passed-through device in the host input shows places nothing: one warning per
     * such line, naming the file and line but not quoting it (ExplicitLayout: the file may be a link to something the
     * user cannot read). "Shows": an input that leaves a BAR out (an lspci paste cut short) does not prove it absent.
     */
    private void warnStrayLines(ExplicitLayout layout, List<HostDevice> devices) {
        var known = new HashSet<BarKey>();
        for (HostDevice d : devices) d.bars().forEach(b -> known.add(new BarKey(d.bdf(), b.index())));
        for (int line : layout.strayLines(known)) {
            spec.commandLine().getErr().println("barmap: warning: " + layout.name() + ":" + line
                    + ": names a BAR that no passed-through device in the host input shows; the line places nothing");
        }
    }

    /**
     * A guest sizes a BAR by writing all ones, so a BAR it is given is a power of two, and the VMM cannot hand it a
     * host BAR that is not (an Enhanced Allocation BAR): QEMU aborts (hw/pci/pci.c pci_register_bar,
     * {@code assert(is_power_of_2(size))}). {@code scan} answers for such a host; {@code plan} says why it cannot.
     */
    static void guestSizable(Host h) {
        for (var f : h.functions().values()) {
            if (!f.passthroughCandidate()) continue;
            for (var b : f.bars()) {
                long n = b.len();
                if (!b.empty() && (b.isMem() || b.isIo()) && n > 0 && Long.bitCount(n) != 1) {
                    throw new BadInputException("sys/bus/pci/devices/" + f.bdf() + "/resource", b.index() + 1, String.format(
                            "%s is %d bytes, not a power of two (an Enhanced Allocation BAR?): no VMM can give it to a guest, "
                                    + "whose BARs are sized by writing all ones (QEMU hw/pci/pci.c pci_register_bar asserts is_power_of_2)", b.name(), n));
                }
            }
        }
    }

    static String text(Result r) {
        if (r.devices().isEmpty()) return "barmap plan: " + r.host().source() + ": no function vfio-pci could open has a BAR\n";
        return PlanText.render(r.plan(), r.host().source() + " on a " + dev.barmap.model.kernel.Architecture.of(r.arch()).machineName() + " guest");
    }

    /** 0 when isolation held in every column, else 1. */
    static int exitCode(Plan plan) {
        return plan.isolated() ? 0 : 1;
    }

    static String readLayout(String file) {
        String text;
        try {
            // a regular file within the text cap, bytes as ISO-8859-1 (never a decoder error)
            text = dev.barmap.host.Jail.NONE.read(Path.of(file), dev.barmap.host.Jail.TEXT_CAP);
        } catch (java.nio.file.InvalidPathException e) {
            text = null;
        } catch (BadInputException e) {
            throw new BadInputException(file, 0, "--guest: not seabios, linux or slof, and not a readable layout file (" + e.problem() + ")");
        }
        if (text == null) throw new BadInputException(file, 0, "--guest: not seabios, linux or slof, and not a readable layout file (no such file)");
        return text;
    }
}
