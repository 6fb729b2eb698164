package dev.barmap.model.audit;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.plan.BarVerdict;
import dev.barmap.model.plan.PageRun;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.Planner;
import dev.barmap.model.plan.TrapReason;
import dev.barmap.model.plan.VmmColumn;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.qemu.QemuOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code x-msix-relocation=barN} fix for an MSI-X table that shares its page: every N QEMU accepts
 * (hw/vfio/pci.c vfio_pci_relocate_msix, as {@code QemuPciFunction} models it) is tried in the QEMU model (its
 * newest release, {@link Qemu#DEFAULT}; 7.2, 10.0 and 11.1 relocate alike), and
 * one is picked only when, with it, QEMU starts and no page of the table's BAR traps for the MSI-X table any more
 * while every page of that BAR that was direct stays direct. An unused BAR (QEMU then adds a BAR holding only the
 * table and PBA) is preferred over doubling a used one.
 */
public final class MsixRelocation {
    private MsixRelocation() {}

    /** A verified relocation: the target BAR and the plan column that shows it. */
    public record Choice(int bar, VmmColumn column) {}

    public static Optional<Choice> pick(HostDevice device, String arch, long page) {
        if (device.msix().isEmpty()) return Optional.empty();
        Msix m = device.msix().get();
        VmmColumn before = run(device, arch, page, QemuOptions.DEFAULT);
        if (before.failure() != null) return Optional.empty();
        BarVerdict was = verdict(before, device.bdf(), m.tableBar());
        if (was == null || !trapsTable(was)) return Optional.empty();
        var ok = new ArrayList<Choice>();
        for (int n = 0; n < 6; n++) {
            VmmColumn after = run(device, arch, page, QemuOptions.DEFAULT.withMsixRelocation(n));
            if (after.failure() != null || !after.violations().isEmpty()) continue;
            BarVerdict now = verdict(after, device.bdf(), m.tableBar());
            if (now == null || trapsTable(now) || directPages(now, page) < directPages(was, page) + trappedForTable(was, page)) continue;
            ok.add(new Choice(n, after));
        }
        return ok.stream().filter(c -> device.bar(c.bar()).isEmpty()).findFirst().or(() -> ok.stream().findFirst());
    }

    static VmmColumn run(HostDevice device, String arch, long page, QemuOptions o) {
        var topo = new Topology(List.of(new Passthrough(device)), List.of(), Planner.platform(arch));
        var fw = Planner.firmware(null, arch, f -> { throw new IllegalStateException(f); });
        return Plan.compute(topo, fw, Planner.forMachine(List.of(Qemu.DEFAULT.with(o)), arch), page).columns().getFirst();
    }

    static BarVerdict verdict(VmmColumn c, String bdf, int bar) {
        var k = new BarKey(bdf, bar);
        return c.bars().stream().filter(v -> v.device().equals(k.device()) && v.bar() == bar).findFirst().orElse(null);
    }

    static boolean trapsTable(BarVerdict v) {
        return v.pages().stream().anyMatch(r -> r.state() == PageRun.State.TRAPPED && r.reasons().contains(TrapReason.MSIX_TABLE));
    }

    static long trappedForTable(BarVerdict v, long page) {
        return v.pages().stream().filter(r -> r.state() == PageRun.State.TRAPPED && r.reasons().contains(TrapReason.MSIX_TABLE))
                .mapToLong(r -> r.pages(page)).sum();
    }

    static long directPages(BarVerdict v, long page) {
        return v.pages().stream().filter(r -> r.state() == PageRun.State.DIRECT).mapToLong(r -> r.pages(page)).sum();
    }
}
