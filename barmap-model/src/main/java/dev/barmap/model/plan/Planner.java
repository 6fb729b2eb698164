package dev.barmap.model.plan;

import dev.barmap.model.guest.ExplicitLayout;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.guest.Slof;
import dev.barmap.model.kernel.Architecture;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.qemu.QemuOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The entry points {@code barmap plan} needs: turn its option values into strategies and run the plan. Pure: the
 * caller reads files and the host.
 */
public final class Planner {
    private Planner() {}

    /** {@code --vmm}: see {@link VmmPolicy#select}. */
    public static List<VmmPolicy> vmms(String spec) {
        return VmmPolicy.select(spec);
    }

    /**
     * {@code --guest seabios|linux|slof|FILE}: a name that is none of the three is a layout file, whose text
     * {@code readFile} returns (see {@link ExplicitLayout} for the format).
     */
    public static GuestFirmware firmware(String spec, Function<String, String> readFile) {
        return firmware(spec, "x86_64", readFile);
    }

    /**
     * As {@link #firmware(String, Function)}, with the guest kernel's arch hooks for {@code linux}
     * ({@link LinuxAssign#forArch}); no spec (null or "default") takes the architecture's default placement.
     */
    public static GuestFirmware firmware(String spec, String arch, Function<String, String> readFile) {
        String s = spec == null || spec.equals("default") ? Architecture.of(arch).defaultPlacement() : spec;
        return switch (s) {
            case "seabios" -> new SeaBios();
            case "linux" -> LinuxAssign.forArch(arch);
            case "slof" -> new Slof();
            default -> ExplicitLayout.parse(s, readFile.apply(s));
        };
    }

    /** The guest platform for a host architecture: q35, virt or pseries windows ({@link Architecture#guestPlatform}). */
    public static GuestPlatform platform(String arch) {
        return Architecture.of(arch).guestPlatform();
    }

    /**
     * The VMM policies as they run on this architecture's guest machine: on pseries QEMU's machine property
     * vfio-no-msix-emulation is on (hw/ppc/spapr.c spapr_instance_init adds it read-only, spapr_get_msix_emulation;
     * hw/vfio/pci.c vfio_msix_setup then disables the msix-table region), so the table page stays mmapped.
     */
    public static List<VmmPolicy> forMachine(List<VmmPolicy> vmms, String arch) {
        if (Architecture.of(arch).machine() != Architecture.GuestMachine.PSERIES) return vmms;
        var out = new ArrayList<VmmPolicy>();
        for (VmmPolicy v : vmms) {
            if (v instanceof Qemu q && !q.options().noMsixEmulation()) {
                var per = new java.util.TreeMap<String, QemuOptions>();
                q.perDevice().forEach((bdf, o) -> per.put(bdf, o.withNoMsixEmulation(true)));
                out.add(q.with(q.options().withNoMsixEmulation(true), per));
            } else {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * {@code --qemu-opt}: each spec is a comma-separated list of {@code key=value} as on QEMU's command line
     * ({@code -device vfio-pci,host=BDF,x-msix-relocation=bar2}); with {@code host=BDF} the options apply to that
     * device only, else to every device. The QEMU policies in {@code vmms} are replaced by ones with the options.
     * Throws IllegalArgumentException on an unknown key or value.
     */
    public static List<VmmPolicy> withQemuOptions(List<VmmPolicy> vmms, List<String> specs) {
        if (specs == null || specs.isEmpty()) return vmms;
        var out = new ArrayList<VmmPolicy>();
        for (VmmPolicy v : vmms) {
            if (!(v instanceof Qemu q)) {
                out.add(v);
                continue;
            }
            for (String spec : specs) q = applyQemuOption(q, spec);
            out.add(q);
        }
        return out;
    }

    static Qemu applyQemuOption(Qemu q, String spec) {
        String host = null;
        var kv = new ArrayList<String[]>();
        for (String item : spec.split(",")) {
            String it = item.strip();
            if (it.isEmpty() || it.equals("vfio-pci")) continue;
            int eq = it.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--qemu-opt '" + spec + "': '" + it + "' is not key=value");
            String k = it.substring(0, eq), val = it.substring(eq + 1);
            if (k.equals("host")) host = val;
            else kv.add(new String[]{k, val});
        }
        if (host == null) {
            QemuOptions o = q.options();
            for (String[] e : kv) o = o.with(e[0], e[1]);
            var per = new java.util.TreeMap<String, QemuOptions>();
            for (var e : q.perDevice().entrySet()) {
                QemuOptions d = e.getValue();
                for (String[] x : kv) d = d.with(x[0], x[1]);
                per.put(e.getKey(), d);
            }
            return q.with(o, per);
        }
        String bdf = host.matches("[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]") ? "0000:" + host : host;
        QemuOptions o = q.optionsFor(bdf);
        for (String[] e : kv) o = o.with(e[0], e[1]);
        return q.withDevice(bdf.toLowerCase(java.util.Locale.ROOT), o);
    }

    /** Every device passed through, in the given order, named by its host BDF on the guest's root bus. */
    public static Plan plan(List<HostDevice> devices, String arch, long hostPageSize, GuestFirmware firmware, List<VmmPolicy> vmms) {
        var topo = new Topology(devices.stream().map(Passthrough::new).toList(), List.of(), platform(arch));
        return Plan.compute(topo, firmware, forMachine(vmms, arch), hostPageSize);
    }
}
