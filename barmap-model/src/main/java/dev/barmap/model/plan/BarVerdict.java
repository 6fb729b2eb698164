package dev.barmap.model.plan;

import java.util.List;

/**
 * What one VMM gives the guest for one passthrough BAR.
 *
 * @param device       guest device name (host BDF unless renamed)
 * @param bar          BAR index
 * @param hostStart    host physical address of the BAR
 * @param hostSize     vfio region size
 * @param guestSize    the size the guest sees (may be larger after MSI-X relocation; 0 if not exposed)
 * @param guestAddress where the guest placed it, -1 if not placed
 * @param summary      DIRECT (every page direct), PARTIAL, TRAPPED, SHADOWED (some page reaches another device),
 *                     FAILED (the VMM did not start)
 * @param pages        the guest pages spanned by the BAR, grouped in runs (empty when FAILED)
 * @param note         VMM remark for this BAR, or ""
 */
public record BarVerdict(String device, int bar, long hostStart, long hostSize, long guestSize, long guestAddress,
                         Summary summary, List<PageRun> pages, String note) {
    public enum Summary { DIRECT, PARTIAL, TRAPPED, SHADOWED, FAILED }

    public BarVerdict {
        pages = List.copyOf(pages);
    }

    /** The main trap reason of the first trapped run, or null. */
    public TrapReason mainReason() {
        return pages.stream().filter(r -> r.state() == PageRun.State.TRAPPED).findFirst()
                .map(r -> r.reasons().isEmpty() ? null : r.reasons().getFirst()).orElse(null);
    }
}
