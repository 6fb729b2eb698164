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
 */
public final class Isolation {
    private Isolation() {}

    public static List<IsolationViolation> check(VmmRun run, long page) {
        var out = new ArrayList<IsolationViolation>();
        for (DirectMapping d : run.direct()) {
            HostBar hb = run.hostBars().get(d.owner());
            String owner = d.owner().toString();
            if (hb == null) {
                out.add(v(run, d, 0, 0, "slot backed by no passthrough BAR"));
                continue;
            }
            long lo = hb.hostStart(), hi = hb.ownedHostEnd(page);
            if ((d.guestStart() & (page - 1)) != 0 || (d.size() & (page - 1)) != 0 || d.size() <= 0) {
                out.add(v(run, d, lo, hi, "slot not page-granular"));
            }
            if (hb.io() || !hb.mmappable()) out.add(v(run, d, lo, hi, "slot on a BAR vfio-pci does not allow to mmap"));
            if (d.hostStart() < lo || d.hostEnd() > hi) {
                out.add(v(run, d, lo, hi, owner + " reaches host bytes outside its BAR and reservation"));
            }
        }
        var sorted = new ArrayList<>(run.direct());
        sorted.sort(Comparator.comparingLong(DirectMapping::guestStart));
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
