package dev.barmap.model.plan;

import java.util.List;

/**
 * Consecutive guest pages of one BAR with the same fate: [{@code guestStart}, {@code guestEnd}).
 *
 * @param state      DIRECT: a KVM slot of this BAR maps the pages to {@code hostStart}; TRAPPED: accesses exit to
 *                   the VMM for {@code reasons} (first is the main one); SHADOWED: a slot of {@code shadowedBy}
 *                   covers the pages, so the guest's accesses reach that device's host page instead
 * @param hostStart  host physical address behind {@code guestStart} (DIRECT and SHADOWED), else -1
 */
public record PageRun(long guestStart, long guestEnd, State state, List<TrapReason> reasons, String detail,
                      long hostStart, String shadowedBy) {
    public enum State { DIRECT, TRAPPED, SHADOWED }

    public PageRun {
        reasons = List.copyOf(reasons);
    }

    public long pages(long pageSize) { return (guestEnd - guestStart) / pageSize; }
}
