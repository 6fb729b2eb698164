package dev.barmap.model.vmm.qemu;

import dev.barmap.model.vmm.BootFailure;
import dev.barmap.model.memory.HostBacking;
import dev.barmap.model.memory.MemoryRegion;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.MmapArea;
import dev.barmap.model.passthrough.Msix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A PCI function on a {@link QemuMachine}: its BARs as QEMU memory regions, mapped where the guest programs them. */
public sealed abstract class QemuPciFunction permits QemuPciFunction.Emulated, QemuPciFunction.VfioPci {
    /** hw/pci/pci.h PCI_BAR_UNMAPPED. */
    public static final long UNMAPPED = -1;

    final QemuMachine machine;
    final String name;
    final MemoryRegion[] barMemory = new MemoryRegion[6];
    final long[] barAddr = {UNMAPPED, UNMAPPED, UNMAPPED, UNMAPPED, UNMAPPED, UNMAPPED};
    final boolean[] barIsIo = new boolean[6];

    /** hw/pci/pci_regs.h: PCI_COMMAND and its I/O and memory enables, the first BAR register, the ROM register. */
    static final int PCI_COMMAND = 0x04, PCI_COMMAND_IO = 0x1, PCI_COMMAND_MEMORY = 0x2, PCI_BASE_ADDRESS_0 = 0x10,
            PCI_ROM_ADDRESS = 0x30;
    /** hw/pci/pci_regs.h PCI_BASE_ADDRESS_SPACE_IO, PCI_BASE_ADDRESS_MEM_TYPE_64, PCI_BASE_ADDRESS_MEM_PREFETCH. */
    static final int SPACE_IO = 0x1, MEM_TYPE_64 = 0x4, MEM_PREFETCH = 0x8;
    /** PCIe config space size (pci_config_size of an express device on q35's root bus). */
    static final int CONFIG_SIZE = 0x1000;

    /** QEMU's copy of the type-0 header (d->config) and its write mask (d->wmask), bytes 0x00-0x3f. */
    private final byte[] config = new byte[0x40];
    private final byte[] wmask = new byte[0x40];
    /** r->size and r->type of each registered BAR (pci_register_bar), 0 size = not registered. */
    private final long[] regSize = new long[6];
    private final int[] regType = new int[6];

    QemuPciFunction(QemuMachine machine, String name) {
        this.machine = machine;
        this.name = name;
        // hw/pci/pci.c pci_init_wmask (QEMU 7.2): the command register's writable bits are I/O, memory, bus master,
        // INTx disable, and SERR (command_serr_enable, default on); pci_do_device_reset clears them at reset
        setWord(wmask, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | 0x4 | 0x400 | 0x100);
    }

    /**
     * hw/pci/pci.c pci_register_bar (QEMU 7.2): r->size is the region's size now, the register holds the type bits
     * (pci_do_device_reset puts them back at reset, so the guest starts from there), and the write mask is
     * ~(size - 1), over both registers of a 64-bit memory BAR.
     */
    void registerBar(int bar, long size, int type) {
        // QEMU asserts is_power_of_2(size); PCI BARs always are. A model host may not be (property tests): the mask
        // is then what ~(size - 1) gives, as it would be in QEMU without the assertion.
        if (size <= 0) throw new IllegalArgumentException(name + " BAR " + bar + " size " + size);
        regSize[bar] = size;
        regType[bar] = type;
        long mask = ~(size - 1);
        int reg = PCI_BASE_ADDRESS_0 + bar * 4;
        if ((type & SPACE_IO) == 0 && (type & MEM_TYPE_64) != 0) {
            if (bar == 5) throw new IllegalArgumentException(name + " BAR 5 cannot be 64-bit");
            setQuad(config, reg, type);
            setQuad(wmask, reg, mask);
        } else {
            setLong(config, reg, type);
            setLong(wmask, reg, mask & 0xffffffffL);
        }
    }

