package dev.barmap.model.vfio;

import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.resource.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pure model of one open vfio-pci device fd: what drivers/vfio/pci/vfio_pci_core.c (Linux 6.1,
 * with era differences from {@link KernelEra}) answers to region info, mmap and read/write.
 */
public final class ModelVfioDevice implements VfioDevice {
    /** VFIO_PCI_OFFSET_SHIFT (include/linux/vfio_pci_core.h). */
    public static final int OFFSET_SHIFT = 40;
    public static final long OFFSET_MASK = (1L << OFFSET_SHIFT) - 1;
    /** VFIO_PCI_NUM_REGIONS: BAR0-5, ROM, CONFIG, VGA. */
    public static final int NUM_REGIONS = 9;
    /** VFIO_PCI_NUM_IRQS: INTX, MSI, MSIX, ERR, REQ. */
    public static final int NUM_IRQS = 5;
    public static final int ROM_INDEX = 6;
    public static final int CONFIG_INDEX = 7;
    public static final int VGA_INDEX = 8;

    private final VfioPciModel host;
    private final PciFunction f;
    private final KernelEra era;
    private final Platform platform;
    private final SubPageMmapRule.Decision[] decisions = new SubPageMmapRule.Decision[6];
    private final List<Resource> dummies = new ArrayList<>();
    private final Resource[] barmap = new Resource[6];
    private final boolean[] barmapDone = new boolean[6];
    private final Optional<MsixCapability> msix;
    private int refs = 1;

    ModelVfioDevice(VfioPciModel host, PciFunction f) {
        this.host = host;
        this.f = f;
        this.era = host.era();
        this.platform = host.host().platform();
        // vfio_pci_core_enable(): msix_bar/msix_offset/msix_size from the MSI-X capability, else 0xFF
        this.msix = f.msix();
        Optional<String> disabled = era.mmapDisabled(f, platform.arch())
                ? Optional.of(era.release().atLeast(6, 15) ? "pdev->non_mappable_bars" : "CONFIG_VFIO_PCI_MMAP is off on " + platform.arch())
                : Optional.empty();
        for (Bar b : f.bars()) {
            var d = SubPageMmapRule.probe(b, host.barResource(f, b), host.tree(), platform, era, disabled);
            decisions[b.index()] = d;
            if (d instanceof SubPageMmapRule.Decision.ExclusivePage e) dummies.add(e.dummy());
        }
        for (int i = f.bars().size(); i < 6; i++) decisions[i] = new SubPageMmapRule.Decision.Empty();
    }

    void retain() { refs++; }

    boolean closed() { return refs == 0; }

    public PciFunction function() { return f; }

    /** The seed rule's decision for BAR {@code index} (0-5). */
    public SubPageMmapRule.Decision decision(int index) { return decisions[index]; }

    public Optional<MsixCapability> msix() { return msix; }

    @Override
    public String bdf() { return f.bdf().toString(); }

    @Override
    public DeviceInfo deviceInfo() {
        // vfio_pci_ioctl_get_info(): FLAGS_PCI; RESET only if a reset method works (not knowable here)
        return new DeviceInfo(DeviceInfo.FLAG_PCI, NUM_REGIONS, NUM_IRQS);
    }

    private void checkOpen(String call) {
        if (refs == 0) throw new VfioException(call, Errno.EBADF, "device fd closed");
    }

