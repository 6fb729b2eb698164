package dev.barmap.model.scan;

import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.plan.BarVerdict;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.Planner;
import dev.barmap.model.plan.TrapReason;
import dev.barmap.model.plan.VmmColumn;
import dev.barmap.model.vmm.VmmPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest side next to vfio-pci's answer: for each BAR, in a few words, what every modelled VMM makes of
 * it. Not a model of its own: it runs {@link Planner#plan} (the same VMM policies and guest placement as
 * {@code barmap plan}, with its default SeaBIOS placement) and sums up each BAR's column verdicts.
 */
public final class GuestOutlook {
    private GuestOutlook() {}

    /** The placement the outlook assumes, as {@code barmap plan}'s default {@code --guest}. */
    public static final String FIRMWARE = "seabios";

    /** Key of {@link #of}'s map. */
    public static String key(Bdf bdf, int bar) {
        return bdf + "#" + bar;
    }

    /**
     * Outlook per BAR ({@link #key}), for every BAR {@code plan} covers (memory and I/O BARs of functions
     * vfio-pci can open); empty when the plan cannot be made for this host (the reason goes to {@code notes}).
     */
    public static Map<String, String> of(Host host, KernelEra era, List<String> notes) {
        Plan plan;
        try {
            var firmware = Planner.firmware(FIRMWARE, host.platform().arch(), f -> { throw new IllegalStateException(f); });
            plan = Planner.plan(HostDevices.of(host, era), host.platform().arch(), host.pageSize(), firmware, VmmPolicy.all());
        } catch (BadInputException | IllegalArgumentException e) {
            notes.add("guest outlook not computed: " + e.getMessage());
            return Map.of();
        }
        // (device, bar) -> per VMM id, the verdict
        var perBar = new LinkedHashMap<String, Map<String, BarVerdict>>();
        for (VmmColumn c : plan.columns()) {
            for (BarVerdict v : c.bars()) {
                perBar.computeIfAbsent(v.device() + "#" + v.bar(), k -> new LinkedHashMap<>()).put(c.vmm(), v);
            }
        }
        var out = new LinkedHashMap<String, String>();
        for (var e : perBar.entrySet()) {
            String device = e.getKey().substring(0, e.getKey().indexOf('#'));
            PciFunction f = host.functions().get(Bdf.parse(device));
            String s = summarize(e.getValue());
            if (f != null && !f.msixKnown()) s += " (if the MSI-X table is not here: MSI-X unknown)";
            out.put(e.getKey(), s);
        }
        return out;
    }

    /**
     * "direct in every VMM", "MSI-X page: traps in every VMM (firecracker: not exposed)" when every VMM agrees
     * on the outcome (the most common reason first), else per outcome "direct: qemu, crosvm; traps (sub-page): firecracker".
     */
    static String summarize(Map<String, BarVerdict> byVmm) {
        var outcomes = new LinkedHashMap<BarVerdict.Summary, List<String>>();
        byVmm.forEach((vmm, v) -> outcomes.computeIfAbsent(v.summary(), k -> new ArrayList<>()).add(vmm));
        if (outcomes.size() == 1) {
            BarVerdict.Summary only = outcomes.keySet().iterator().next();
            var reasons = new LinkedHashMap<String, List<String>>();
            byVmm.forEach((vmm, v) -> reasons.computeIfAbsent(v.mainReason() == null ? "" : shortName(v.mainReason()), k -> new ArrayList<>()).add(vmm));
            String main = reasons.entrySet().stream().max(java.util.Comparator.comparingInt(e -> e.getValue().size())).orElseThrow().getKey();
            String s = (main.isEmpty() ? "" : main + ": ") + outcome(only) + " in every VMM";
            var others = new ArrayList<String>();
            reasons.forEach((why, vmms) -> {
                if (!why.equals(main)) others.add(String.join(", ", vmms) + ": " + (why.isEmpty() ? "-" : why));
            });
            return others.isEmpty() ? s : s + " (" + String.join("; ", others) + ")";
        }
        var parts = new ArrayList<String>();
        var groups = new LinkedHashMap<String, List<String>>();
        for (var e : byVmm.entrySet()) groups.computeIfAbsent(word(e.getValue()), k -> new ArrayList<>()).add(e.getKey());
        groups.forEach((w, vmms) -> parts.add(w + ": " + String.join(", ", vmms)));
        return String.join("; ", parts);
    }

    private static String outcome(BarVerdict.Summary s) {
        return switch (s) {
            case DIRECT -> "direct";
            case PARTIAL -> "partial";
            case TRAPPED -> "traps";
            case SHADOWED -> "shadowed";
            case FAILED -> "VMM fails to start";
        };
    }

    private static String word(BarVerdict v) {
        TrapReason r = v.mainReason();
        return outcome(v.summary()) + (r == null || v.summary() == BarVerdict.Summary.DIRECT ? "" : " (" + shortName(r) + ")");
    }

    /** One or two words per trap reason (the long form is {@link TrapReason}'s own text, shown by {@code plan}). */
    static String shortName(TrapReason r) {
        return switch (r) {
            case IO_PORT -> "I/O port";
            case UNASSIGNED -> "not placed";
            case NOT_EXPOSED -> "not exposed";
            case NOT_MMAPPABLE -> "not mmappable";
            case MSIX_TABLE -> "MSI-X page";
            case MSIX_PBA -> "MSI-X PBA page";
            case BEYOND_HOST_BAR -> "MSI-X relocation";
            case SHARED_WITH_GUEST_BAR -> "shared guest page";
            case SLOT_MISALIGNED -> "misaligned";
            case SUB_PAGE -> "sub-page";
            default -> r.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        };
    }
}