    /** The size registered for the BAR (r->size), 0 when the BAR is not registered. */
    public long registeredSize(int bar) { return regSize[bar]; }

    /** The BAR's type bits as registered (I/O, 64-bit, prefetchable). */
    public int registeredType(int bar) { return regType[bar]; }

    /** QEMU's copy of the config space register at {@code offset} (header only, 0x00-0x3f), {@code size} bytes little-endian. */
    public long readConfig(int offset, int size) {
        if (offset < 0 || offset + size > config.length) throw new IllegalArgumentException("offset 0x" + Integer.toHexString(offset));
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (config[offset + i] & 0xff);
        return v;
    }

    /**
     * The guest writes config space (through 0xcf8/0xcfc): hw/pci/pci.c pci_default_write_config (QEMU 7.2) keeps
     * each byte's writable bits ({@code config = (config & ~wmask) | (val & wmask)}), and a write that overlaps the
     * BARs or the ROM register, or covers the command register's low byte, runs pci_update_mappings. vfio-pci
     * (hw/vfio/pci.c vfio_pci_write_config) goes the same way for the BARs and the command register, then resizes
     * sub-page BARs that moved ({@link #afterConfigWrite}). Bytes outside the command register and the BARs are
     * not modelled and left alone (capabilities, MSI-X enable: out of scope); a write to the expansion ROM
     * register is refused (no ROM BAR is modelled).
     */
    public void writeConfig(int offset, int size, long value) {
        if (size != 1 && size != 2 && size != 4) throw new IllegalArgumentException("config write of " + size + " bytes (1, 2 or 4)");
        if (offset < 0 || offset + size > CONFIG_SIZE) throw new IllegalArgumentException("config offset 0x" + Integer.toHexString(offset) + " out of range");
        if (size < 4 && value >>> (8 * size) != 0) throw new IllegalArgumentException("value 0x" + Long.toHexString(value) + " wider than " + size + " bytes");
        if (overlaps(offset, size, PCI_ROM_ADDRESS, 4)) throw new IllegalArgumentException("the expansion ROM register (0x30) is not modelled");
        long v = value;
        for (int i = 0; i < size; i++, v >>>= 8) {
            int a = offset + i;
            if (a >= config.length) continue;
            config[a] = (byte) ((config[a] & ~wmask[a]) | (v & wmask[a]));
        }
        if (overlaps(offset, size, PCI_BASE_ADDRESS_0, 24) || (offset <= PCI_COMMAND && PCI_COMMAND < offset + size)) updateMappings();
    }

    private static boolean overlaps(int a, int alen, int b, int blen) { return a < b + blen && b < a + alen; }

    /**
     * hw/pci/pci.c pci_bar_address (QEMU 7.2): where the BAR decodes now, or {@link #UNMAPPED}. I/O needs
     * PCI_COMMAND_IO, memory PCI_COMMAND_MEMORY; the address is the register (both registers of a 64-bit BAR) with
     * the bits below the size cleared; unmapped when it wraps ({@code last_addr <= new_addr}), when it is 0 (q35
     * leaves pci_allow_0_address false), for I/O when {@code last_addr >= UINT32_MAX}, for a 32-bit memory BAR
     * when {@code last_addr >= UINT32_MAX}, for any memory BAR when last_addr is PCI_BAR_UNMAPPED or
     * {@code >= HWADDR_MAX}.
     */
    public long effectiveAddress(int bar) {
        long size = regSize[bar];
        if (size == 0) return UNMAPPED;
        int type = regType[bar];
        int cmd = (int) readConfig(PCI_COMMAND, 2);
        int reg = PCI_BASE_ADDRESS_0 + bar * 4;
        if ((type & SPACE_IO) != 0) {
            if ((cmd & PCI_COMMAND_IO) == 0) return UNMAPPED;
            long addr = readConfig(reg, 4) & ~(size - 1);
            long last = addr + size - 1;
            if (Long.compareUnsigned(last, addr) <= 0 || Long.compareUnsigned(last, 0xffffffffL) >= 0 || addr == 0) return UNMAPPED;
            return addr;
        }
        if ((cmd & PCI_COMMAND_MEMORY) == 0) return UNMAPPED;
        long addr = ((type & MEM_TYPE_64) != 0 ? readConfig(reg, 4) | readConfig(reg + 4, 4) << 32 : readConfig(reg, 4)) & ~(size - 1);
        long last = addr + size - 1;
        // last_addr == PCI_BAR_UNMAPPED and last_addr >= HWADDR_MAX are the same test: both are UINT64_MAX
        if (Long.compareUnsigned(last, addr) <= 0 || last == UNMAPPED || addr == 0) return UNMAPPED;
        if ((type & MEM_TYPE_64) == 0 && Long.compareUnsigned(last, 0xffffffffL) >= 0) return UNMAPPED;
        return addr;
    }

