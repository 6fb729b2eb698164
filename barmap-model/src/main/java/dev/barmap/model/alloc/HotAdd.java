package dev.barmap.model.alloc;

import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import dev.barmap.model.vfio.SubPageMmapRule;
import dev.barmap.model.vfio.VfioPciModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * A device hot-added on the host while vfio-pci holds some devices open: what the {@code vfio sub-page
 * reserved} dummies are for ("to reserve the remainder of the exclusive page in case that hot-add
 * device's bar is assigned into it", vfio_pci_probe_mmaps()). The hotplug driver (acpiphp enable_slot /
 * pciehp) scans the slot and assigns the new device's BARs through pbus_assign_resources_sorted() →
 * pci_assign_resource(): {@link LinuxBarAllocator#assignAll}. The same BARs are placed a second time on a
 * copy of the tree without the dummies, to show what the reservation prevents.
 */
public final class HotAdd {
    private HotAdd() {}

    /** A BAR of the new device: memory, {@code size} bytes (a power of two), 32/64-bit, prefetchable or not. */
    public record NewBar(int index, long size, boolean mem64, boolean prefetch) {
        public long flags() {
            long f = IoResource.MEM | IoResource.SIZEALIGN;
            if (mem64) f |= IoResource.MEM_64;
            if (prefetch) f |= IoResource.PREFETCH;
            return f;
        }
    }

    /** One BAR's fate with the reservations in place and without them. */
    public record BarOutcome(NewBar bar, Assignment withReservations, Assignment withoutReservations) {
        /** The reservation changed where (or whether) the BAR went. */
        public boolean moved() {
            if (withReservations instanceof Assignment.Assigned a && withoutReservations instanceof Assignment.Assigned b) {
                return a.start() != b.start();
            }
            return withReservations.assigned() != withoutReservations.assigned();
        }
    }

    /**
     * A reservation held at the time of the hot-add.
     *
     * @param under the window it sits in
     * @param owner the resource just below it: the sub-page BAR whose page it completes
     */
    public record Reservation(long start, long end, String under, String owner) {
        public boolean overlaps(long s, long e) {
            return Long.compareUnsigned(s, end) <= 0 && Long.compareUnsigned(e, start) >= 0;
        }
    }

    /**
     * @param bars            in BAR index order
     * @param reservations    the {@code vfio sub-page reserved} dummies in the tree at the hot-add
     * @param iomemAfter      /proc/iomem after the hot-add (with the reservations)
     */
    public record Result(String device, PciBus bus, List<BarOutcome> bars, List<Reservation> reservations,
                         ArchRules arch, List<String> notes, String iomemAfter) {}

    /**
     * Hot-adds {@code device} (null: the lowest free slot on the bus, function 0) with {@code bars} on bus
     * {@code busName} of the model's host, as it stands (devices opened or closed before this call).
     * The model's tree is changed as the kernel's would be: the new BARs are in it afterwards.
     *
     * @throws IllegalArgumentException for an unknown bus or a device address already in use
     */
    public static Result run(VfioPciModel model, List<PciBuses.RootWindow> rootWindows, String busName, String device, List<NewBar> bars) {
        ResourceTree tree = model.tree();
        var functions = model.host().functions().values();
        String bus = PciBuses.normalize(busName);
        String dev = device != null ? checkedDevice(model, bus, device) : freeSlot(model, bus);
        ArchRules arch = ArchRules.forArch(model.host().platform().arch(), tree);

        // without the reservations: a copy with every dummy released
        ResourceTree bare = tree.copy();
        for (Resource r : bare.all()) {
            if (SubPageMmapRule.DUMMY_NAME.equals(r.name()) && r.parent() != null) bare.release(r);
        }
        PciBuses bareBuses = PciBuses.discover(bare, functions, rootWindows);
        PciBus bareBus = bareBuses.bus(bus).orElseThrow(() -> noBus(bus, bareBuses));
        List<Assignment> without = new LinearAlloc(arch).place(bare, dev, bars, bareBus);

        var reservations = new ArrayList<Reservation>();
        tree.forEach(r -> {
            if (SubPageMmapRule.DUMMY_NAME.equals(r.name())) {
                Resource below = r.parent().childAt(r.start() - 1);
                reservations.add(new Reservation(r.start(), r.end(), r.parent().name(), below == null ? "?" : below.name()));
            }
        });
        PciBuses buses = PciBuses.discover(tree, functions, rootWindows);
        PciBus theBus = buses.bus(bus).orElseThrow(() -> noBus(bus, buses));
        List<Assignment> with = new LinearAlloc(arch).place(tree, dev, bars, theBus);

        var outcomes = new ArrayList<BarOutcome>();
        for (NewBar b : bars) outcomes.add(new BarOutcome(b, byIndex(with, b.index()), byIndex(without, b.index())));
        return new Result(dev, theBus, outcomes, reservations, arch, buses.notes(), model.iomem());
    }

    /** assignAll over the new device's BARs (the only unassigned resources on the bus). */
    private record LinearAlloc(ArchRules arch) {
        List<Assignment> place(ResourceTree tree, String dev, List<NewBar> bars, PciBus bus) {
            var reqs = new ArrayList<BarRequest>();
            for (NewBar b : bars) reqs.add(new BarRequest(dev, b.index(), b.size(), b.flags(), bus));
            return new LinuxBarAllocator(arch).assignAll(tree, reqs);
        }
    }

    private static Assignment byIndex(List<Assignment> as, int index) {
        return as.stream().filter(a -> a.bar().index() == index).findFirst().orElseThrow();
    }

    private static IllegalArgumentException noBus(String bus, PciBuses buses) {
        var names = buses.all().stream().map(PciBus::name).toList();
        return new IllegalArgumentException("bus " + bus + " has no memory window in the host's /proc/iomem (buses with one: " + names + ")");
    }

    private static String checkedDevice(VfioPciModel model, String bus, String device) {
        Bdf b = Bdf.parse(device);
        if (!String.format("%04x:%02x", b.domain(), b.bus()).equals(bus)) {
            throw new IllegalArgumentException("device " + b + " is not on bus " + bus);
        }
        if (model.host().functions().containsKey(b)) throw new IllegalArgumentException("device " + b + " already exists on the host");
        return b.toString();
    }

    private static String freeSlot(VfioPciModel model, String bus) {
        var used = new HashSet<Integer>();
        for (PciFunction f : model.host().functions().values()) {
            if (String.format("%04x:%02x", f.bdf().domain(), f.bdf().bus()).equals(bus)) used.add(f.bdf().device());
        }
        for (int d = 0; d < 32; d++) {
            if (!used.contains(d)) return bus + String.format(":%02x.0", d);
        }
        throw new IllegalArgumentException("bus " + bus + " has no free slot");
    }

    /** The window a BAR went to, for reports. */
    public static Optional<BusWindow> window(Assignment a) {
        return a instanceof Assignment.Assigned as ? Optional.of(as.window()) : Optional.empty();
    }
}
