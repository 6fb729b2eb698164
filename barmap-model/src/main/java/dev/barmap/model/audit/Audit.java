package dev.barmap.model.audit;

import dev.barmap.model.host.Host;
import dev.barmap.model.kernel.Platform;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.scan.Check;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.scan.Verdict;
import dev.barmap.model.vfio.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code barmap audit}: isolation and mapping problems a host has before any guest runs, each with a fix.
 * <ul>
 *   <li><b>trapped-bar</b> (FAIL): a memory BAR vfio-pci will not mmap. Fix: {@code pci=resource_alignment=BDF}
 *       (Documentation/admin-guide/kernel-parameters.txt; without an order the alignment is PAGE_SIZE and
 *       the kernel enlarges the resource to it, so vfio then reports a page-sized region: rules.md,
 *       confirmed by the resource-alignment capture).</li>
 *   <li><b>shared-page</b>: one host page holds BARs of functions in different IOMMU groups (FAIL) or in one
 *       group under different drivers (WARN), or whose groups are unknown (WARN).</li>
 *   <li><b>page-size</b> (WARN): a BAR mmapped today that would trap on a kernel with larger pages (16K, 64K:
 *       arm64 and ppc64le distribution kernels).</li>
 *   <li><b>msix-shared-page</b> (WARN): the MSI-X table shares its host page(s) with other registers of the
 *       BAR; QEMU lays the "msix-table" region over the mmap for the table's whole host page (hw/vfio/pci.c),
 *       so those registers trap too. Fix: QEMU {@code x-msix-relocation=barN} (2.12) with the N that
 *       {@link MsixRelocation#pick} finds and checks in the QEMU model; no fix when no BAR works. ({@code auto}
 *       is no fix: vfio_pci_relocate_msix has no automatic choice for any device and QEMU exits.)</li>
 *   <li><b>msix-unknown</b>, <b>groups-unknown</b> (INFO): what the input could not tell.</li>
 * </ul>
 * Pure: runs the scanner on the host (and on the host seen with larger pages).
 */
public final class Audit {
    private Audit() {}

    /** Page sizes Linux runs with (arm64: 4K, 16K, 64K; ppc64le: 64K). */
    static final long[] PAGE_SIZES = {4096, 16384, 65536};

    public record Report(ScanResult scan, List<Finding> findings) {
        public long count(Check c) { return findings.stream().filter(f -> f.severity() == c).count(); }

        /** One kernel parameter fixing every trapped-bar and shared-page finding, or empty. */
        public Optional<String> resourceAlignment() {
            var bdfs = new LinkedHashSet<String>();
            for (Finding f : findings) bdfs.addAll(f.alignedBy());
            return bdfs.isEmpty() ? Optional.empty() : Optional.of("pci=resource_alignment=" + String.join(";", bdfs));
        }
    }

    public static Report run(Host host) {
        ScanResult scan = Scanner.scan(host);
        var out = new ArrayList<Finding>();
        trappedBars(scan, out);
        sharedPages(host, out);
        pageSizes(host, scan, out);
        msix(host, scan, out);
        out.sort(Comparator.comparingInt((Finding f) -> rank(f.severity())).thenComparing(f -> f.devices().isEmpty() ? "" : f.devices().getFirst()));
        return new Report(scan, out);
    }

    /** FAIL first, then WARN, then INFO. */
    static int rank(Check c) {
        return switch (c) {
            case FAIL -> 0;
            case WARN -> 1;
            case INFO -> 2;
            case PASS -> 3;
        };
    }

    private static void trappedBars(ScanResult scan, List<Finding> out) {
        for (DeviceResult d : scan.devices()) {
            for (RegionResult r : d.regions()) {
                if (r.index() >= Bar.ROM) continue;
                Bar b = d.function().resource(r.index());
                if (Check.of(r, b) != Check.FAIL) continue;
                String bdf = d.function().bdf().toString();
                String why = r.reason();
                String fix;
                List<String> aligned = List.of();
                if (why.contains("mmap disabled")) fix = "";
                else if (why.contains("predates sub-page mmap")) fix = "a kernel >= 4.8 (05f0c03fbac1), or pci=resource_alignment=" + bdf;
                else if (why.contains("not in the host's resource tree")) fix = "get the BAR assigned (pci=realloc, or firmware settings), then pci=resource_alignment=" + bdf;
                else {
                    fix = "pci=resource_alignment=" + bdf;
                    aligned = List.of(bdf);
                }
                out.add(new Finding(Check.FAIL, "trapped-bar", List.of(bdf), r.name(), "traps: " + why, fix, aligned));
            }
        }
    }

