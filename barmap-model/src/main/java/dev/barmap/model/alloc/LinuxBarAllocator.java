package dev.barmap.model.alloc;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Linux's PCI BAR allocator (Linux 6.1), on a {@link ResourceTree}: where a BAR with no address gets one,
 * at boot (pbus_assign_resources_sorted) and on hot-add (acpiphp / pciehp → pci_assign_resource).
 * Call chain modelled, each step in its own method:
 * <pre>
 * pci_assign_resource            drivers/pci/setup-res.c   alignment, "no space" / "failed to assign"
 *  _pci_assign_resource          drivers/pci/setup-res.c   retry on the parent bus of a transparent bridge
 *   __pci_assign_resource        drivers/pci/setup-res.c   window order: exact pref/64-bit match first
 *    pci_bus_alloc_resource      drivers/pci/bus.c         64-bit BARs: above 4G first, then anywhere
 *     pci_bus_alloc_from_region  drivers/pci/bus.c         per bus window: type, prefetch, clip, min
 *      allocate_resource         kernel/resource.c         find + __request_resource
 *       __find_resource          kernel/resource.c         lowest aligned fitting gap among the children
 *        arch_remove_reservations / pcibios_align_resource  (see {@link ArchRules})
 * </pre>
 * The gaps are those between a window's <em>direct children</em>: BARs, child bridge windows and, while a
 * vfio-pci device is open, its {@code vfio sub-page reserved} dummies. Bus addresses are taken to equal
 * CPU addresses (pcibios_resource_to_bus() offset 0, as on x86).
 */
public final class LinuxBarAllocator {
    /** drivers/pci/bus.c: pci_32_bit, pci_64_bit, pci_high. */
    static final long[] PCI_32_BIT = {0, 0xffffffffL};
    static final long[] PCI_64_BIT = {0, -1L};
    static final long[] PCI_HIGH = {0x100000000L, -1L};

    private final ArchRules arch;

    public LinuxBarAllocator(ArchRules arch) {
        this.arch = arch;
    }

    public ArchRules arch() { return arch; }

    /** The constraint __find_resource() works with (struct resource_constraint, kernel/resource.c). */
    public record Constraint(long min, long max, long align) {}

    /**
     * __find_resource() / find_resource() (kernel/resource.c, 6.1): the lowest {@code [start, start+size-1]}
     * inside {@code root}, between its children, within [min, max], with start = alignf(ALIGN(gap start,
     * align)) and the gap trimmed by arch_remove_reservations(). Pure: the tree is not changed.
     * Starts at the child below {@code min} (gaps below min are clipped away) and stops once gaps start
     * above {@code max}, which gives the kernel's answer in O(log n + k).
     *
     * @return the start address, or empty (-EBUSY)
     */
    public Optional<Long> findResource(Resource root, long size, long flags, Constraint c) {
        var it = root.childrenFrom(c.min()).iterator();
        Resource self = it.hasNext() ? it.next() : null;
        long tmpStart = root.start();
        // "Skip past an allocated resource that starts at 0, since the assignment of this->start - 1
        // to tmp->end below would cause an underflow."
        if (self != null && self.start() == root.start()) {
            tmpStart = self.end() + 1;
            self = it.hasNext() ? it.next() : null;
        } else if (self != null && Long.compareUnsigned(self.start(), c.min()) <= 0) {
            // childrenFrom started at the child at/below min: the gap before it is clipped away by min
            if (self.end() == root.end()) return Optional.empty();
            tmpStart = self.end() + 1;
            self = it.hasNext() ? it.next() : null;
        }
        for (;;) {
            long tmpEnd = self != null ? self.start() - 1 : root.end();
            if (Long.compareUnsigned(tmpEnd, tmpStart) >= 0) {
                // resource_clip(&tmp, constraint->min, constraint->max)
                long s = Long.compareUnsigned(tmpStart, c.min()) < 0 ? c.min() : tmpStart;
                long e = Long.compareUnsigned(tmpEnd, c.max()) > 0 ? c.max() : tmpEnd;
                if (Long.compareUnsigned(tmpStart, c.max()) > 0) break; // this and every later gap lie above max
                long[] g = arch.removeReservations(s, e, flags);
                s = g[0];
                e = g[1];
                // "Check for overflow after ALIGN()"
                long availStart = align(s, c.align());
                long availEnd = e;
                if (Long.compareUnsigned(availStart, s) >= 0) {
                    long allocStart = arch.alignResource(availStart, flags);
                    long allocEnd = allocStart + size - 1;
                    // alloc.start <= alloc.end && resource_contains(&avail, &alloc)
                    if (Long.compareUnsigned(allocStart, allocEnd) <= 0
                            && Long.compareUnsigned(availStart, allocStart) <= 0 && Long.compareUnsigned(availEnd, allocEnd) >= 0) {
                        return Optional.of(allocStart);
                    }
                }
            }
            // next: if (!this || this->end == root->end) break;
            if (self == null || self.end() == root.end()) break;
            // The kernel walks on to the next child; a gap shorter than size cannot hold the request (min/max,
            // arch_remove_reservations and alignf only shrink it), so jump to the next gap long enough, found in
            // O(log n) (issue 14: walking every child made the guest's Linux assignment quadratic in BARs).
            long[] gap = root.nextGap(self.end() + 1, size);
            if (gap == null) break;
            tmpStart = gap[0];
            self = gap[1] == root.end() ? null : root.childAt(gap[1] + 1);
        }
        return Optional.empty();
    }

