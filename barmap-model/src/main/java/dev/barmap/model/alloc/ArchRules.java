package dev.barmap.model.alloc;

import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import dev.barmap.model.resource.ResourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture hooks Linux's BAR allocator calls, as data (Linux 6.1):
 * <ul>
 *   <li>{@code PCIBIOS_MIN_MEM}: the lowest address for a BAR when the window starts at 0
 *       (pci_bus_alloc_from_region, drivers/pci/bus.c: a window's non-zero start overrides it);</li>
 *   <li>{@code pcibios_align_resource()} (arch/x86/pci/i386.c): on x86 a memory BAR never starts below
 *       {@code BIOS_END} (1 MiB, "The low 1MB range is reserved for ISA cards"); the generic __weak
 *       version (drivers/pci/setup-res.c) returns the start unchanged;</li>
 *   <li>{@code arch_remove_reservations()} (arch/x86/kernel/resource.c): on x86 each free gap of a
 *       memory window is trimmed of the BIOS ROM area (BIOS_ROM_BASE..BIOS_ROM_END) and, when
 *       {@code pci_use_e820} ("PCI: Using E820 reservations for host bridge windows"), of every E820
 *       entry, keeping the larger side of a cut (resource_clip there); the generic version does nothing.</li>
 * </ul>
 *
 * @param minMem       PCIBIOS_MIN_MEM (x86: pci_mem_start, the e820 PCI gap; only matters for windows starting at 0)
 * @param isaFloor     x86 pcibios_align_resource: memory starts at or above BIOS_END, I/O ports skip ISA aliases
 * @param biosRomClip  x86 arch_remove_reservations: trim BIOS_ROM_BASE..BIOS_ROM_END
 * @param e820         E820 entries trimmed from gaps (empty when pci_use_e820 is off or on other arches)
 */
public record ArchRules(String name, long minMem, boolean isaFloor, boolean biosRomClip, List<Range> e820) {
    /** arch/x86/include/asm/e820/types.h. */
    public static final long BIOS_END = 0x00100000L;
    public static final long BIOS_ROM_BASE = 0xffe00000L;
    public static final long BIOS_ROM_END = 0xffffffffL;

    /** An inclusive address range. */
    public record Range(long start, long end) {
        @Override
        public String toString() { return String.format("%x-%x", start, end); }
    }

    public ArchRules {
        e820 = List.copyOf(e820);
    }

    /** x86 with the given E820 entries (pass an empty list for {@code pci=no_e820}). */
    public static ArchRules x86(List<Range> e820) {
        return new ArchRules("x86", 0, true, true, e820);
    }

    /** The generic __weak hooks: no alignment tweak, no reservations, PCIBIOS_MIN_MEM as given. */
    public static ArchRules generic(long minMem) {
        return new ArchRules("generic", minMem, false, false, List.of());
    }

    /** The rules for {@code arch} ("x86_64" gets {@link #x86} with the E820 entries found in {@code tree}). */
    public static ArchRules forArch(String arch, ResourceTree tree) {
        return dev.barmap.model.kernel.Architecture.of(arch).isX86() ? x86(e820From(tree)) : generic(0);
    }

    /**
     * Names e820__reserve_resources() gives E820 entries in /proc/iomem (e820_type_to_string(),
     * arch/x86/kernel/e820.c, 6.1).
     */
    public static final Set<String> E820_NAMES = Set.of("System RAM", "Reserved", "ACPI Tables", "ACPI Non-volatile Storage",
            "Unusable memory", "Persistent Memory (legacy)", "Persistent Memory", "Soft Reserved");

    /**
     * The E820 table as far as /proc/iomem shows it: every resource named like an E820 entry whose
     * ancestors are not (an entry may end up below a later-inserted resource, e.g. "Reserved" under
     * "PCI MMCONFIG"). An approximation: the kernel uses its e820_table, which /proc/iomem mirrors.
     */
    public static List<Range> e820From(ResourceTree tree) {
        var out = new ArrayList<Range>();
        tree.forEach(r -> {
            if (E820_NAMES.contains(r.name()) && !underE820(r)) out.add(new Range(r.start(), r.end()));
        });
        return out;
    }

    private static boolean underE820(Resource r) {
        for (Resource p = r.parent(); p != null && p.parent() != null; p = p.parent()) {
            if (E820_NAMES.contains(p.name())) return true;
        }
        return false;
    }

    /** pcibios_align_resource() for a candidate start in a gap. */
    long alignResource(long start, long flags) {
        // arch/x86/pci/i386.c pcibios_align_resource (6.1): "The low 1MB range is reserved for ISA cards"
        if (isaFloor && IoResource.isMem(flags) && Long.compareUnsigned(start, BIOS_END) < 0) return BIOS_END;
        // same function, I/O ports: "Put everything into 0x00-0xff region modulo 0x400" -- an I/O BAR never
        // starts where an ISA alias (bits 8-9) would be decoded: if (start & 0x300) start = (start + 0x3ff) & ~0x3ff.
        // skip_isa_ioresource_align() only applies with PCI_CAN_SKIP_ISA_ALIGN (DMI quirks), not modelled.
        if (isaFloor && IoResource.isIo(flags) && (start & 0x300) != 0) return (start + 0x3ff) & ~0x3ffL;
        return start;
    }

    /**
     * arch_remove_reservations() on a gap {@code [s, e]}: returns the trimmed gap (possibly empty,
     * start &gt; end).
     */
    long[] removeReservations(long s, long e, long flags) {
        long[] g = {s, e};
        if (!IoResource.isMem(flags)) return g;
        if (biosRomClip) clipKeepLarger(g, BIOS_ROM_BASE, BIOS_ROM_END);
        for (Range r : e820) clipKeepLarger(g, r.start(), r.end());
        return g;
    }

    /** resource_clip(), arch/x86/kernel/resource.c (6.1): cut [start, end] out of g, keeping the larger side. */
    private static void clipKeepLarger(long[] g, long start, long end) {
        if (Long.compareUnsigned(g[1], start) < 0 || Long.compareUnsigned(g[0], end) > 0) return; // no conflict
        long low = 0, high = 0;
        if (Long.compareUnsigned(g[0], start) < 0) low = start - g[0];
        if (Long.compareUnsigned(g[1], end) > 0) high = g[1] - end;
        // "Keep the area above or below the conflict, whichever is larger"
        if (Long.compareUnsigned(low, high) > 0) g[1] = start - 1;
        else g[0] = end + 1;
    }
}
