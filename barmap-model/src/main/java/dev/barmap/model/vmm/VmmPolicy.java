package dev.barmap.model.vmm;

import dev.barmap.model.guest.GuestFirmware;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a VMM maps passthrough BARs into the guest. Each run: the VMM decides the BAR sizes the guest sees (MSI-X
 * relocation can enlarge a BAR), the guest firmware places them, then the VMM mmaps the vfio regions and asks KVM
 * for memory slots.
 *
 * <p>Every modelled upstream version is its own policy with a unique {@link #id()} ({@code qemu-7.2},
 * {@code qemu-11.1}, {@code cloud-hypervisor-52}, ...); {@link #family()} groups the versions of one VMM.
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
        return List.of(Qemu.V7_2, Qemu.V10_0, Qemu.V11_1, CloudHypervisor.V51, CloudHypervisor.V52, Crosvm.V2024, Crosvm.V2025_07,
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
     * list of version ids ({@code cloud-hypervisor-51}), families ({@code crosvm}: every crosvm version) and ranges
     * of one family's versions ({@code qemu-7.2..11.1}, {@code qemu-10.0..}, {@code qemu-..10.0}: see
     * {@link #range}). Throws IllegalArgumentException naming what was wrong.
     */
    static List<VmmPolicy> select(String spec) {
        if (spec == null || spec.isBlank() || spec.strip().equals("latest")) return latest();
        if (spec.strip().equals("all")) return registry();
        var out = new LinkedHashSet<VmmPolicy>();
        for (String s : spec.split(",")) {
            String id = s.strip();
            if (id.contains("..")) {
                out.addAll(range(id));
                continue;
            }
            var hits = registry().stream().filter(p -> p.id().equals(id) || p.family().equals(id)).toList();
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("unknown VMM '" + id + "' (known: all, latest, "
                        + String.join(", ", registry().stream().map(VmmPolicy::family).distinct().toList()) + ", "
                        + String.join(", ", registry().stream().map(VmmPolicy::id).toList()) + ", or a range such as "
                        + "qemu-7.2..11.1)");
            }
            out.addAll(hits);
        }
        return List.copyOf(out);
    }

    /**
     * A range of one family's modelled versions, both ends included, in registry order (oldest first):
     * {@code FAMILY-LOW..HIGH} (HIGH may repeat the family: {@code qemu-7.2..qemu-11.1}), {@code FAMILY-LOW..}
     * (LOW and newer) or {@code FAMILY-..HIGH} / {@code FAMILY..HIGH} (HIGH and older). Each given end must be a
     * modelled version of the family. Throws IllegalArgumentException on anything else, or when LOW is newer than HIGH.
     */
    static List<VmmPolicy> range(String spec) {
        int dots = spec.indexOf("..");
        String lo = spec.substring(0, dots), hi = spec.substring(dots + 2);
        // the family is the longest one the range starts with followed by '-' (cloud-hypervisor-51 is not "cloud")
        String family = registry().stream().map(VmmPolicy::family).distinct()
                .filter(f -> lo.equals(f) || lo.startsWith(f + "-")).max(Comparator.comparingInt(String::length))
                .orElseThrow(() -> new IllegalArgumentException("bad VMM range '" + spec + "': it must start with a family and '-' ("
                        + String.join(", ", registry().stream().map(VmmPolicy::family).distinct().toList()) + "), e.g. qemu-7.2..11.1"));
        List<VmmPolicy> versions = registry().stream().filter(p -> p.family().equals(family)).toList();
        List<String> ids = versions.stream().map(VmmPolicy::id).toList();
        String from = lo.length() > family.length() ? lo.substring(family.length() + 1) : "";
        String to = hi.startsWith(family + "-") ? hi.substring(family.length() + 1) : hi;
        if (registry().stream().anyMatch(p -> p.id().equals(hi) && !p.family().equals(family))) {
            throw new IllegalArgumentException("bad VMM range '" + spec + "': both ends must be versions of " + family + " ("
                    + String.join(", ", ids) + ")");
        }
        if (from.isEmpty() && to.isEmpty()) {
            throw new IllegalArgumentException("bad VMM range '" + spec + "': give at least one end (" + family + " versions: "
                    + String.join(", ", ids) + ")");
        }
        int a = from.isEmpty() ? 0 : rangeEnd(spec, ids, family + "-" + from);
        int b = to.isEmpty() ? ids.size() - 1 : rangeEnd(spec, ids, family + "-" + to);
        if (a > b) {
            throw new IllegalArgumentException("bad VMM range '" + spec + "': " + ids.get(a) + " is newer than " + ids.get(b)
                    + " (" + family + " versions, oldest first: " + String.join(", ", ids) + ")");
        }
        return versions.subList(a, b + 1);
    }

    private static int rangeEnd(String spec, List<String> ids, String id) {
        int i = ids.indexOf(id);
        if (i < 0) {
            throw new IllegalArgumentException("bad VMM range '" + spec + "': " + id + " is not a modelled version ("
                    + String.join(", ", ids) + ")");
        }
        return i;
    }

    /** Look one policy up by version id or family (a family gives its newest version). */
    static VmmPolicy byId(String id) {
        var hits = select(id);
        return hits.getLast();
    }
}
