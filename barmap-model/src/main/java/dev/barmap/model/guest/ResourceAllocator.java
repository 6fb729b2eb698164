package dev.barmap.model.guest;

import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;

/**
 * The seam for Linux's resource allocator (kernel/resource.c find_resource / allocate_resource as used by
 * drivers/pci/setup-res.c pci_assign_resource). {@link LinuxAssign} places BARs through this interface so the
 * shared allocator written for host hot-add ({@code dev.barmap.model.alloc}, branch {@code hotplug}) can be swapped
 * in for {@link FirstFit}.
 */
@FunctionalInterface
public interface ResourceAllocator {
    /**
     * The lowest address {@code a} in {@code window} with {@code a % align == 0} such that [a, a + size) lies in
     * the window and overlaps none of {@code taken} (start → exclusive end), or empty.
     */
    OptionalLong allocate(Window window, long size, long align, NavigableMap<Long, Long> taken);

    /** First fit, bottom-up, as find_resource walks the parent's children in address order. */
    ResourceAllocator FIRST_FIT = new FirstFit();

    /** Default implementation: walk the gaps between taken ranges in address order. */
    final class FirstFit implements ResourceAllocator {
        @Override
        public OptionalLong allocate(Window window, long size, long align, NavigableMap<Long, Long> taken) {
            long cursor = window.start();
            Map.Entry<Long, Long> before = taken.lowerEntry(cursor);
            if (before != null && before.getValue() > cursor) cursor = before.getValue();
            for (var e : taken.tailMap(cursor, true).entrySet()) {
                long a = alignUp(cursor, align);
                if (a >= 0 && a + size <= e.getKey() && a + size <= window.end()) return OptionalLong.of(a);
                cursor = Math.max(cursor, e.getValue());
                if (cursor >= window.end()) return OptionalLong.empty();
            }
            long a = alignUp(cursor, align);
            return a >= 0 && a + size <= window.end() ? OptionalLong.of(a) : OptionalLong.empty();
        }
    }

    static long alignUp(long v, long align) { return (v + align - 1) & -align; }
}
