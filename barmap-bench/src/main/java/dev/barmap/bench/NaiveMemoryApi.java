package dev.barmap.bench;

import dev.barmap.model.memory.FlatRange;
import java.util.NoSuchElementException;

/**
 * LINEAR-SCAN REFERENCE for {@link FlatViewBench} (benchmark only, not part of the model): QEMU's data
 * structures used the naive way.
 * <ul>
 *   <li>{@link Region}: mr->subregions as QEMU keeps it, an intrusive doubly linked list (QTAILQ) in render order.
 *       Adding walks from the head to the first sibling of lower or equal priority (system/memory.c
 *       memory_region_update_container_subregions, QEMU 7.2–9.x); deleting unlinks in O(1) (QTAILQ_REMOVE in
 *       memory_region_del_subregion).</li>
 *   <li>{@link #lookup}: the flat view's sorted range array walked from index 0 until the range containing the
 *       address, as render_memory_region's {@code for (i = 0; i < view->nr; ++i)} walk finds its insertion point.
 *       (QEMU's guest accesses do not do this: they go through the AddressSpaceDispatch page table built from the
 *       flat view, system/physmem.c phys_page_find.)</li>
 * </ul>
 */
final class NaiveMemoryApi {
    private NaiveMemoryApi() {}

    static final class Region {
        int priority;
        Region container, prev, next;
        /** list head/tail of the subregions */
        Region head, tail;

        /** memory_region_add_subregion_overlap → memory_region_update_container_subregions. */
        void addSubregionOverlap(Region sub, int priority) {
            sub.container = this;
            sub.priority = priority;
            for (Region other = head; other != null; other = other.next) {
                if (priority >= other.priority) { // QTAILQ_INSERT_BEFORE(other, subregion)
                    sub.prev = other.prev;
                    sub.next = other;
                    if (other.prev == null) head = sub; else other.prev.next = sub;
                    other.prev = sub;
                    return;
                }
            }
            sub.prev = tail; // QTAILQ_INSERT_TAIL
            sub.next = null;
            if (tail == null) head = sub; else tail.next = sub;
            tail = sub;
        }

        /** memory_region_del_subregion: QTAILQ_REMOVE. */
        void delSubregion(Region sub) {
            if (sub.container != this) throw new IllegalStateException();
            if (sub.prev == null) head = sub.next; else sub.prev.next = sub.next;
            if (sub.next == null) tail = sub.prev; else sub.next.prev = sub.prev;
            sub.container = sub.prev = sub.next = null;
        }
    }

    /** The range containing {@code address}, by a walk from the first range. */
    static FlatRange lookup(FlatRange[] ranges, long address) {
        for (FlatRange r : ranges) {
            if (r.contains(address)) return r;
            if (r.start() > address) break;
        }
        throw new NoSuchElementException(Long.toHexString(address));
    }
}
