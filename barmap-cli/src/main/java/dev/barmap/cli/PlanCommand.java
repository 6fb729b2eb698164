package dev.barmap.cli;

import dev.barmap.cli.report.PlanJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.PlanText;
import dev.barmap.model.plan.Planner;
import dev.barmap.model.vmm.VmmPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Option(names = "--vmm", paramLabel = "VMM", defaultValue = "all",
            description = "qemu, cloud-hypervisor, crosvm, firecracker, openvmm, or all (default); a comma-separated list also works.")
    String vmm;

    @Option(names = "--guest", paramLabel = "seabios|linux|slof|FILE", defaultValue = "seabios",
            description = "Who places the guest BARs: SeaBIOS (default), Linux itself, SLOF, or a FILE of '<device> <bar> <address>' lines.")
    String guest;

    @Option(names = "--format", description = "text (default: a table, one row per BAR, one column per VMM, then details) or json.")
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
        if (format == Format.html) throw new CommandLine.ParameterException(spec.commandLine(), "--format html: plan has text and json");
        List<VmmPolicy> vmms;
        try {
            vmms = policies.apply(vmm);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--vmm", 0, e.getMessage());
        }
        Host h = host.read();
        String arch = h.platform().arch();
        GuestFirmware firmware = Planner.firmware(guest, arch, PlanCommand::readLayout);
        List<HostDevice> devices = HostDevices.of(h);
        Plan plan = Planner.plan(devices, arch, h.pageSize(), firmware, vmms);
        var out = spec.commandLine().getOut();
        if (format == Format.json) out.print(PlanJson.render(plan, h, devices));
        else {
            if (devices.isEmpty()) out.println("barmap plan: " + h.source() + ": no function vfio-pci could open has a BAR");
            else out.print(PlanText.render(plan, h.source()));
        }
        out.flush();
        return exitCode(plan);
    }

    /** 0 when isolation held in every column, else 1. */
    static int exitCode(Plan plan) {
        return plan.isolated() ? 0 : 1;
    }

    static String readLayout(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file, 0, "--guest: not seabios, linux or slof, and not a readable layout file (" + e.getMessage() + ")");
        }
    }
}
