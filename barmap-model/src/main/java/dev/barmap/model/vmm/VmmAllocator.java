package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.Window;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The guest BAR addresses a VMM assigns itself before the guest runs (cloud-hypervisor, crosvm and Firecracker
 * program every BAR; their firmware and Linux keep those addresses). Emulated devices are allocated first (the
 * VMMs create their virtio devices before the VFIO ones), then the passthrough BARs in device and BAR order.
 *
 * @param id       the layout's name, e.g. {@code cloud-hypervisor allocate_bars}
 * @param topDown  cloud-hypervisor's vm-allocator AddressAllocator::first_available_range takes the highest gap
 *                 ("ranges accumulate at the end of the address space"); crosvm's AddressAllocator (top_down false)
 *                 and Firecracker's AllocPolicy::FirstMatch take the lowest
 * @param align    per BAR, the alignment the VMM asks for
 * @param mmio32   the window 32-bit (and, when {@code mmio64} is empty or full, 64-bit) memory BARs come from
 */
record VmmAllocator(String id, boolean topDown, java.util.function.ToLongFunction<GuestBar> align, Window mmio32,
                    Optional<Window> mmio64, Window io) {

    /** cloud-hypervisor v52 (1314ac883) x86_64: vmm/src/device_manager.rs creates the 32-bit allocator over
     * arch/src/x86_64/layout.rs MEM_32BIT_DEVICES_START 0xc000_0000, MEM_32BIT_DEVICES_SIZE 640 MiB. */
    static final Window CH_X86_MMIO32 = new Window(0xc000_0000L, 0xc000_0000L + (640L << 20));

    /**
     * cloud-hypervisor pci/src/vfio.rs VfioCommon::allocate_bars (v52.0 1314ac883): I/O BARs aligned to 4, 32-bit
     * BARs "naturally aligned" ({@code Some(region_size)}), 64-bit BARs to max(sysconf(_SC_PAGESIZE), size); from
     * vm-allocator/src/address.rs AddressAllocator::allocate → first_available_range, top down.
     */
    static VmmAllocator cloudHypervisor(GuestPlatform p, long page, boolean x86) {
        return new VmmAllocator("cloud-hypervisor allocate_bars", true,
                b -> b.io() ? 4 : b.mem64() ? Math.max(page, b.size()) : b.size(),
                x86 ? CH_X86_MMIO32 : p.mmio32(), p.mmio64(), p.io());
    }

    /**
     * crosvm devices/src/pci/vfio_pci.rs allocate_root_barmem (f1e797a68) asks AllocOptions::align(bar_size);
     * resources/src/system_allocator.rs creates the MMIO allocators with min_align = pagesize() and
     * resources/src/address_allocator.rs internal_allocate_with_align uses max(min_align, alignment): so
     * max(page, size), lowest first. 64-bit prefetchable BARs go to the high window, the others to the low one
     * (SystemAllocator::allocate_mmio).
     */
    static VmmAllocator crosvm(GuestPlatform p, long page) {
        return new VmmAllocator("crosvm allocate_root_barmem", false, b -> b.io() ? 4 : Math.max(page, b.size()), p.mmio32(), p.mmio64(), p.io());
    }

    /** Firecracker src/vmm/src/vfio.rs vfio_allocate_memory_ranges_for_bars (feature/vfio 8c8fc631a, #6055 2c6128563):
     * max(host_page_size(), size), AllocPolicy::FirstMatch; I/O BARs skipped. */
    static VmmAllocator firecracker(GuestPlatform p, long page) {
        return new VmmAllocator("firecracker vfio_allocate_memory_ranges_for_bars", false, b -> Math.max(page, b.size()), p.mmio32(), p.mmio64(), p.io());
    }

    /** Allocate the emulated devices' BARs, then the passthrough ones; BARs that do not fit are left unassigned with the reason. */
    GuestLayout place(List<GuestBar> emulated, List<GuestBar> passthrough) {
        var spaces = new LinkedHashMap<String, Space>();
        spaces.put("mmio32", new Space(mmio32));
        mmio64.ifPresent(w -> spaces.put("mmio64", new Space(w)));
        spaces.put("io", new Space(io));
        Map<BarKey, Long> addr = new TreeMap<>();
        Map<BarKey, String> unassigned = new TreeMap<>();
        var ordered = new ArrayList<GuestBar>(emulated);
        ordered.addAll(passthrough);
        for (GuestBar b : ordered) {
            long a = align.applyAsLong(b);
            Optional<Long> got;
            if (b.io()) got = spaces.get("io").allocate(b.size(), a, topDown);
            else if (b.mem64() && spaces.containsKey("mmio64")) {
                got = spaces.get("mmio64").allocate(b.size(), a, topDown);
                if (got.isEmpty()) got = spaces.get("mmio32").allocate(b.size(), a, topDown);
            } else got = spaces.get("mmio32").allocate(b.size(), a, topDown);
            if (got.isPresent()) addr.put(b.key(), got.get());
            else unassigned.put(b.key(), id + ": no room for " + b.size() + " bytes aligned to " + a);
        }
        return new GuestLayout(id, addr, unassigned, Map.of());
    }

    /**
     * One address space: the free gaps between allocated ranges, searched from the top or the bottom for the first
     * that holds the aligned size. The free gaps are kept (instead of being recomputed from the allocated ranges on
     * every call), and per request shape (size, alignment) the search resumes where the last one of that shape
     * stopped: a gap that could not hold a shape never can later, as gaps only shrink, and the part of a gap left
     * below (bottom-up) or above (top-down) the range just allocated cannot hold it either; so bottom-up every gap
     * starting below the last gap used, top-down every gap ending above the last range allocated, is skipped. Same answers as a scan
     * of every gap from the end, in O(log n) per request for a bounded number of shapes (issue 14: the scan was
     * quadratic at 10k functions).
     */
    static final class Space {
        final Window w;
        private final TreeMap<Long, Long> free = new TreeMap<>();   // start → end of each free gap
        private final Map<List<Long>, Long> resume = new java.util.HashMap<>();

        Space(Window w) {
            this.w = w;
            if (w.end() > w.start()) free.put(w.start(), w.end());
        }

        Optional<Long> allocate(long size, long align, boolean topDown) {
            if (size <= 0 || Long.bitCount(align) != 1) return Optional.empty();
            var shape = List.of(size, align);
            Long from = resume.get(shape);
            // bottom-up: gaps starting at or above `from`; top-down: gaps ending at or below `from` (the gaps are
            // disjoint and `from` is allocated, so those starting below it)
            var gaps = topDown ? (from == null ? free.descendingMap() : free.headMap(from, false).descendingMap())
                    : (from == null ? free : free.tailMap(from, true));
            for (var g : gaps.entrySet()) {
                long g0 = g.getKey(), g1 = g.getValue();
                long start = topDown ? (g1 - size) & -align : (g0 + align - 1) & -align;
                if (start >= g0 && start + size <= g1) {
                    free.remove(g0);
                    if (start > g0) free.put(g0, start);
                    if (start + size < g1) free.put(start + size, g1);
                    resume.put(shape, topDown ? start : g0);
                    return Optional.of(start);
                }
            }
            resume.put(shape, topDown ? Long.MIN_VALUE : Long.MAX_VALUE);
            return Optional.empty();
        }
    }
}