    @Override
    public RegionInfo regionInfo(int index) {
        checkOpen("VFIO_DEVICE_GET_REGION_INFO");
        long offset = (long) index << OFFSET_SHIFT;
        int rw = RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE;
        // vfio_pci_ioctl_get_region_info() (drivers/vfio/pci/vfio_pci_core.c, 6.1)
        if (index == CONFIG_INDEX) {
            return new RegionInfo(index, f.cfgSize().orElse(256), offset, rw, List.of());
        }
        if (index >= 0 && index < ROM_INDEX) {
            Bar b = f.resource(index);
            long size = b.len();
            if (size == 0) return new RegionInfo(index, 0, offset, 0, List.of());
            int flags = rw;
            List<RegionCap> caps = List.of();
            if (decisions[index].mmappable()) {
                flags |= RegionInfo.FLAG_MMAP;
                if (msix.isPresent() && msix.get().tableBir() == index) {
                    if (era.msixMappableCap()) {
                        caps = List.of(new RegionCap.MsixMappable());
                    } else if (era.sparseMmapAroundMsix()) {
                        caps = List.of(sparseAreas(size, msix.get()));
                    }
                }
            }
            if (!caps.isEmpty()) flags |= RegionInfo.FLAG_CAPS;
            return new RegionInfo(index, size, offset, flags, caps);
        }
        if (index == ROM_INDEX) {
            Bar rom = f.resource(ROM_INDEX);
            long size = rom.len();
            if (size == 0) {
                // "Shadow ROMs appear as PCI BARs": IORESOURCE_ROM_SHADOW -> 0x20000
                if ((rom.flags() & IoResource.ROM_SHADOW) != 0 && rom.isMem()) size = 0x20000;
                else return new RegionInfo(index, 0, offset, 0, List.of());
            }
            // pci_map_rom() must find a valid ROM image; sysfs cannot say, barmap assumes it does
            return new RegionInfo(index, size, offset, RegionInfo.FLAG_READ, List.of());
        }
        if (index == VGA_INDEX) {
            // has_vga: vfio_pci_is_vga() and CONFIG_VFIO_PCI_VGA, which drivers/vfio/pci/Kconfig limits to X86 && VGA_ARB
            if (!hasVga()) throw new VfioException("VFIO_DEVICE_GET_REGION_INFO(" + index + ")", Errno.EINVAL, "not a VGA device");
            return new RegionInfo(index, 0xc0000, offset, rw, List.of());
        }
        throw new VfioException("VFIO_DEVICE_GET_REGION_INFO(" + index + ")", Errno.EINVAL, "no region " + index);
    }

    private boolean hasVga() {
        return f.isVga() && "x86_64".equals(platform.arch());
    }

    /** msix_sparse_mmap_cap() (drivers/vfio/pci/vfio_pci.c, 4.6-4.15): areas below and above the table's pages. */
    private RegionCap.SparseMmap sparseAreas(long end, MsixCapability m) {
        long tableStart = m.tableOffset() & platform.pageMask();
        long tableEnd = platform.pageAlign(m.tableOffset() + m.tableSize());
        var areas = new ArrayList<RegionCap.Area>();
        if (tableStart != 0) areas.add(new RegionCap.Area(0, tableStart));
        if (Long.compareUnsigned(tableEnd, end) < 0) areas.add(new RegionCap.Area(tableEnd, end - tableEnd));
        if (areas.isEmpty()) areas.add(new RegionCap.Area(0, 0)); // nr_areas = 1, zeroed by kzalloc
        return new RegionCap.SparseMmap(areas);
    }

    @Override
    public void tryMmap(long fileOffset, long length, boolean shared) {
        checkOpen("mmap");
        String call = "mmap(offset=0x" + Long.toHexString(fileOffset) + ", length=0x" + Long.toHexString(length) + ")";
        long page = platform.pageSize();
        // mm/mmap.c do_mmap / ksys_mmap_pgoff: zero length and unaligned offsets are refused first
        if (length == 0) throw new VfioException(call, Errno.EINVAL, "zero length");
        if ((fileOffset & (page - 1)) != 0) throw new VfioException(call, Errno.EINVAL, "offset not page-aligned");
        long reqLen = platform.pageAlign(length);
        int index = (int) (fileOffset >>> OFFSET_SHIFT);
        // vfio_pci_core_mmap(), in order
        if (index >= NUM_REGIONS) throw new VfioException(call, Errno.EINVAL, "no region " + index);
        if (!shared) throw new VfioException(call, Errno.EINVAL, "not MAP_SHARED (VM_SHARED required)");
        if (index >= ROM_INDEX) throw new VfioException(call, Errno.EINVAL, RegionInfo.regionName(index) + " is never mmappable");
        if (!decisions[index].mmappable()) throw new VfioException(call, Errno.EINVAL, RegionInfo.regionName(index) + " not mmappable: " + decisions[index].reason());
        Bar b = f.resource(index);
        long physLen = platform.pageAlign(b.len());
        long reqStart = fileOffset & OFFSET_MASK;
        if (Long.compareUnsigned(reqStart + reqLen, physLen) > 0) {
            throw new VfioException(call, Errno.EINVAL, "beyond the page-aligned BAR size 0x" + Long.toHexString(physLen));
        }
        if (era.mmapOverlappingMsixRejected() && msix.isPresent() && msix.get().tableBir() == index) {
            MsixCapability m = msix.get();
            // vfio_pci_mmap (<4.16): "If neither entirely above nor below, then it overlaps"
            if (!(reqStart >= m.tableOffset() + m.tableSize() || reqStart + reqLen <= m.tableOffset())) {
                throw new VfioException(call, Errno.EINVAL, "overlaps the MSI-X table");
            }
        }
        requestBar(index, era.mmapRequestName(), call);
    }

