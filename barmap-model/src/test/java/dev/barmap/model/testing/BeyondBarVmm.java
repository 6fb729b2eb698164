package dev.barmap.model.testing;

import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.vmm.DirectMapping;
import dev.barmap.model.vmm.Source;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.VmmRun;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Test only, a deliberately broken VMM: it runs {@code base} and then grows the highest direct slot by one
 * page, so that slot maps the page after its BAR's host bytes into the guest. No real VMM is modelled here;
 * it exists to show that the isolation check catches such a VMM (the slot stays the highest, so it overlaps
 * no other slot: the only thing wrong is the page beyond the BAR).
 */
public record BeyondBarVmm(VmmPolicy base) implements VmmPolicy.Unmodelled {
    public static final String ID = "beyond-bar";

    @Override
    public String id() { return ID; }

    @Override
    public String label() { return "test-only VMM mapping a page beyond its BAR"; }

    @Override
    public List<Source> sources() { return List.of(); }

    @Override
    public VmmRun run(Topology topology, GuestFirmware firmware, long hostPageSize) {
        VmmRun r = base.run(topology, firmware, hostPageSize);
        if (r.failure().isPresent() || r.direct().isEmpty()) {
            throw new IllegalStateException(base.id() + " mapped nothing directly here: nothing to grow past its BAR");
        }
        var direct = new ArrayList<>(r.direct());
        DirectMapping last = direct.stream().max(Comparator.comparingLong(DirectMapping::guestEnd)).orElseThrow();
        direct.set(direct.indexOf(last), grown(last, hostPageSize));
        return new VmmRun(ID, r.failure(), r.guestBars(), r.hostBars(), r.layout(), direct, r.emulated(), r.mmaps(), r.notes(), r.warnings());
    }

    /** The slot {@link #run} substitutes for {@code d}: one page longer, on both the guest and the host side. */
    public static DirectMapping grown(DirectMapping d, long page) {
        return new DirectMapping(d.owner(), d.guestStart(), d.size() + page, d.hostStart());
    }
}
