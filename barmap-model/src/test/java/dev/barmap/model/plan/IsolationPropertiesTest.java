package dev.barmap.model.plan;

import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.ResourceAlignment;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.guest.Slof;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.Msix;
import dev.barmap.model.vmm.CloudHypervisor;
import dev.barmap.model.vmm.Crosvm;
import dev.barmap.model.vmm.Firecracker;
import dev.barmap.model.vmm.OpenVmm;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.qemu.QemuOptions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The isolation invariant over random hosts, guest placements, page sizes and every policy: no direct-mapped guest
 * page reaches host bytes outside its own BAR and the BAR's sub-page reservation.
 */
class IsolationPropertiesTest {
    static final List<VmmPolicy> POLICIES = List.of(Qemu.DEFAULT, Qemu.DEFAULT.with(QemuOptions.DEFAULT.withMsixRelocation(2)),
            Qemu.DEFAULT.with(QemuOptions.DEFAULT.withNoMsixEmulation(true).withPbaEmulated(true)),
            CloudHypervisor.V51, new CloudHypervisor(true, false), CloudHypervisor.V52, Crosvm.DEFAULT, Firecracker.DEFAULT, OpenVmm.DEFAULT);

    /**
     * A random host: BARs of random power-of-two sizes placed the way Linux does (aligned to their size, packed),
     * with vfio-pci's MMAP flag derived by its rule: at least a page, or page-aligned with the rest of the page
     * free (the dummy reservation succeeds). MSI-X sometimes on a BAR, MSIX_MAPPABLE when mmappable (4.16+).
     */
    static List<HostDevice> randomHost(Random rnd, long page, int devices) {
        long cursor = 0xf000_0000L;
        var all = new ArrayList<Placed>();
        var raw = new ArrayList<List<long[]>>();
        for (int d = 0; d < devices; d++) {
            var bars = new ArrayList<long[]>(); // index, size, io, mem64
            int n = 1 + rnd.nextInt(3);
            int idx = 0;
            for (int b = 0; b < n && idx < 6; b++) {
                boolean io = rnd.nextInt(6) == 0;
                long size = io ? 1L << (2 + rnd.nextInt(7)) : 1L << (4 + rnd.nextInt(15));
                boolean mem64 = !io && idx < 5 && rnd.nextInt(3) == 0;
                bars.add(new long[]{idx, size, io ? 1 : 0, mem64 ? 1 : 0});
                idx += mem64 ? 2 : 1;
            }
            raw.add(bars);
        }
        // host placement: memory BARs sorted by size descending, each aligned to its size (Linux), sometimes a gap
        var memBars = new ArrayList<long[]>();
        for (int d = 0; d < raw.size(); d++) for (long[] b : raw.get(d)) if (b[2] == 0) memBars.add(new long[]{d, b[0], b[1], 0});
        memBars.sort((x, y) -> Long.compare(y[2], x[2]));
        for (long[] m : memBars) {
            if (rnd.nextInt(4) == 0) cursor += page;     // leave some pages alone
            cursor = (cursor + m[2] - 1) & -m[2];
            m[3] = cursor;
            all.add(new Placed(cursor, m[2]));
            cursor += m[2];
        }
        var out = new ArrayList<HostDevice>();
        long ioCursor = 0x1000;
        for (int d = 0; d < raw.size(); d++) {
            var hbs = new ArrayList<HostBar>();
            for (long[] b : raw.get(d)) {
                int index = (int) b[0];
                long size = b[1];
                if (b[2] == 1) {
                    ioCursor = (ioCursor + size - 1) & -size;
                    hbs.add(HostBar.ioPort(index, ioCursor, size));
                    ioCursor += size;
                    continue;
                }
                long start = 0;
                for (long[] m : memBars) if (m[0] == d && m[1] == index) start = m[3];
                boolean mmappable = size >= page || ((start & (page - 1)) == 0 && restOfPageFree(all, start, size, page));
                hbs.add(new HostBar(index, start, size, false, b[3] == 1, rnd.nextBoolean(), mmappable, false, Optional.empty()));
            }
            Optional<Msix> msix = Optional.empty();
            var memOnly = hbs.stream().filter(h -> !h.io() && h.size() >= 64).toList();
            if (!memOnly.isEmpty() && rnd.nextBoolean()) {
                HostBar tb = memOnly.get(rnd.nextInt(memOnly.size()));
                int entries = 1 + rnd.nextInt((int) Math.min(64, tb.size() / 32));
                long tsize = entries * 16L, psize = ((entries + 63L) / 64) * 8;
                long tOff = ((rnd.nextLong(Math.max(1, tb.size() - tsize - psize + 1))) & ~7L);
                long pOff = tOff + tsize + (((rnd.nextLong(Math.max(1, tb.size() - tOff - tsize - psize + 1))) & ~7L));
                if (pOff + psize <= tb.size()) {
                    msix = Optional.of(new Msix(tb.index(), tOff, tb.index(), pOff, entries));
                    for (int i = 0; i < hbs.size(); i++) {
                        if (hbs.get(i).index() == tb.index()) hbs.set(i, hbs.get(i).withMsixMappable(hbs.get(i).mmappable()));
                    }
                }
            }
            out.add(new HostDevice(String.format("0000:00:%02x.0", d + 3), hbs, msix));
        }
        return out;
    }