    /** pci_request_selected_regions(pdev, 1 << bar, name) on first use of a BAR (mmap or read/write). */
    private void requestBar(int index, String name, String call) {
        if (barmapDone[index]) return;
        Bar b = f.resource(index);
        if (b.isMem()) {
            Optional<Resource> r = host.tree().requestRegion(host.tree().root(), b.start(), b.len(), name, 0);
            if (r.isEmpty()) throw new VfioException(call, Errno.EBUSY, "BAR region is claimed by someone else");
            barmap[index] = r.get();
        }
        // I/O-port BARs are requested in ioport_resource, which barmap does not model
        barmapDone[index] = true;
    }

    @Override
    public OptionalLong pread(long fileOffset, int width) {
        return rw(fileOffset, width, false, 0);
    }

    @Override
    public void pwrite(long fileOffset, int width, long value) {
        rw(fileOffset, width, true, value);
    }

    /** vfio_pci_rw() / vfio_pci_bar_rw() / vfio_pci_core_do_io_rw() (Linux 6.1). */
    private OptionalLong rw(long fileOffset, int width, boolean write, long value) {
        String call = (write ? "pwrite" : "pread") + "(offset=0x" + Long.toHexString(fileOffset) + ", " + width + ")";
        checkOpen(call);
        int index = (int) (fileOffset >>> OFFSET_SHIFT);
        long pos = fileOffset & OFFSET_MASK;
        if (index >= NUM_REGIONS) throw new VfioException(call, Errno.EINVAL, "no region " + index);
        if (index == CONFIG_INDEX) {
            int cfg = f.cfgSize().orElse(256);
            // vfio_pci_config_rw(): beyond cfg_size -> EFAULT
            if (pos + width > cfg) throw new VfioException(call, Errno.EFAULT, "beyond config space size " + cfg);
            return OptionalLong.empty();
        }
        if (index == VGA_INDEX) {
            if (!hasVga()) throw new VfioException(call, Errno.EINVAL, "not a VGA device");
            return OptionalLong.empty();
        }
        if (index == ROM_INDEX && write) throw new VfioException(call, Errno.EINVAL, "the ROM is read-only");
        Bar b = f.resource(index);
        long end;
        if (b.start() != 0) end = b.len();
        else if (index == ROM_INDEX && (b.flags() & IoResource.ROM_SHADOW) != 0) end = 0x20000;
        else throw new VfioException(call, Errno.EINVAL, RegionInfo.regionName(index) + " has no address");
        if (Long.compareUnsigned(pos, end) >= 0) {
            throw new VfioException(call, Errno.EINVAL, "offset 0x" + Long.toHexString(pos) + " at or past the end 0x" + Long.toHexString(end));
        }
        long count = Math.min(width, end - pos);
        if (index != ROM_INDEX) requestBar(index, era.rwRequestName(), call);
        // MSI-X table: reads fill 0xFF, writes are dropped (x_start/x_end in vfio_pci_bar_rw)
        if (msix.isPresent() && msix.get().tableBir() == index && !write) {
            long xs = msix.get().tableOffset(), xe = xs + msix.get().tableSize();
            if (pos >= xs && pos + count <= xe) {
                return OptionalLong.of(count >= 8 ? -1L : (1L << (8 * count)) - 1);
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        if (refs == 0) return;
        if (--refs > 0) return;
        // vfio_pci_core_disable(): release the barmap'd BARs, then the dummy resources
        for (int i = 0; i < 6; i++) {
            if (barmap[i] != null) host.tree().release(barmap[i]);
            barmap[i] = null;
            barmapDone[i] = false;
        }
        for (Resource d : dummies) host.tree().release(d);
        dummies.clear();
    }
}
