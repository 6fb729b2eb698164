package dev.barmap.model.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How QEMU turns a flat view into KVM memory slots (accel/kvm/kvm-all.c kvm_region_add → kvm_set_phys_mem,
 * QEMU 2.12+ kvm_align_section), and the constraints KVM itself enforces (virt/kvm/kvm_main.c
 * __kvm_set_memory_region / check_memory_region_flags).
 */
public final class KvmSlots {
    private KvmSlots() {}

    /**
     * kvm_align_section: the start is rounded up and the size down to the host page; nothing left → no slot,
     * so the whole section is served by QEMU (trapped). Only RAM regions (memory_region_is_ram, which includes
     * ram_device) get slots; I/O regions never do.
     */
    public static Optional<KvmSlot> alignSection(FlatRange section, long hostPageSize) {
        requirePowerOfTwo(hostPageSize);
        if (!section.kind().isRam()) return Optional.empty();
        long delta = alignedDelta(section.start(), section.size(), hostPageSize);
        if (delta < 0) return Optional.empty();
        return Optional.of(new KvmSlot(section.start() + delta, (section.size() - delta) & -hostPageSize, section.region(),
                section.offsetInRegion() + delta));
    }

    /**
     * kvm_align_section's arithmetic for a RAM section [start, start + size): how far its slot starts after
     * {@code start} (the slot is {@code (size - delta) & -page} long), or -1 when no whole page is left.
     */
    public static long alignedDelta(long start, long size, long hostPageSize) {
        requirePowerOfTwo(hostPageSize);
        long aligned = roundUp(start, hostPageSize);
        long delta = aligned - start;
        if (Long.compareUnsigned(delta, size) >= 0) return -1;
        return ((size - delta) & -hostPageSize) == 0 ? -1 : delta;
    }

    /** All slots of a flat view (every RAM section through {@link #alignSection}). */
    public static List<KvmSlot> of(FlatView view, long hostPageSize) {
        var slots = new ArrayList<KvmSlot>();
        for (FlatRange fr : view.ranges()) alignSection(fr, hostPageSize).ifPresent(slots::add);
        return slots;
    }

    /**
     * virt/kvm/kvm_main.c __kvm_set_memory_region: {@code memory_size}, {@code guest_phys_addr} and (for
     * userspace memory) {@code userspace_addr} must be multiples of PAGE_SIZE, else -EINVAL. {@code userOffset}
     * is the offset of the mapping inside the VMM's mmap (the mmap itself is page-aligned).
     */
    public static Optional<String> check(long guestPhysAddr, long memorySize, long userOffset, long hostPageSize) {
        requirePowerOfTwo(hostPageSize);
        long mask = hostPageSize - 1;
        if ((memorySize & mask) != 0) return Optional.of("memory_size 0x" + Long.toHexString(memorySize) + " not page-aligned");
        if ((guestPhysAddr & mask) != 0) return Optional.of("guest_phys_addr 0x" + Long.toHexString(guestPhysAddr) + " not page-aligned");
        if ((userOffset & mask) != 0) return Optional.of("userspace_addr offset 0x" + Long.toHexString(userOffset) + " not page-aligned");
        return Optional.empty();
    }

    public static long roundUp(long v, long page) { return (v + page - 1) & -page; }

    public static long roundDown(long v, long page) { return v & -page; }

    static void requirePowerOfTwo(long p) {
        if (p <= 0 || Long.bitCount(p) != 1) throw new IllegalArgumentException("page size not a power of two: " + p);
    }
}