    record Item(PciFunction f, Bar b) {}

    private static void sharedPages(Host host, List<Finding> out) {
        long page = host.pageSize();
        var pages = new TreeMap<Long, List<Item>>(Long::compareUnsigned);
        boolean anyGroupUnknown = false;
        for (PciFunction f : host.functions().values()) {
            if (f.passthroughCandidate() && f.iommuGroup().isEmpty()) anyGroupUnknown = true;
            for (int i = 0; i <= Bar.ROM; i++) {
                Bar b = f.resource(i);
                if (!b.isMem() || b.empty() || b.len() == 0 || (b.flags() & IoResource.UNSET) != 0) continue;
                // only the first and last page can be shared: BARs do not overlap
                pages.computeIfAbsent(b.start() & -page, k -> new ArrayList<>()).add(new Item(f, b));
                if ((b.end() & -page) != (b.start() & -page)) pages.computeIfAbsent(b.end() & -page, k -> new ArrayList<>()).add(new Item(f, b));
            }
        }
        for (Map.Entry<Long, List<Item>> e : pages.entrySet()) {
            List<Item> items = e.getValue();
            var fns = new LinkedHashSet<PciFunction>();
            items.forEach(i -> fns.add(i.f()));
            if (fns.size() < 2 || fns.stream().noneMatch(PciFunction::passthroughCandidate)) continue;
            var groups = new LinkedHashSet<String>();
            var drivers = new LinkedHashSet<String>();
            boolean unknown = false;
            for (PciFunction f : fns) {
                if (f.iommuGroup().isEmpty()) unknown = true;
                else groups.add(f.iommuGroup().get());
                drivers.add(f.driver().orElse("(none)"));
            }
            var who = new ArrayList<String>();
            for (Item i : items) {
                who.add(i.f().bdf() + " " + i.b().name() + i.f().iommuGroup().map(g -> " [group " + g + "]").orElse("")
                        + i.f().driver().map(dr -> " [" + dr + "]").orElse(""));
            }
            List<String> bdfs = fns.stream().map(f -> f.bdf().toString()).toList();
            String where = String.format("page %x-%x holds ", e.getKey(), e.getKey() + page - 1) + String.join(", ", who);
            String fix = "pci=resource_alignment=" + String.join(";", bdfs) + " (each BAR gets a page of its own)";
            if (groups.size() > 1) {
                out.add(new Finding(Check.FAIL, "shared-page", bdfs, "", where + ": functions in different IOMMU groups share a page, "
                        + "so none of their BARs there can be mmapped and each traps", fix, bdfs));
            } else if (unknown) {
                out.add(new Finding(Check.WARN, "shared-page", bdfs, "", where + ": IOMMU groups unknown, so whether this crosses groups cannot be told", fix));
            } else if (drivers.size() > 1) {
                out.add(new Finding(Check.WARN, "shared-page", bdfs, "", where + ": one IOMMU group, different drivers (" + String.join(", ", drivers)
                        + "): the group is only usable by VFIO when all its functions are bound to vfio-pci (or no driver)", fix));
            }
        }
        if (anyGroupUnknown) {
            out.add(new Finding(Check.INFO, "groups-unknown", List.of(), "", "IOMMU groups are unknown for some functions "
                    + "(lspci without IOMMU group lines, or IOMMU off): page sharing across groups is shown as WARN",
                    "add the IOMMU group listing (ls /sys/kernel/iommu_groups/*/devices), or enable the IOMMU (intel_iommu=on / amd_iommu=on)"));
        }
    }

