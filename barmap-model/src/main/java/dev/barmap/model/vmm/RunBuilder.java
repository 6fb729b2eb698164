package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accumulates a {@link VmmRun} for the VMMs that call KVM_SET_USER_MEMORY_REGION directly. */
final class RunBuilder {
    final String vmm;
    final long page;
    final Map<BarKey, GuestBar> guestBars = new LinkedHashMap<>();
    final Map<BarKey, HostBar> hostBars = new HashMap<>();
    GuestLayout layout;
    final List<DirectMapping> direct = new ArrayList<>();
    /** {@link #direct} by guest start → position in it (the slots are disjoint). */
    private final java.util.TreeMap<Long, Integer> slotsByStart = new java.util.TreeMap<>();
    final List<EmulatedRange> emulated = new ArrayList<>();
    final Map<BarKey, List<MmapArea>> mmaps = new HashMap<>();
    final Map<BarKey, String> notes = new HashMap<>();
    final List<String> warnings = new ArrayList<>();

    RunBuilder(String vmm, long page) {
        this.vmm = vmm;
        this.page = page;
    }

    /**
     * The common start of the VMMs that size guest BARs like the host's: every passed-through BAR at its
     * host size rounded to a power of two (I/O BARs only when {@code includeIo}), the emulated devices'
     * BARs, then the firmware's placement of all of them.
     */
    void placeHostSized(Topology topology, GuestFirmware firmware, boolean includeIo) {
        for (Passthrough p : topology.devices()) {
            for (var g : VmmSupport.hostSizedBars(p, includeIo)) {
                guestBars.put(g.key(), g);
                hostBars.put(g.key(), p.host().bar(g.key().index()).orElseThrow());
            }
        }
        topology.emulated().forEach(b -> guestBars.put(b.key(), b));
        layout = firmware.place(List.copyOf(guestBars.values()), topology.platform());
    }

    /**
     * As {@link #placeHostSized} for the VMMs that assign the guest BAR addresses themselves: the VMM's allocator
     * places them and the guest keeps them.
     */
    void placeHostSized(Topology topology, VmmAllocator allocator, boolean includeIo) {
        var pass = new ArrayList<GuestBar>();
        for (Passthrough p : topology.devices()) {
            for (var g : VmmSupport.hostSizedBars(p, includeIo)) {
                guestBars.put(g.key(), g);
                hostBars.put(g.key(), p.host().bar(g.key().index()).orElseThrow());
                pass.add(g);
            }
        }
        topology.emulated().forEach(b -> guestBars.put(b.key(), b));
        layout = allocator.place(topology.emulated(), pass);
    }

    /** The MSI-X table and PBA that live in BAR {@code barIndex} (at guest address {@code gpa}) are emulated. */
    void emulateMsix(BarKey k, int barIndex, long gpa, Msix m, long pbaSize) {
        for (var r : VmmSupport.msixRanges(barIndex, m, pbaSize)) emulated.add(new EmulatedRange(k, gpa + r.range().offset(), r.range().size(), r.kind()));
    }

    void addMmap(BarKey k, MmapArea a) { mmaps.computeIfAbsent(k, x -> new ArrayList<>()).add(a); }

    /** KVM_SET_USER_MEMORY_REGION as kvm_main.c checks it; empty on success. */
    Optional<String> kvmSlot(BarKey owner, long guestAddr, long size, long hostAddr) {
        if ((guestAddr & (page - 1)) != 0 || (size & (page - 1)) != 0 || size == 0) {
            return Optional.of(String.format("KVM_SET_USER_MEMORY_REGION guest_phys_addr=0x%x memory_size=0x%x: %s",
                    guestAddr, size, VmmSupport.EINVAL));
        }
        // the first slot (in the order added) that overlaps; the slots added are disjoint, so sorted by start the
        // overlapping ones are the one starting below guestAddr and those starting inside the new range
        // (a TreeMap instead of a scan of every slot, which was quadratic: issue 14)
        int first = -1;
        Long below = slotsByStart.lowerKey(guestAddr);
        for (int i : slotsByStart.tailMap(below == null ? guestAddr : below, true).values()) {
            DirectMapping d = direct.get(i);
            if (!(d.guestStart() < guestAddr + size)) break;
            if (guestAddr < d.guestEnd() && (first < 0 || i < first)) first = i;
        }
        if (first >= 0) {
            return Optional.of(String.format("KVM_SET_USER_MEMORY_REGION guest_phys_addr=0x%x memory_size=0x%x overlaps the slot of %s: File exists (os error 17)",
                    guestAddr, size, direct.get(first).owner()));
        }
        slotsByStart.put(guestAddr, direct.size());
        direct.add(new DirectMapping(owner, guestAddr, size, hostAddr));
        return Optional.empty();
    }

    VmmRun ok() {
        return new VmmRun(vmm, Optional.empty(), guestBars, hostBars, layout, direct, emulated, mmaps, notes, warnings);
    }

    /** The VMM stops with barmap's description of the failure. */
    VmmRun fail(String message, BootFailure.Cause cause, Source source) {
        return new VmmRun(vmm, Optional.of(new BootFailure(cause, message, false, source)), guestBars, hostBars, layout, direct, emulated, mmaps, notes, warnings);
    }

    /** The VMM stops with an error text copied from its source (the caller cites file and line). */
    VmmRun failVerbatim(String message, BootFailure.Cause cause, Source source) {
        return new VmmRun(vmm, Optional.of(new BootFailure(cause, message, true, source)), guestBars, hostBars, layout, direct, emulated, mmaps, notes, warnings);
    }
}