    /** ALIGN(x, a) (include/linux/align.h) for a power-of-two {@code a}; wraps like u64. */
    static long align(long x, long a) {
        return (x + (a - 1)) & ~(a - 1);
    }

    /**
     * allocate_resource() (kernel/resource.c): find_resource() in {@code root}, then __request_resource()
     * of a new resource named {@code name}.
     */
    public Optional<Resource> allocateResource(ResourceTree tree, Resource root, long size, long flags, String name, Constraint c) {
        Optional<Long> start = findResource(root, size, flags, c);
        if (start.isEmpty()) return Optional.empty();
        Resource r = new Resource(start.get(), start.get() + size - 1, name, flags & ~IoResource.UNSET);
        if (!tree.request(root, r)) throw new IllegalStateException("find_resource gave a busy range " + r + " in " + root);
        return Optional.of(r);
    }

    /**
     * pci_bus_alloc_from_region() (drivers/pci/bus.c, 6.1), for every resource of the bus in order:
     * skip a type mismatch ({@code (res->flags ^ r->flags) & (type_mask | IORESOURCE_TYPE_BITS)}) and a
     * prefetchable window for a non-prefetchable BAR; clip the window to the bus region; a non-zero
     * window start overrides {@code min} (PCIBIOS_MIN_MEM); try allocate_resource() up to the clipped end.
     */
    Optional<Assignment.Assigned> allocFromRegion(ResourceTree tree, PciBus bus, BarRequest bar, long align, long typeMask,
                                                  long[] region, String regionName, List<String> trace) {
        long mask = typeMask | IoResource.TYPE_BITS;
        for (BusWindow w : bus.forEachResource()) {
            Resource r = w.node();
            String step = "bus " + bus.name() + " " + w + " (" + regionName + ", match " + maskName(typeMask) + "): ";
            if (((bar.flags() ^ w.flags()) & mask) != 0) {
                trace.add(step + "type differs");
                continue;
            }
            // "We cannot allocate a non-prefetching resource from a pre-fetching area"
            if (w.prefetch() && (bar.flags() & IoResource.PREFETCH) == 0) {
                trace.add(step + "prefetchable window, non-prefetchable BAR");
                continue;
            }
            // pci_clip_resource_to_region(): clip to the region; empty -> end = start - 1
            long aStart = r.start(), aEnd = r.end();
            long cs = Long.compareUnsigned(aStart, region[0]) < 0 ? region[0] : aStart;
            long ce = Long.compareUnsigned(aEnd, region[1]) > 0 ? region[1] : aEnd;
            if (Long.compareUnsigned(ce, cs) < 0) aEnd = aStart - 1;
            else {
                aStart = cs;
                aEnd = ce;
            }
            long min = aStart != 0 ? aStart : arch.minMem();
            Optional<Resource> got = allocateResource(tree, r, bar.size(), bar.flags(), bar.owner(), new Constraint(min, aEnd, align));
            if (got.isPresent()) {
                trace.add(step + "assigned " + got.get().range());
                return Optional.of(new Assignment.Assigned(bar, got.get(), w, trace));
            }
            trace.add(step + "no aligned free gap of 0x" + Long.toHexString(bar.size()));
        }
        return Optional.empty();
    }

    /**
     * pci_bus_alloc_resource() (drivers/pci/bus.c, 6.1, CONFIG_PCI_BUS_ADDR_T_64BIT): a 64-bit BAR is
     * tried above 4 GiB first (pci_high), then anywhere (pci_64_bit); a 32-bit BAR below 4 GiB.
     */
    Optional<Assignment.Assigned> busAllocResource(ResourceTree tree, PciBus bus, BarRequest bar, long align, long typeMask, List<String> trace) {
        if ((bar.flags() & IoResource.MEM_64) != 0) {
            var a = allocFromRegion(tree, bus, bar, align, typeMask, PCI_HIGH, "above 4G", trace);
            if (a.isPresent()) return a;
            return allocFromRegion(tree, bus, bar, align, typeMask, PCI_64_BIT, "64-bit", trace);
        }
        return allocFromRegion(tree, bus, bar, align, typeMask, PCI_32_BIT, "below 4G", trace);
    }