    private static void pageSizes(Host host, ScanResult scan, List<Finding> out) {
        var reported = new java.util.HashSet<String>();
        for (long p : PAGE_SIZES) {
            if (p <= host.pageSize()) continue;
            ScanResult big = Scanner.scan(host.with(new Platform(host.platform().arch(), p), host.kernel()));
            for (int k = 0; k < scan.devices().size(); k++) {
                DeviceResult now = scan.devices().get(k), then = big.devices().get(k);
                for (int i = 0; i < Bar.ROM; i++) {
                    RegionResult a = now.regions().get(i), b = then.regions().get(i);
                    if (a.verdict() == null || b.verdict() == null) continue;
                    String key = now.function().bdf() + " " + a.name();
                    if (a.verdict() != Verdict.TRAPPED && b.verdict() == Verdict.TRAPPED && reported.add(key)) {
                        String bdf = now.function().bdf().toString();
                        out.add(new Finding(Check.WARN, "page-size", List.of(bdf), a.name(), "mmapped with " + Sizes.human(host.pageSize())
                                + " pages, but with " + Sizes.human(p) + " pages it would trap: " + b.reason(),
                                "on a " + Sizes.human(p) + "-page kernel boot with pci=resource_alignment=" + bdf));
                    }
                }
            }
        }
    }

    private static void msix(Host host, ScanResult scan, List<Finding> out) {
        long page = scan.host().pageSize();
        List<HostDevice> devices = null;
        for (DeviceResult d : scan.devices()) {
            PciFunction f = d.function();
            String bdf = f.bdf().toString();
            if (!f.msixKnown()) {
                out.add(new Finding(Check.INFO, "msix-unknown", List.of(bdf), "", "where the MSI-X table lives is unknown (no config space: lspci as non-root, or a paste without capabilities)",
                        "run as root (sudo lspci -vvv, or a capture with sys/.../config)"));
                continue;
            }
            if (f.msix().isEmpty()) continue;
            MsixCapability m = f.msix().get();
            RegionResult r = d.regions().get(m.tableBir());
            if (r.verdict() != Verdict.DIRECT && r.verdict() != Verdict.PARTIAL) continue;
            long size = r.info().size();
            long tStart = m.tableOffset(), tEnd = m.tableOffset() + m.tableSize(); // [tStart, tEnd)
            // BARs are naturally aligned, so page boundaries inside the BAR fall at multiples of the page from its start
            long pStart = tStart & -page, pEnd = Math.min(size, (tEnd + page - 1) & -page);
            long span = pEnd - pStart;
            long other = span - Math.min(tEnd, pEnd) + Math.max(tStart, pStart);
            if (m.pbaBir() == m.tableBir()) {
                long a = Math.max(m.pbaOffset(), pStart), b = Math.min(m.pbaOffset() + m.pbaSize(), pEnd);
                if (b > a) other -= b - a - Math.max(0, Math.min(b, tEnd) - Math.max(a, tStart));
            }
            if (other > 0) {
                if (devices == null) devices = HostDevices.of(host);
                String fix = devices.stream().filter(h -> h.bdf().equals(bdf)).findFirst()
                        .flatMap(h -> MsixRelocation.pick(h, host.platform().arch(), page))
                        .map(c -> "QEMU: -device vfio-pci,host=" + bdf + ",x-msix-relocation=bar" + c.bar() + " (in barmap's QEMU model, 7.2 to 11.1, the table "
                                + "moves to BAR" + c.bar() + " and " + r.name() + " becomes direct; try: barmap plan --qemu-opt host=" + bdf
                                + ",x-msix-relocation=bar" + c.bar() + ")")
                        .orElse("");
                out.add(new Finding(Check.WARN, "msix-shared-page", List.of(bdf), r.name(), String.format(
                        "the MSI-X table (%s at +0x%x) shares its %s of host page with %s of other %s space; the VMM traps the table's whole page, "
                                + "so accesses there exit too", Sizes.human(m.tableSize()), tStart, Sizes.human(span), Sizes.human(other), r.name()),
                        fix));
            }
        }
    }
}