    record Placed(long start, long size) {}

    /** vfio_pci_probe_mmaps: request_resource of [start + size, start + page) conflicts with any other BAR there. */
    static boolean restOfPageFree(List<Placed> all, long start, long size, long page) {
        for (Placed p : all) {
            if (p.start() == start) continue;
            if (p.start() < start + page && p.start() + p.size() > start + size) return false;
        }
        return true;
    }

    @Provide
    Arbitrary<Long> pageSizes() { return Arbitraries.of(0x1000L, 0x4000L, 0x10000L); }

    @Provide
    Arbitrary<Integer> firmwares() { return Arbitraries.integers().between(0, 3); }

    static GuestFirmware firmware(int i, List<HostDevice> host, long page) {
        return switch (i) {
            case 0 -> new SeaBios();
            case 1 -> new LinuxAssign();
            case 2 -> new Slof();
            default -> {
                var m = new TreeMap<String, Long>();
                for (HostDevice d : host) if (d.bdf().hashCode() % 2 == 0) m.put(d.bdf(), page);
                yield new ResourceAlignment(m);
            }
        };
    }

    @Property(tries = 400, seed = "20261130")
    void noDirectPageReachesForeignHostBytes(@ForAll long seed, @ForAll("pageSizes") long page,
                                             @ForAll("firmwares") int fw, @ForAll @IntRange(min = 1, max = 4) int devices) {
        var rnd = new Random(seed);
        List<HostDevice> host = randomHost(rnd, page, devices);
        var emulated = new ArrayList<GuestBar>();
        if (rnd.nextBoolean()) emulated.add(GuestBar.mem32("emu@1f.0", 0, 1L << (4 + rnd.nextInt(8))));
        var topo = new Topology(host.stream().map(Passthrough::new).toList(), emulated, GuestPlatform.x86());
        Plan plan = Plan.compute(topo, firmware(fw, host, page), POLICIES, page);
        assertTrue(plan.isolated(), () -> plan.columns().stream().flatMap(c -> c.violations().stream()).toList() + "\nhost " + host);
        for (VmmColumn c : plan.columns()) {
            int expected = host.stream().mapToInt(d -> (int) d.bars().stream().filter(b -> b.size() > 0).count()).sum();
            assertEquals(expected, c.bars().size(), "a verdict for every BAR");
            for (BarVerdict v : c.bars()) {
                if (c.failure() == null) assertNotEquals(BarVerdict.Summary.FAILED, v.summary());
                else assertEquals(BarVerdict.Summary.FAILED, v.summary());
                HostBar hb = host.stream().filter(d -> d.bdf().equals(v.device())).findFirst().orElseThrow().bar(v.bar()).orElseThrow();
                Statistics.label("verdict").collect(c.vmm() + " " + v.summary());
                for (PageRun r : v.pages()) {
                    if (r.state() == PageRun.State.DIRECT) {
                        assertTrue(hb.mmappable(), "direct page on a BAR vfio-pci does not let be mmapped: " + v);
                        assertTrue(r.hostStart() >= hb.hostStart() && r.hostStart() + (r.guestEnd() - r.guestStart()) <= hb.ownedHostEnd(page), v.toString());
                    }
                    if (r.state() == PageRun.State.TRAPPED) assertFalse(r.reasons().isEmpty());
                }
            }
        }
    }
}
