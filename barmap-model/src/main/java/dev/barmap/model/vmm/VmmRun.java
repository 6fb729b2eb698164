package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.MmapArea;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one VMM did with a topology under one guest placement.
 *
 * @param vmm         the policy's id
 * @param failure     set when the VMM does not start; the other fields then describe what it had done so far
 * @param guestBars   every guest BAR (passthrough and emulated) as the guest sized it
 * @param hostBars    passthrough BARs → their host BAR
 * @param layout      where the guest placed the BARs (null if the VMM failed before placement)
 * @param direct      the KVM slots backed by vfio BAR mmaps
 * @param emulated    MSI-X ranges the VMM emulates inside passthrough BARs
 * @param mmaps       per passthrough BAR, the region areas the VMM mmapped (after its own MSI-X carving/expansion)
 * @param notes       per BAR, VMM-specific remarks (e.g. "sub-page region not direct-mapped by policy")
 * @param warnings    messages the VMM logs without failing
 */
public record VmmRun(String vmm, Optional<BootFailure> failure, Map<BarKey, GuestBar> guestBars,
                     Map<BarKey, HostBar> hostBars, GuestLayout layout, List<DirectMapping> direct,
                     List<EmulatedRange> emulated, Map<BarKey, List<MmapArea>> mmaps, Map<BarKey, String> notes,
                     List<String> warnings) {
    public VmmRun {
        guestBars = Map.copyOf(guestBars);
        hostBars = Map.copyOf(hostBars);
        direct = List.copyOf(direct);
        emulated = List.copyOf(emulated);
        mmaps = Map.copyOf(mmaps);
        notes = Map.copyOf(notes);
        warnings = List.copyOf(warnings);
    }
}
