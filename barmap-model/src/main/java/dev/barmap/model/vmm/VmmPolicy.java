package dev.barmap.model.vmm;

import dev.barmap.model.guest.GuestFirmware;

import java.util.List;

/**
 * How a VMM maps passthrough BARs into the guest. Each run: the VMM decides the BAR sizes the guest sees (MSI-X
 * relocation can enlarge a BAR), the guest firmware places them, then the VMM mmaps the vfio regions and asks KVM
 * for memory slots.
 */
public sealed interface VmmPolicy permits Qemu, CloudHypervisor, Crosvm, Firecracker, OpenVmm, VmmPolicy.Unmodelled {
    /** CLI id: qemu, cloud-hypervisor, crosvm, firecracker, openvmm. */
    String id();

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
    non-sealed interface Unmodelled extends VmmPolicy {}

    /** The default set, in table column order. */
    static List<VmmPolicy> all() {
        return List.of(Qemu.DEFAULT, CloudHypervisor.V52, Crosvm.DEFAULT, Firecracker.DEFAULT, OpenVmm.DEFAULT);
    }

    /** Look a policy up by CLI id. */
    static VmmPolicy byId(String id) {
        return all().stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown VMM '" + id + "' (known: qemu, cloud-hypervisor, crosvm, firecracker, openvmm)"));
    }
}
