package dev.barmap.model.plan;

import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.guest.Slof;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The entry points {@code barmap plan} needs: turn its option values into strategies and run the plan. Pure: the
 * caller reads files and the host.
 */
public final class Planner {
    private Planner() {}

    /** {@code --vmm qemu|cloud-hypervisor|crosvm|firecracker|openvmm|all} (comma-separated lists allowed). */
    public static List<VmmPolicy> vmms(String spec) {
        if (spec == null || spec.isBlank() || spec.equals("all")) return VmmPolicy.all();
        return Arrays.stream(spec.split(",")).map(String::strip).map(VmmPolicy::byId).toList();
    }

    /**
     * {@code --guest seabios|linux|slof|FILE}: a name that is none of the three is a layout file, whose text
     * {@code readFile} returns (see {@link ExplicitLayout} for the format).
     */
    public static GuestFirmware firmware(String spec, Function<String, String> readFile) {
        return firmware(spec, "x86_64", readFile);
    }

    /** As {@link #firmware(String, Function)}, with the guest kernel's arch hooks for {@code linux} ({@link LinuxAssign#forArch}). */
    public static GuestFirmware firmware(String spec, String arch, Function<String, String> readFile) {
        return switch (spec == null ? "seabios" : spec) {
            case "seabios" -> new SeaBios();
            case "linux" -> LinuxAssign.forArch(arch);
            case "slof" -> new Slof();
            default -> ExplicitLayout.parse(spec, readFile.apply(spec));
        };
    }

    /** The guest platform for a host architecture ("ppc64le" → pseries windows, anything else → x86 q35). */
    public static GuestPlatform platform(String arch) {
        return "ppc64le".equals(arch) || "ppc64".equals(arch) ? GuestPlatform.ppc64Pseries() : GuestPlatform.x86();
    }

    /** Every device passed through, in the given order, named by its host BDF on the guest's root bus. */
    public static Plan plan(List<HostDevice> devices, String arch, long hostPageSize, GuestFirmware firmware, List<VmmPolicy> vmms) {
        var topo = new Topology(devices.stream().map(Passthrough::new).toList(), List.of(), platform(arch));
        return Plan.compute(topo, firmware, vmms, hostPageSize);
    }
}
