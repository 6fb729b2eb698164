package dev.barmap.model.plan;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.vmm.DirectMapping;
import dev.barmap.model.vmm.VmmRun;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The isolation invariant: every direct-mapped guest page reaches only host bytes of its own device BAR and the
 * BAR's "vfio sub-page reserved" dummy (vfio_pci_probe_mmaps, Linux 4.8+), i.e. host
 * [hostStart, {@link HostBar#ownedHostEnd}); and every slot is page-granular (KVM) and no two slots overlap.
 *
 * <p>These are guards, not rules: with real kernel and VMM semantics none of them fires, because the VMM models
 * refuse the bad cases earlier (see the comment at each check). They are there for a policy that models a VMM
 * wrongly (or a VMM that is wrong). {@code IsolationTest} shows each one firing on a run built by hand, and
 * barmap-cli's {@code PlanIsolationTest} shows a test-only policy that maps a page beyond its BAR turning into a
 * JSON violation and exit code 1 from {@code plan}.
 */
public final class Isolation {
    private Isolation() {}

    public static List<IsolationViolation> check(VmmRun run, long page) {
        var out = new ArrayList<IsolationViolation>();
        for (DirectMapping d : run.direct()) {
            HostBar hb = run.hostBars().get(d.owner());
            String owner = d.owner().toString();
            // Cannot fire for the RunBuilder VMMs (cloud-hypervisor, crosvm, Firecracker, OpenVMM): they call
            // RunBuilder.kvmSlot only with keys of the BARs they put in hostBars; nor for QEMU, whose slots are
            // owned by the vfio-pci functions it realized from those same BARs.
            if (hb == null) {
                out.add(v(run, d, 0, 0, "slot backed by no passthrough BAR"));
                continue;
            }
            long lo = hb.hostStart(), hi = hb.ownedHostEnd(page);
            // Cannot fire for the RunBuilder VMMs: RunBuilder.kvmSlot refuses such a slot as KVM does
            // (virt/kvm/kvm_main.c __kvm_set_memory_region: -EINVAL), so the run fails instead; QEMU's slots come from
            // KvmSlots.of, page-aligned as kvm_set_phys_mem aligns them (accel/kvm/kvm-all.c kvm_align_section).
            if ((d.guestStart() & (page - 1)) != 0 || (d.size() & (page - 1)) != 0 || d.size() <= 0) {
                out.add(v(run, d, lo, hi, "slot not page-granular"));
            }
            // Cannot fire for the RunBuilder VMMs: each skips a BAR without VFIO_REGION_INFO_FLAG_MMAP, and
            // VmmSupport.hostMmap refuses it as drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_mmap does (-EINVAL).
            if (hb.io() || !hb.mmappable()) out.add(v(run, d, lo, hi, "slot on a BAR vfio-pci does not allow to mmap"));
            // The check a modelling slip can trip (e.g. a VMM rounding a slot up past its mmap, as crosvm's
            // add_memory_region rounds a sub-page area): vfio_pci_core_mmap bounds the mmap by PAGE_ALIGN(BAR size),
            // and a sub-page BAR is only mmappable with the rest of its page reserved, so correct models stay inside.
            if (d.hostStart() < lo || d.hostEnd() > hi) {
                out.add(v(run, d, lo, hi, owner + " reaches host bytes outside its BAR and reservation"));
            }
        }
        var sorted = new ArrayList<>(run.direct());
        sorted.sort(Comparator.comparingLong(DirectMapping::guestStart));
        // Cannot fire for the RunBuilder VMMs: RunBuilder.kvmSlot refuses an overlapping slot (kvm_main.c
        // __kvm_set_memory_region: -EEXIST); QEMU's slots are the disjoint ranges of its flat view.
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).guestStart() < sorted.get(i - 1).guestEnd()) {
                out.add(v(run, sorted.get(i), 0, 0, "overlaps the slot of " + sorted.get(i - 1).owner()));
            }
        }
        return out;
    }

    private static IsolationViolation v(VmmRun run, DirectMapping d, long lo, long hi, String what) {
        return new IsolationViolation(run.vmm(), d.owner().toString(), d.guestStart(), d.size(), d.hostStart(), lo, hi, what);
    }

    static String name(BarKey k) { return k.toString(); }
}