    /**
     * __pci_assign_resource() (drivers/pci/setup-res.c, 6.1): "First, try exact prefetching match"
     * (type mask PREFETCH|MEM_64); a 64-bit prefetchable BAR then any prefetchable window (mask PREFETCH:
     * "If the prefetchable window is only 32 bits wide"); a prefetchable or 64-bit BAR finally any
     * memory window (mask 0: "we can put any memory resource in a non-prefetchable window").
     */
    Optional<Assignment.Assigned> assignOnBus(ResourceTree tree, PciBus bus, BarRequest bar, long align, List<String> trace) {
        long pm = IoResource.PREFETCH | IoResource.MEM_64;
        var a = busAllocResource(tree, bus, bar, align, pm, trace);
        if (a.isPresent()) return a;
        if ((bar.flags() & pm) == pm) {
            a = busAllocResource(tree, bus, bar, align, IoResource.PREFETCH, trace);
            if (a.isPresent()) return a;
        }
        if ((bar.flags() & pm) != 0) return busAllocResource(tree, bus, bar, align, 0, trace);
        return Optional.empty();
    }

    /**
     * pci_assign_resource() (drivers/pci/setup-res.c, 6.1) for one BAR: alignment from
     * pci_resource_alignment(), then _pci_assign_resource(), which moves up past transparent bridges
     * ({@code if (!bus->parent || !bus->self->transparent) break}). On success the BAR is a new child of
     * the window it landed in.
     */
    public Assignment assign(ResourceTree tree, BarRequest bar) {
        long align = bar.alignment();
        if (align == 0) return new Assignment.BogusAlignment(bar);
        var trace = new ArrayList<String>();
        for (PciBus bus = bar.bus(); bus != null; bus = bus.parent()) {
            var a = assignOnBus(tree, bus, bar, align, trace);
            if (a.isPresent()) return a.get();
            if (bus.parent() == null || !bus.transparent()) break;
        }
        return new Assignment.NoSpace(bar, trace);
    }

    /**
     * Convenience for one window: assign a BAR of {@code size} bytes with {@code flags} on a bus whose
     * only resource is {@code window} (flags {@code windowFlags}), named {@code owner}.
     */
    public Assignment assign(ResourceTree tree, Resource window, long windowFlags, String owner, long size, long flags) {
        PciBus bus = PciBus.root("window " + window.range(), List.of(new BusWindow(window, windowFlags, window.name())));
        return assign(tree, new BarRequest(owner, 0, size, flags, bus));
    }

    /**
     * Assigns several BARs as pbus_assign_resources_sorted() / __assign_resources_sorted() do
     * (drivers/pci/setup-bus.c, 6.1): pdev_sort_resources() puts every resource in one list by
     * alignment, largest first, a new one going before the first with a smaller alignment (so equal
     * alignments keep their order: device order, then BAR index); then pci_assign_resource() on each in
     * turn. A BAR that fails is left unassigned and the rest go on. Results are in assignment order.
     */
    public List<Assignment> assignAll(ResourceTree tree, List<BarRequest> bars) {
        var sorted = sortByAlignment(bars);
        var out = new ArrayList<Assignment>(sorted.size());
        for (BarRequest b : sorted) out.add(assign(tree, b));
        return out;
    }

    /** pdev_sort_resources() (drivers/pci/setup-bus.c): descending alignment, stable. Zero alignment is dropped ("bogus alignment"). */
    public static List<BarRequest> sortByAlignment(List<BarRequest> bars) {
        var head = new ArrayList<BarRequest>(bars.size());
        for (BarRequest r : bars) {
            long rAlign = r.alignment();
            if (rAlign == 0) continue;
            int n = head.size(); // "Fallback is smallest one or list is empty"
            for (int i = 0; i < head.size(); i++) {
                if (Long.compareUnsigned(rAlign, head.get(i).alignment()) > 0) {
                    n = i;
                    break;
                }
            }
            head.add(n, r); // "Insert it just before n"
        }
        return head;
    }

    private static String maskName(long typeMask) {
        if (typeMask == (IoResource.PREFETCH | IoResource.MEM_64)) return "pref+64bit exactly";
        if (typeMask == IoResource.PREFETCH) return "pref exactly";
        return "any mem";
    }

    /**
     * The kernel's %pR (lib/vsprintf.c resource_string) for a memory resource: {@code [mem
     * 0x40000000-0x400fffff 64bit pref]}, or for an unassigned one {@code [mem size 0x00000100]}.
     */
    public static String pR(long start, long end, long flags, boolean unset) {
        var sb = new StringBuilder("[mem ");
        if (unset) sb.append(String.format("size %#010x", end - start + 1));
        else sb.append(String.format("%#010x-%#010x", start, end));
        if ((flags & IoResource.MEM_64) != 0) sb.append(" 64bit");
        if ((flags & IoResource.PREFETCH) != 0) sb.append(" pref");
        if ((flags & IoResource.WINDOW) != 0) sb.append(" window");
        return sb.append(']').toString();
    }
}
