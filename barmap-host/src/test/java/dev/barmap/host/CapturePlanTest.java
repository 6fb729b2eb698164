package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.*;

import dev.barmap.model.guest.BarKey;
import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestFirmware;
import dev.barmap.model.guest.GuestLayout;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.ResourceAlignment;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.guest.Slof;
import dev.barmap.model.guest.Window;
import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostBar;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.Bdf;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.plan.BarVerdict;
import dev.barmap.model.plan.Plan;
import dev.barmap.model.plan.PlanText;
import dev.barmap.model.plan.Planner;
import dev.barmap.model.plan.VmmColumn;
import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.VmmPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The plan on the real captures, read through {@link HostReader} (supplements overlaid by {@link TestCaptures#root})
 * and the vfio-pci model ({@link HostDevices}): (1) each capture's host was itself a guest whose firmware or Linux
 * placed the BARs, so the placement strategies must reproduce those addresses; (2) the plan for every capture, under
 * every guest placement and every VMM, gives a verdict for every BAR and keeps isolation.
 */
class CapturePlanTest {
    /** A capture as the plan sees it: the host, its vfio devices, and its BARs (and ROMs) as a guest of its own. */
    record Capture(String name, Host host, List<HostDevice> devices, Map<BarKey, Long> hostAddresses, List<GuestBar> asGuestBars) {
        String arch() { return host.platform().arch(); }
    }

    static Capture capture(Path dir) {
        Host host = HostReader.read(TestCaptures.root(dir), new HostReader.Options(null, null));
        List<HostDevice> devices = HostDevices.of(host);
        var addrs = new LinkedHashMap<BarKey, Long>();
        var guest = new ArrayList<GuestBar>();
        for (HostDevice d : devices) {
            PciFunction f = host.functions().get(Bdf.parse(d.bdf()));
            var resources = new ArrayList<>(f.bars());
            if (f.resource(Bar.ROM).len() > 0) resources.add(f.resource(Bar.ROM));
            for (Bar b : resources) {
                if (b.len() == 0) continue;
                BarKey k = new BarKey(d.bdf(), b.index());
                addrs.put(k, b.start());
                // a ROM BAR has no type bits in config space: SeaBIOS sizes it as 32-bit non-prefetchable memory
                // (src/fw/pciinit.c pci_bios_check_devices), although Linux's resource says pref (pci_read_bases)
                boolean rom = b.index() == Bar.ROM;
                guest.add(new GuestBar(k, b.len(), b.isIo(), b.is64() && !rom, b.prefetch() && !rom, 0));
            }
        }
        return new Capture(dir.getFileName().toString(), host, devices, addrs, guest);
    }

    static Capture capture(String name) { return capture(TestCaptures.CAPTURES.resolve(name)); }

    /** Compare the BARs and ROMs a strategy placed with where the real firmware put them (I/O ports only if asked). */
    static void assertSamePlacement(Capture c, GuestLayout got, List<String> leftOut, boolean withIo) {
        var want = new TreeMap<BarKey, String>();
        var have = new TreeMap<BarKey, String>();
        for (var g : c.asGuestBars()) {
            if (g.io() && !withIo || leftOut.contains(g.key().device())) continue;
            want.put(g.key(), Long.toHexString(c.hostAddresses().get(g.key())));
            Long a = got.addresses().get(g.key());
            have.put(g.key(), a == null ? "unplaced" : Long.toHexString(a));
        }
        assertTrue(want.size() > 5, "too few BARs compared: " + want);
        assertEquals(want, have);
    }

    @Test
    void seabiosReproducesTheFirmwarePaddedHost() {
        var c = capture("x86_64-4k-firmware-padded");
        assertSamePlacement(c, new SeaBios().place(c.asGuestBars(), GuestPlatform.x86()), List.of(), false);
    }

    @Test
    void seabiosReproducesTheMsixHost() {
        var c = capture("x86_64-4k-msix-firmware-padded");
        assertSamePlacement(c, new SeaBios().place(c.asGuestBars(), GuestPlatform.x86()), List.of(), false);
    }

    /**
     * The capture's kernel assigned every BAR itself (qboot, no firmware assignment): memory BARs, ROM and I/O ports
     * through the same LinuxBarAllocator as hot-add, on the root windows its boot log printed.
     */
    @Test
    void linuxAssignReproducesTheLinuxPackedHost() {
        var c = capture("x86_64-4k-linux-packed");
        var platform = new GuestPlatform(new Window(0x40000000L, 0xb0000000L), Optional.of(new Window(0x1_0000_0000L, 0x9_0000_0000L)),
                new Window(0x1000, 0x10000), Map.of());
        // I/O ports too: 0x1100 and 0x1d00 are skipped (x86 pcibios_align_resource, ISA aliases)
        assertSamePlacement(c, LinuxAssign.forArch(c.arch()).place(c.asGuestBars(), platform), List.of(), true);
    }

    @Test
    void slofReproducesTheFirmwareAlignedPpc64Host() {
        var c = capture("ppc64le-64k-firmware-aligned");
        // 00:05.0 is the BAR the oracle README says SLOF left out and Linux packed next to 01.0; its 64K slot at
        // 0x200080050000 stays empty in the capture, so SLOF's bump pointer did pass it: place it, compare the rest
        assertSamePlacement(c, new Slof().place(c.asGuestBars(), GuestPlatform.ppc64Pseries()), List.of("0000:00:05.0"), false);
    }

    /** The reader's config space (ppc64le: the supplement) gives MSI-X to every device whose MSI-X BAR vfio-pci marks. */
    @Test
    void msixIsKnownOnEveryCaptureIncludingPpc64() {
        int withMsix = 0;
        for (Path dir : TestCaptures.all()) {
            var c = capture(dir);
            assertFalse(c.devices().isEmpty(), c.name());
            for (HostDevice d : c.devices()) {
                for (HostBar b : d.bars()) {
                    if (b.msixMappable()) {
                        assertTrue(d.msix().isPresent(), c.name() + " " + d.bdf());
                        assertEquals(b.index(), d.msix().get().tableBar(), c.name() + " " + d.bdf());
                    }
                }
                if (d.msix().isPresent()) withMsix++;
            }
            for (HostDevice d : c.devices()) {
                assertTrue(c.host().functions().get(Bdf.parse(d.bdf())).msixKnown(), c.name() + " " + d.bdf() + ": MSI-X unknown");
            }
            if (c.name().equals("ppc64le-64k-firmware-aligned")) {
                var m = c.devices().stream().filter(d -> d.bdf().equals("0000:00:0d.0")).findFirst().orElseThrow().msix().orElseThrow();
                assertEquals(1, m.tableBar(), "00:0d.0 MSI-X table in BAR1 (vfio-pci gave BAR1 MSIX_MAPPABLE)");
            }
        }
        assertTrue(withMsix >= 3, "MSI-X devices over all captures: " + withMsix);
    }

    static List<GuestFirmware> placements(Capture c) {
        var ra = new TreeMap<String, Long>();
        for (HostDevice d : c.devices()) ra.put(d.bdf(), c.host().pageSize());
        return List.of(new SeaBios(), LinuxAssign.forArch(c.arch()), new Slof(), new ResourceAlignment(ra, LinuxAssign.forArch(c.arch())));
    }

    @TestFactory
    List<DynamicTest> everyCaptureEveryPlacementEveryVmm() {
        var tests = new ArrayList<DynamicTest>();
        for (Path dir : TestCaptures.all()) {
            var c = capture(dir);
            for (GuestFirmware fw : placements(c)) {
                tests.add(DynamicTest.dynamicTest(c.name() + " / " + fw.id(), () -> {
                    Plan plan = Planner.plan(c.devices(), c.arch(), c.host().pageSize(), fw, VmmPolicy.all());
                    assertTrue(plan.isolated(), () -> plan.columns().stream().flatMap(x -> x.violations().stream()).toList().toString());
                    long bars = c.devices().stream().mapToLong(d -> d.bars().stream().filter(b -> b.size() > 0).count()).sum();
                    assertTrue(bars > 0);
                    assertEquals(VmmPolicy.all().size(), plan.columns().size());
                    for (VmmColumn col : plan.columns()) {
                        assertEquals(bars, col.bars().size(), col.vmm());
                        for (BarVerdict v : col.bars()) {
                            assertNotNull(v.summary());
                            if (v.summary() == BarVerdict.Summary.FAILED) assertNotNull(col.failure(), "FAILED only with a boot failure");
                            else assertFalse(v.pages().isEmpty(), v.toString());
                        }
                    }
                    // the text table has one row per BAR
                    String text = PlanText.render(plan, c.name());
                    assertEquals(bars, text.lines().filter(l -> l.matches("^\\S+ (BAR\\d|ROM) .*")).count());
                }));
            }
        }
        assertEquals(TestCaptures.all().size() * 4, tests.size());
        return tests;
    }
}
