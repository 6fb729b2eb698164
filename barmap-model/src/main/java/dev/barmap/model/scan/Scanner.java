package dev.barmap.model.scan;

import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.KernelEra;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.vfio.ModelVfioDevice;
import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;
import dev.barmap.model.vfio.Sizes;
import dev.barmap.model.vfio.SubPageMmapRule;
import dev.barmap.model.vfio.VfioException;
import dev.barmap.model.vfio.VfioPciModel;
import java.util.ArrayList;
import java.util.List;

/** Runs the host model the way {@code barmap scan} reports it. Pure. */
public final class Scanner {
    private Scanner() {}

    public static ScanResult scan(Host host) {
        return scan(host, host.era());
    }

    public static ScanResult scan(Host host, KernelEra era) {
        return scan(host, era, false);
    }

    /** With {@code guest}, also the {@link GuestOutlook} of every BAR (runs the VMM models: {@code barmap scan} asks, fleet does not). */
    public static ScanResult scan(Host host, KernelEra era, boolean guest) {
        VfioPciModel model = new VfioPciModel(host, era);
        var devices = new ArrayList<DeviceResult>();
        for (PciFunction f : host.functions().values()) {
            if (!f.passthroughCandidate()) continue;
            ModelVfioDevice d = model.open(f.bdf());
            var regions = new ArrayList<RegionResult>(ModelVfioDevice.NUM_REGIONS);
            for (int i = 0; i < ModelVfioDevice.NUM_REGIONS; i++) {
                regions.add(region(d, f, i, era, host.pageSize()));
            }
            devices.add(new DeviceResult(f, regions));
        }
        var notes = new ArrayList<>(host.notes());
        if (!model.releasedClaims().isEmpty()) {
            notes.add("answers are for a fresh open: ignored " + model.releasedClaims().size()
                    + " existing claim(s) that binding vfio-pci would release, e.g. " + model.releasedClaims().getFirst());
        }
        var unknown = host.functions().values().stream().filter(f -> f.passthroughCandidate() && !f.msixKnown())
                .map(f -> f.bdf().toString()).toList();
        if (!unknown.isEmpty() && host.notes().stream().noneMatch(n -> n.startsWith("MSI-X unknown for"))) {
            // the input said nothing about MSI-X (config space beyond the header not readable, or not in the paste)
            notes.add("MSI-X unknown for " + (unknown.size() <= 4 ? String.join(", ", unknown) : unknown.size() + " functions")
                    + ": the input does not show their MSI-X capability (needs the config space past the header, read as root);"
                    + " verdicts on their BARs say what the MSI-X table would change");
        }
        var outlook = guest ? GuestOutlook.of(host, era, notes) : java.util.Map.<String, String>of();
        return new ScanResult(host, era.label(), devices, model.subPageReserved(), notes, model.iomem(), outlook);
    }

    private static RegionResult region(ModelVfioDevice d, PciFunction f, int i, KernelEra era, long page) {
        String name = RegionInfo.regionName(i);
        RegionInfo info;
        try {
            info = d.regionInfo(i);
        } catch (VfioException e) {
            return new RegionResult(i, name, null, e.errno(), null, null, 0, -1);
        }
        if (i > ModelVfioDevice.ROM_INDEX) return new RegionResult(i, name, info, 0, null, null, 0, -1);
        Bar b = f.resource(i);
        if (info.size() == 0) {
            String why = i > 0 && i < 6 && f.resource(i - 1).is64() && !f.resource(i - 1).empty()
                    ? "upper half of 64-bit BAR" + (i - 1) : i == ModelVfioDevice.ROM_INDEX ? "no expansion ROM" : "BAR not implemented";
            return new RegionResult(i, name, info, 0, Verdict.ABSENT, why, b.start(), b.end());
        }
        if (i == ModelVfioDevice.ROM_INDEX) {
            return new RegionResult(i, name, info, 0, Verdict.TRAPPED,
                    "expansion ROM: read-only through read(), never mmapped", b.start(), b.end());
        }
        SubPageMmapRule.Decision dec = d.decision(i);
        if (!dec.mmappable()) return new RegionResult(i, name, info, 0, Verdict.TRAPPED, dec.reason(), b.start(), b.end());
        String reason = dec.reason();
        Verdict v = Verdict.DIRECT;
        if (d.msix().isPresent() && d.msix().get().tableBir() == i) {
            MsixCapability m = d.msix().get();
            String table = String.format("MSI-X table at +0x%x (%s)", m.tableOffset(), Sizes.human(m.tableSize()));
            if (info.caps().stream().anyMatch(c -> c instanceof RegionCap.MsixMappable)) {
                reason += "; " + table + ": MSIX_MAPPABLE, the VMM still traps the table's page";
            } else if (era.sparseMmapAroundMsix()) {
                // 4.8-4.15 msix_sparse_mmap_cap(): areas before and after the table's pages only; none left when
                // the table's pages cover the whole BAR (a 4 KiB BAR whose one page holds the table)
                // (ModelVfioDevice.sparseAreas: then one zero-sized area, nr_areas = 1 zeroed by kzalloc)
                boolean nothingLeft = info.caps().stream().anyMatch(c -> c instanceof RegionCap.SparseMmap sm
                        && sm.areas().stream().allMatch(a -> a.size() == 0));
                v = nothingLeft ? Verdict.TRAPPED : Verdict.PARTIAL;
                reason += "; " + table + (nothingLeft ? ": its page(s) are the whole BAR, so the sparse mmap has no area left and every access traps"
                        : ": its page(s) are cut out of the mmap (sparse mmap) and trap");
            }
        }
        if (!f.msixKnown() && b.isMem()) {
            // three-valued: the table may be in this BAR. Every VMM in vmm/ emulates the table (EmulatedRange
            // MSIX_TABLE), so its page traps; under 4.8-4.15 vfio-pci's sparse mmap also leaves it out (see above)
            reason += "; MSI-X unknown: if its table is in this BAR, the VMM traps the table's page"
                    + (era.sparseMmapAroundMsix() ? " and vfio-pci cuts it out of the mmap (partial)" : "");
        }
        return new RegionResult(i, name, info, 0, v, reason, b.start(), b.end());
    }
}
