package dev.barmap.model.passthrough;

import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.vfio.ModelVfioDevice;
import dev.barmap.model.vfio.RegionInfo;
import dev.barmap.model.vfio.VfioPciModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The plan's input from the host model: every function {@code barmap scan} would open (non-bridge,
 * {@link PciFunction#passthroughCandidate()}), opened in BDF order on one {@link VfioPciModel} and kept open, as the
 * oracle does (so the {@code vfio sub-page reserved} dummies of earlier devices are in place for later ones).
 * Each BAR's {@link RegionInfo} (VFIO_DEVICE_GET_REGION_INFO: size, MMAP flag, MSIX_MAPPABLE / SPARSE_MMAP caps)
 * plus its sysfs resource line make a {@link HostBar}; MSI-X comes from the function's capability
 * ({@link PciFunction#msix()}, config space or lspci), empty when the input did not say.
 */
public final class HostDevices {
    private HostDevices() {}

    /** Every passthrough candidate with at least one BAR, under the host's own kernel era. */
    public static List<HostDevice> of(Host host) {
        return of(new VfioPciModel(host));
    }

    /** As {@link #of(Host)} under another kernel era (e.g. {@code --kernel}). */
    public static List<HostDevice> of(Host host, KernelEra era) {
        return of(new VfioPciModel(host, era));
    }

    private static List<HostDevice> of(VfioPciModel model) {
        var out = new ArrayList<HostDevice>();
        for (PciFunction f : model.host().functions().values()) {
            if (!f.passthroughCandidate()) continue;
            ModelVfioDevice dev = model.open(f.bdf());
            var bars = new ArrayList<HostBar>();
            for (Bar b : f.bars()) {
                RegionInfo info = dev.regionInfo(b.index());
                if (info.size() == 0) continue; // unimplemented, or the upper half of a 64-bit BAR
                bars.add(RegionInfos.hostBar(info, b.start(), b.flags()));
            }
            if (bars.isEmpty()) continue;
            out.add(new HostDevice(f.bdf().toString(), bars, f.msix().map(HostDevices::msix), f.msixKnown(), f.vendor(), f.device()));
        }
        return out;
    }

    /** The capability as QEMU reads it (hw/vfio/pci.c vfio_msix_early_setup: table/PBA BIR and offset, entries). */
    static Msix msix(MsixCapability c) {
        return new Msix(c.tableBir(), c.tableOffset(), c.pbaBir(), c.pbaOffset(), c.entries());
    }
}