    /**
     * hw/pci/pci.c pci_update_mappings (QEMU 7.2): every registered BAR whose address changed is deleted from its
     * address space and, when mapped, added back at priority 1; then (vfio_pci_write_config) each vfio BAR that
     * moved gets its sub-page update, in BAR order.
     */
    private void updateMappings() {
        long[] old = barAddr.clone();
        for (int i = 0; i < 6; i++) {
            if (regSize[i] == 0) continue;
            long addr = effectiveAddress(i);
            if (addr == barAddr[i]) continue;
            if (!barIsIo[i]) machine.mapBar(barMemory[i], barAddr[i], addr);
            barAddr[i] = addr;
        }
        for (int i = 0; i < 6; i++) afterConfigWrite(i, old[i]);
    }

    private static void setWord(byte[] b, int off, long v) { for (int i = 0; i < 2; i++) b[off + i] = (byte) (v >>> (8 * i)); }
    private static void setLong(byte[] b, int off, long v) { for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i)); }
    private static void setQuad(byte[] b, int off, long v) { for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i)); }

    public String name() { return name; }

    /** The size the guest discovers by BAR sizing (the registered region's size at pci_register_bar time). */
    public abstract long barSize(int bar);

    /** The MemoryRegion the PCI core maps for this BAR (r->memory), or null when the BAR is not implemented. */
    public MemoryRegion barMemory(int bar) { return barMemory[bar]; }

    public long barAddress(int bar) { return barAddr[bar]; }

    public boolean isIoBar(int bar) { return barIsIo[bar]; }

    /**
     * The guest writes the BAR (and enables decode): hw/pci/pci.c pci_default_write_config → pci_update_mappings.
     * I/O BARs map into the I/O address space, which this model does not render. {@code UNMAPPED} unmaps.
     */
    public void programBar(int bar, long addr) {
        if (barMemory[bar] == null) throw new IllegalArgumentException(name + " has no BAR " + bar);
        long old = barAddr[bar];
        if (!barIsIo[bar]) machine.mapBar(barMemory[bar], old, addr);
        barAddr[bar] = addr;
        afterConfigWrite(bar, old);
    }

    void afterConfigWrite(int bar, long oldAddr) {}

    /**
     * One BAR of an emulated device as its realize function registers it: size and the type argument of
     * pci_register_bar (I/O, 64-bit, prefetchable).
     */
    public record BarSpec(int index, long size, boolean io, boolean mem64, boolean prefetchable) {
        public BarSpec {
            if (index < 0 || index > 5 || size <= 0 || Long.bitCount(size) != 1) throw new IllegalArgumentException("BAR " + index + " size " + size);
            if (io && (mem64 || prefetchable)) throw new IllegalArgumentException("an I/O BAR is neither 64-bit nor prefetchable");
        }

        /** A 32-bit non-prefetchable memory BAR (type 0, PCI_BASE_ADDRESS_SPACE_MEMORY). */
        public static BarSpec mem32(int index, long size) { return new BarSpec(index, size, false, false, false); }

        int type() { return (io ? SPACE_IO : 0) | (mem64 ? MEM_TYPE_64 : 0) | (prefetchable ? MEM_PREFETCH : 0); }
    }

    /** An emulated device: each BAR one I/O region named after the device (as i6300esb, ahci in {@code info mtree}). */
    public static final class Emulated extends QemuPciFunction {
        Emulated(QemuMachine machine, String name, long[] barSizes) {
            super(machine, name);
            if (barSizes.length > 6) throw new IllegalArgumentException("at most 6 BARs");
            for (int i = 0; i < barSizes.length; i++) {
                if (barSizes[i] > 0) {
                    barMemory[i] = MemoryRegion.io(name, barSizes[i]);
                    registerBar(i, barSizes[i], 0);
                }
            }
        }

        Emulated(QemuMachine machine, String name, List<BarSpec> bars) {
            super(machine, name);
            for (BarSpec b : bars) {
                if (barMemory[b.index()] != null) throw new IllegalArgumentException(name + ": BAR " + b.index() + " twice");
                barMemory[b.index()] = MemoryRegion.io(name, b.size());
                barIsIo[b.index()] = b.io();
                registerBar(b.index(), b.size(), b.type());
            }
        }

        @Override
        public long barSize(int bar) { return barMemory[bar] == null ? 0 : barMemory[bar].size(); }
    }

    /**
     * A vfio-pci device (hw/vfio/pci.c, QEMU 2.12+ structure; behaviour checked against QEMU 7.2.22, 10.0.13 and
     * 11.1.3, see {@link QemuVersion}):
     * realize → vfio_populate_device (region info), vfio_msix_early_setup (fixup, relocation),
     * vfio_bars_register (base BAR "%s base BAR %d" ← region "%s BAR %d" ← "%s BAR %d mmaps[%d]"),
     * vfio_msix_setup (msix-table/msix-pba on the base BAR). Guest BAR writes run
     * vfio_sub_page_bar_update_mapping (QEMU 2.8, 95251725e335) for sub-host-page regions.
     */
    public static final class VfioPci extends QemuPciFunction {
        private final HostDevice host;
        private final QemuOptions options;
        private final long[] regionSize = new long[6];
        private final long[] size = new long[6];          // vdev->bars[nr].size
        private final int[] type = new int[6];            // vdev->bars[nr].type
        private final MemoryRegion[] regionMem = new MemoryRegion[6];
        private final List<List<MemoryRegion>> mmapMem = new ArrayList<>();
        private final List<List<MmapArea>> mmaps = new ArrayList<>();
        private Msix msix;                                  // after relocation
        private MemoryRegion msixTable, msixPba;

        private VfioPci(QemuMachine machine, String name, HostDevice host, QemuOptions options) {
            super(machine, name);
            this.host = host;
            this.options = options;
            for (int i = 0; i < 6; i++) {
                mmapMem.add(new ArrayList<>());
                mmaps.add(new ArrayList<>());
            }
        }

        /**
         * Realize a vfio-pci device. Fails (QEMU exits at startup with this text) on the errors
         * vfio_msix_early_setup / vfio_pci_relocate_msix / msix_init report.
         */
        public static Realized realize(QemuMachine machine, HostDevice host, QemuOptions options) {
            var d = new VfioPci(machine, host.bdf(), host, options);
            Optional<Realized.Failed> err = d.doRealize();
            if (err.isPresent()) return new Realized.Failed(err.get().cause(), "vfio " + host.bdf() + ": " + err.get().error());
            machine.add(d);
            return new Realized.Ok(d);
        }

        /** Outcome of {@link #realize}. */
        public sealed interface Realized {
            record Ok(VfioPci device) implements Realized {}
            record Failed(BootFailure.Cause cause, String error) implements Realized {}
        }

        private Optional<Realized.Failed> doRealize() {
            // vfio_populate_device → vfio_region_setup: region.mem I/O region of the region's size; mmaps from flags/caps
            for (HostBar b : host.bars()) {
                int i = b.index();
                if (b.size() == 0) continue;
                regionSize[i] = b.size();
                size[i] = b.size();
                barIsIo[i] = b.io();
                // hw/vfio/pci.c vfio_bar_prepare: the type bits of the device's own BAR register
                type[i] = b.io() ? SPACE_IO : (b.mem64() ? MEM_TYPE_64 : 0) | (b.prefetchable() ? MEM_PREFETCH : 0);
                if (!options.noMmap()) mmaps.get(i).addAll(b.mmapAreas());
            }
            // vfio_msix_early_setup
            if (host.msix().isPresent()) {
                msix = host.msix().get();
                // vfio_msix_early_setup (7.2 to 11.1): a PBA offset past its BAR is fixed for two known devices
                // (Chelsio T5 VFs 1425:58xx -> 0x1000, QEMU 2.4, 1435777545-32152-1-git-send-email-glaupre@chelsio.com;
                // Baidu Kunlun VF 1d22:3685 -> 0xb400, QEMU 6.1, 20210713093743.942-1-caihuoqing@baidu.com), tolerated
                // when x-msix-relocation moves the PBA anyway, and an error otherwise
                if (msix.pbaOffset() >= regionSize[msix.pbaBar()]) {
                    if (host.vendor() == 0x1425 && (host.device() & 0xff00) == 0x5800) {
                        msix = msix.withPbaOffset(0x1000);
                    } else if (host.is(0x1d22, 0x3685)) {
                        msix = msix.withPbaOffset(0xb400);
                    } else if (options.msixRelocation().isEmpty()) {
                        // QEMU's text (hw/vfio/pci.c vfio_msix_early_setup); with unknown device IDs barmap cannot tell
                        // whether one of the two quirks applies, and says so in its own words after it
                        String unknownIds = host.vendor() < 0 || host.device() < 0
                                ? " (barmap: the device IDs are unknown; QEMU fixes the offset for Chelsio T5 VFs and Baidu Kunlun VFs)" : "";
                        return Optional.of(new Realized.Failed(BootFailure.Cause.MSIX_LAYOUT,
                                "hardware reports invalid configuration, MSIX PBA outside of specified BAR" + unknownIds));
                    }
                }
                fixupMsixRegion();
                Optional<String> relo = relocateMsix();
                if (relo.isPresent()) return Optional.of(new Realized.Failed(BootFailure.Cause.MSIX_RELOCATION, relo.get()));
            }
            // vfio_bars_register
            for (int i = 0; i < 6; i++) {
                if (size[i] == 0) continue;
                var base = MemoryRegion.io(name + " base BAR " + i, size[i]);
                if (regionSize[i] > 0) {
                    regionMem[i] = MemoryRegion.io(name + " BAR " + i, regionSize[i]);
                    base.addSubregion(0, regionMem[i]);
                    // vfio_region_mmap: one ram_device subregion per mmap, named "<region name> mmaps[n]"
                    HostBar hb = host.bar(i).orElseThrow();
                    var areas = mmaps.get(i);
                    for (int n = 0; n < areas.size(); n++) {
                        MmapArea a = areas.get(n);
                        var mr = MemoryRegion.ramDevice(regionMem[i].name() + " mmaps[" + n + "]", a.size(),
                                new HostBacking(hb.hostStart() + a.offset(), new BarRef(name, i)));
                        regionMem[i].addSubregion(a.offset(), mr);
                        mmapMem.get(i).add(mr);
                    }
                    // hw/vfio/pci-quirks.c vfio_probe_rtl8168_bar2_quirk (QEMU 7.2, via vfio_bar_quirk_setup): Realtek
                    // 10ec:8168 BAR2 gets a 4-byte address window at 0x74 and data window at 0x70, both at priority 1
                    // over the mmaps, so the page holding them loses its KVM slot
                    if (i == 2 && host.is(0x10ec, 0x8168)) {
                        regionMem[i].addSubregionOverlap(0x74, MemoryRegion.io("vfio-rtl8168-window-address-quirk", 4), 1);
                        regionMem[i].addSubregionOverlap(0x70, MemoryRegion.io("vfio-rtl8168-window-data-quirk", 4), 1);
                    }
                }
                barMemory[i] = base;
                // vfio_bar_register → pci_register_bar(&vdev->pdev, nr, bar->type, bar->mr): r->size is bars[nr].size
                registerBar(i, size[i], type[i]);
            }
            // vfio_msix_setup → msix_init (hw/pci/msix.c): table/PBA overlap or outside their BAR → error
            if (msix != null) {
                long tsz = msix.tableSize(), psz = msix.pbaSize();
                boolean overlap = msix.tableBar() == msix.pbaBar()
                        && msix.tableOffset() < msix.pbaOffset() + psz && msix.pbaOffset() < msix.tableOffset() + tsz;
                if (overlap || msix.tableOffset() + tsz > size[msix.tableBar()] || msix.pbaOffset() + psz > size[msix.pbaBar()]) {
                    return Optional.of(new Realized.Failed(BootFailure.Cause.MSIX_LAYOUT, "msix_init failed: table & pba overlap, or they don't fit in BARs, or don't align"));
                }
                msixTable = MemoryRegion.io("msix-table", tsz);
                msixPba = MemoryRegion.io("msix-pba", psz);
                barMemory[msix.tableBar()].addSubregion(msix.tableOffset(), msixTable);
                barMemory[msix.pbaBar()].addSubregion(msix.pbaOffset(), msixPba);
                // vfio_msix_setup: the PBA stays disabled unless a masked vector fires
                msixPba.setEnabled(options.pbaEmulated());
                // machine property vfio-no-msix-emulation (spapr)
                if (options.noMsixEmulation()) msixTable.setEnabled(false);
            }
            return Optional.empty();
        }

        /**
         * vfio_pci_fixup_msix_region (QEMU 2.6+; 7.2 returns early when the region has MSIX_MAPPABLE): carve
         * the MSI-X table's host pages out of a single whole-region mmap.
         */
        private void fixupMsixRegion() {
            int tb = msix.tableBar();
            HostBar hb = host.bar(tb).orElse(null);
            if (hb == null || hb.msixMappable()) return;
            var areas = mmaps.get(tb);
            long rsize = regionSize[tb];
            if (areas.size() != 1 || areas.getFirst().offset() != 0 || areas.getFirst().size() != rsize) return;
            long page = machine.hostPageSize();
            long start = msix.tableOffset() & -page;
            long end = (msix.tableOffset() + msix.tableSize() + page - 1) & -page;
            areas.clear();
            if (start == 0) {
                if (end < rsize) areas.add(new MmapArea(end, rsize - end));
            } else if (end >= rsize) {
                areas.add(new MmapArea(0, start));
            } else {
                areas.add(new MmapArea(0, start));
                areas.add(new MmapArea(end, rsize - end));
            }
        }

        /** vfio_pci_relocate_msix (QEMU 2.12, x-msix-relocation). */
        private Optional<String> relocateMsix() {
            if (options.msixRelocation().isEmpty()) return Optional.empty();
            int target = options.msixRelocation().get();
            long page = machine.hostPageSize();
            long msixSz = msix.tableSize() + msix.pbaSize();
            msixSz = (msixSz + page - 1) & -page;           // REAL_HOST_PAGE_ALIGN
            msixSz = Long.highestOneBit(msixSz - 1) << 1;   // pow2ceil
            if (msixSz < 1) msixSz = 1;
            HostBar tbar = host.bar(target).orElse(null);
            if (tbar != null && tbar.io()) return Optional.of("Invalid MSI-X relocation BAR " + target + ", I/O port BAR");
            if (size[target] == 0 && target > 0 && host.bar(target - 1).map(HostBar::mem64).orElse(false)) {
                return Optional.of("Invalid MSI-X relocation BAR " + target + ", consumed by 64-bit BAR " + (target - 1));
            }
            boolean mem64 = tbar != null && tbar.mem64();
            if (size[target] > (1L << 30) && !mem64) {
                return Optional.of("Invalid MSI-X relocation BAR " + target + ", no space to extend 32-bit BAR");
            }
            long tableOffset;
            if (size[target] == 0) {
                // vfio_pci_relocate_msix: a new BAR is 64-bit when the next one is free too, and always prefetchable
                if (target < 5 && size[target + 1] == 0) type[target] = MEM_TYPE_64;
                type[target] |= MEM_PREFETCH;
                size[target] = msixSz;
                tableOffset = 0;
            } else {
                size[target] = Math.max(size[target] * 2, msixSz * 2);
                tableOffset = size[target] / 2;
            }
            msix = msix.relocated(target, tableOffset, tableOffset + msix.tableSize());
            return Optional.empty();
        }

        @Override
        public long barSize(int bar) { return size[bar]; }

        public HostDevice host() { return host; }

        /** The MSI-X capability as the guest sees it (after any relocation). */
        public Optional<Msix> msix() { return Optional.ofNullable(msix); }

        /** The mmaps of a BAR's region after the MSI-X fixup (region offsets). */
        public List<MmapArea> mmaps(int bar) { return List.copyOf(mmaps.get(bar)); }

        /** The mmaps as currently sized (an expanded sub-page mmap covers the host page), region offsets. */
        public List<MmapArea> mappedAreas(int bar) {
            var out = new ArrayList<MmapArea>();
            var areas = mmaps.get(bar);
            for (int n = 0; n < areas.size(); n++) out.add(new MmapArea(areas.get(n).offset(), mmapMem.get(bar).get(n).size()));
            return out;
        }

        /** The vfio region size of a BAR (host size; can be less than {@link #barSize} after relocation). */
        public long regionSize(int bar) { return regionSize[bar]; }

        /** vfio_pci_write_config: after a BAR moved, sub-page regions are resized (vfio_sub_page_bar_update_mapping). */
        @Override
        void afterConfigWrite(int bar, long oldAddr) {
            if (oldAddr != barAddr[bar] && regionSize[bar] > 0 && regionSize[bar] < machine.hostPageSize() && !barIsIo[bar]) {
                subPageBarUpdateMapping(bar);
            }
        }

        /**
         * hw/vfio/pci.c vfio_sub_page_bar_update_mapping (QEMU 2.8): only when the region is exactly one mmap
         * covering it; a host-page-aligned guest address expands region and mmap to the host page (base only
         * grows: "if (vdev->bars[bar].size < size)"), else they go back to the real size; when the size differs
         * from the BAR's, the base BAR is re-added at priority 0 so any BAR sharing the page wins.
         */
        private void subPageBarUpdateMapping(int bar) {
            var areas = mmaps.get(bar);
            if (areas.size() != 1 || areas.getFirst().size() != regionSize[bar]) return;
            long page = machine.hostPageSize();
            long addr = barAddr[bar];
            long sz = regionSize[bar];
            if (addr != UNMAPPED && (addr & (page - 1)) == 0) sz = page;
            MemoryRegion base = barMemory[bar];
            machine.begin(); // memory_region_transaction_begin: the flat view changes once, at the commit
            if (size[bar] < sz) base.setSize(sz);
            regionMem[bar].setSize(sz);
            mmapMem.get(bar).getFirst().setSize(sz);
            if (sz != size[bar] && base.isMapped()) {
                MemoryRegion as = base.container();
                as.delSubregion(base);
                as.addSubregionOverlap(addr, base, 0);
            }
            machine.commit();
        }
    }

    /** Owner tag of a vfio RAM-device region: which device BAR the host bytes belong to. */
    public record BarRef(String bdf, int bar) {}

    @Override
    public String toString() { return getClass().getSimpleName() + "[" + name + ", " + Arrays.toString(barAddr) + "]"; }
}
