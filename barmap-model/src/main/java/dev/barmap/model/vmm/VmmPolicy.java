package dev.barmap.model.vmm;

import dev.barmap.model.guest.GuestFirmware;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a VMM maps passthrough BARs into the guest. Each run: the VMM decides the BAR sizes the guest sees (MSI-X
 * relocation can enlarge a BAR), the guest firmware places them, then the VMM mmaps the vfio regions and asks KVM
 * for memory slots.
 *
 * <p>Every modelled upstream version is its own policy with a unique {@link #id()} ({@code qemu-7.2},
 * {@code cloud-hypervisor-52}, ...); {@link #family()} groups the versions of one VMM.
 */
public sealed interface VmmPolicy permits Qemu, CloudHypervisor, Crosvm, Firecracker, OpenVmm, VmmPolicy.Unmodelled {
    /** Unique id of this VMM version, e.g. {@code cloud-hypervisor-52}: the JSON key of its verdicts. */
    String id();

    /** The VMM this version belongs to: qemu, cloud-hypervisor, crosvm, firecracker, openvmm. */
    String family();

    /** Column label, with version. */
    String label();

    /** The sources the rules were taken from. */
    List<Source> sources();

    VmmRun run(Topology topology, GuestFirmware firmware, long hostPageSize);

    /**
     * A policy that is none of the VMMs barmap models, so never in {@link #all()} nor found by {@link #byId}.
     * Tests implement it to run a deliberately broken VMM (one that maps a page beyond its BAR) through the
     * planner and the CLI and see the isolation check fire, which no modelled VMM can make it do.
     */
    non-sealed interface Unmodelled extends VmmPolicy {
        @Override
        default String family() { return id(); }
    }

    /** Every modelled version, in table column order (families in a fixed order, oldest version first). */
    static List<VmmPolicy> registry() {
        return List.of(Qemu.DEFAULT, CloudHypervisor.V51, CloudHypervisor.V52, Crosvm.V2024, Crosvm.V2025_07,
                Firecracker.PR6055, OpenVmm.DEFAULT);
    }

    /** The newest modelled version of each family, in table column order: the default set of {@code barmap plan}. */
    static List<VmmPolicy> latest() {
        var out = new ArrayList<VmmPolicy>();
        for (VmmPolicy p : registry()) {
            out.removeIf(q -> q.family().equals(p.family()));
            out.add(p);
        }
        return List.copyOf(out);
    }

    /** Kept for callers that want the default set: {@link #latest()}. */
    static List<VmmPolicy> all() { return latest(); }

    /**
     * {@code --vmm}: {@code all} (every version), {@code latest} (the newest of each family), or a comma-separated
     * list of version ids ({@code cloud-hypervisor-51}) and families ({@code crosvm}: every crosvm version).
     */
    static List<VmmPolicy> select(String spec) {
        if (spec == null || spec.isBlank() || spec.strip().equals("latest")) return latest();
        if (spec.strip().equals("all")) return registry();
        var out = new LinkedHashSet<VmmPolicy>();
        for (String s : spec.split(",")) {
            String id = s.strip();
            var hits = registry().stream().filter(p -> p.id().equals(id) || p.family().equals(id)).toList();
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("unknown VMM '" + id + "' (known: all, latest, "
                        + String.join(", ", registry().stream().map(VmmPolicy::family).distinct().toList()) + ", "
                        + String.join(", ", registry().stream().map(VmmPolicy::id).toList()) + ")");
            }
            out.addAll(hits);
        }
        return List.copyOf(out);
    }

    /** Look one policy up by version id or family (a family gives its newest version). */
    static VmmPolicy byId(String id) {
        var hits = select(id);
        return hits.getLast();
    }
}
