package dev.barmap.model.vmm;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Rules every VMM meets on the way: the host's mmap checks and KVM's slot checks. */
final class VmmSupport {
    private VmmSupport() {}

    static final String EINVAL = "Invalid argument (os error 22)";

    static final Source VFIO_MMAP = new Source("linux", "drivers/vfio/pci/vfio_pci_core.c", "vfio_pci_core_mmap", "5.15+ (vfio_pci.c before)");
    static final Source KVM_SLOT = new Source("linux", "virt/kvm/kvm_main.c", "__kvm_set_memory_region", "all");

    /**
     * vfio_pci_core_mmap: the BAR must be mmappable and {@code req_start + req_len <= PAGE_ALIGN(len)}; mmap(2)
     * itself wants a page-aligned file offset. Empty when the mmap succeeds.
     */
    static Optional<String> hostMmap(HostBar bar, long offset, long length, long page) {
        if (!bar.mmappable() || bar.io()) return Optional.of("BAR" + bar.index() + " not mmappable: EINVAL");
        if ((offset & (page - 1)) != 0) return Optional.of("mmap offset 0x" + Long.toHexString(offset) + " not page-aligned: EINVAL");
        long limit = (bar.size() + page - 1) & -page;
        if (offset + length > limit) {
            return Optional.of(String.format("mmap [0x%x, 0x%x) beyond PAGE_ALIGN(0x%x) = 0x%x: EINVAL", offset, offset + length, bar.size(), limit));
        }
        return Optional.empty();
    }

    /** The guest BARs of a passthrough device when the VMM shows the host sizes unchanged. */
    static List<GuestBar> hostSizedBars(Passthrough p, boolean includeIo) {
        var out = new ArrayList<GuestBar>();
        for (HostBar b : p.host().bars()) {
            if (b.size() == 0 || (b.io() && !includeIo)) continue;
            out.add(new GuestBar(new BarKey(p.guestName(), b.index()), pow2(b.size()), b.io(), b.mem64(), b.prefetchable(), p.bus()));
        }
        return out;
    }

    /**
     * The MSI-X table and PBA ranges (offset, size) that lie in BAR {@code bar}, table first: the one place the
     * policies read them from (each then rounds them as its VMM does).
     */
    static List<MsixRange> msixRanges(int bar, Msix m, long pbaSize) {
        var out = new ArrayList<MsixRange>();
        if (m.tableBar() == bar) out.add(new MsixRange(EmulatedRange.Kind.MSIX_TABLE, new MmapArea(m.tableOffset(), m.tableSize())));
        if (m.pbaBar() == bar) out.add(new MsixRange(EmulatedRange.Kind.MSIX_PBA, new MmapArea(m.pbaOffset(), pbaSize)));
        return out;
    }

    /** The MSI-X table or PBA inside a BAR: which one, and its (offset, size). */
    record MsixRange(EmulatedRange.Kind kind, MmapArea range) {}

    /** [align_down(offset), align_up(offset + size)): the host pages a range touches (crosvm, Firecracker, OpenVMM). */
    static MmapArea pageRounded(MmapArea r, long page) {
        long begin = alignDown(r.offset(), page);
        return new MmapArea(begin, alignUp(r.end(), page) - begin);
    }

    static long pow2(long size) {
        return Long.bitCount(size) == 1 ? size : Long.highestOneBit(size) << 1;
    }

    static BarKey key(Passthrough p, int index) { return new BarKey(p.guestName(), index); }

    static Optional<HostBar> bar(HostDevice d, int index) { return d.bar(index); }

    static long alignDown(long v, long page) { return v & -page; }

    static long alignUp(long v, long page) { return (v + page - 1) & -page; }
}
