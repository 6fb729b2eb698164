package dev.barmap.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.barmap.model.host.Host;
import dev.barmap.model.passthrough.HostDevices;
import dev.barmap.model.testing.TestCaptures;
import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;
import dev.barmap.model.vmm.qemu.monitor.MonitorDump;
import dev.barmap.model.vmm.qemu.monitor.Prediction;
import dev.barmap.model.vmm.qemu.monitor.Prediction.Difference;
import dev.barmap.model.vmm.qemu.monitor.Prediction.Missing;
import dev.barmap.model.vmm.qemu.monitor.Prediction.Possibly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code barmap inspect}'s prediction ({@link Prediction}) on the nested QEMU oracle's real runs
 * (testdata/qemu-nested/qemu-VERSION: the real dumps per scenario and dump point, and the real outer host the inner
 * QEMU passed devices from, {@code host-capture/}). Every expectation below is worked out by hand from the dump text
 * and the scenario's {@code inner-cmd.txt} (quoted in the comments), not from barmap's output.
 */
class NestedPredictionTest {
    static final long PAGE = 4096;

    record Run(Inspection real, Prediction.Made prediction, MonitorDump dump) {}

    static Run run(String version, String scenario, String dump) throws IOException {
        Path root = TestCaptures.TESTDATA.resolve("qemu-nested").resolve("qemu-" + version);
        Path dir = root.resolve(scenario);
        var names = new ArrayList<String>();
        var texts = new ArrayList<String>();
        for (String f : List.of("-info-pci.txt", "-mtree.txt", "-mtree-f.txt")) {
            Path p = dir.resolve(dump + f);
            names.add(p.toString());
            texts.add(Files.readString(p));
        }
        MonitorDump d = MonitorDump.parseAll(String.join(", ", names), names, texts);
        Inspection real = Inspection.of(d, PAGE);
        Host host = HostReader.read(root.resolve("host-capture"));
        Prediction p = Prediction.of(d, real, host.source(), HostDevices.of(host));
        return new Run(real, assertInstanceOf(Prediction.Made.class, p), d);
    }

    /** Each difference as "HOSTBDF BARn START xPAGES". */
    static List<String> where(Prediction.Made p) {
        return p.differences().stream().map(d -> d.hostBdf() + " BAR" + d.bar() + " " + Long.toHexString(d.start()) + " x" + d.pages()).toList();
    }

    /**
     * own-pages/s1: the three sub-page vfio BARs each on a page of their own (info pci: 0xc0000000 16 B, 0xc0001000
     * 256 B, 0xc0002000 256 B); the real flat view shows each "BAR n mmaps[0]" expanded to the whole page. The outer
     * host has each of them alone behind a bridge, so vfio-pci lets them be mmapped, and the model expands them the same
     * way: 3 pages, all agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void ownPages_everyPageAgrees(String version) throws IOException {
        Run r = run(version, "own-pages", "s1");
        assertEquals(3, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
        assertEquals(3, r.prediction().agreeingPages());
        assertTrue(r.prediction().host().endsWith("host-capture"), r.prediction().host());
    }

    /**
     * msix/s1: 08.0 BAR0 16 KiB (4 pages, msix-table over 0xc0002000-0xc000240f), 09.0 BAR0 and BAR1 128 KiB each
     * (32 pages each), BAR3 16 KiB (4, msix-table at its start), 0a.0 BAR1 4 KiB (1, msix-table at its start), BAR4
     * 16 KiB (4): 77 pages. The kernel (6.1) reports MSIX_MAPPABLE, so QEMU keeps one whole mmap under the msix-table
     * region, as the model does with default options: every page agrees.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void msix_everyPageAgrees(String version) throws IOException {
        Run r = run(version, "msix", "s1");
        assertEquals(4 + 32 + 32 + 4 + 1 + 4, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
    }

    /**
     * moves/s3: 03:01.0's 16-byte BAR0 was at 0xc0000000 (expanded to a page), then 0xc0002000, then moved to
     * 0xc0004040. The real flat view keeps the page-sized base BAR at priority 1
     * ("00000000c0004050-00000000c000503f (prio 1, i/o): 0000:03:01.0 base BAR 0 @0000000000000010"), which hides the
     * emulated i6300esb at 0xc0005000 entirely. The model, given only the final address, never expands the BAR, so it
     * has no such stale base; but the vfio BAR's one page (0xc0004000) traps on both sides for the same reason: its
     * 16-byte mmap (0xc0004040-0xc000404f) is no whole page. The stale base changes only a page no vfio BAR is on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void moves_staleBaseBarInRealityButTheVfioPageAgrees(String version) throws IOException {
        Run r = run(version, "moves", "s3");
        assertTrue(r.dump().flat().stream().anyMatch(x -> x.name().equals("0000:03:01.0 base BAR 0") && x.prio() == 1
                && x.start() == 0xc0004050L && x.end() == 0xc000503fL), "the real stale base BAR");
        assertEquals(1, r.real().bars().size());
        var bar = r.real().bars().getFirst();
        assertEquals(new Verdict.Trapped(List.of(new Cause.SlotMisaligned(0xc0004040L, 0xc000404fL))), bar.runs().getFirst().verdict());
        assertEquals(1, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
    }

    /**
     * moves/s1, s2, s4: 03:01.0's BAR0 page-aligned each time (0xc0000000, 0xc0002000, back to 0xc0000000); the real
     * flat view has its "mmaps[0]" the whole page each time, so the page is direct, as the model's expansion predicts
     * from the final address alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2/s1", "7.2/s2", "7.2/s4", "10.0/s1", "10.0/s2", "10.0/s4", "11.1/s1", "11.1/s2", "11.1/s4"})
    void moves_alignedPlacesAgree(String versionAndDump) throws IOException {
        String[] vd = versionAndDump.split("/");
        Run r = run(vd[0], "moves", vd[1]);
        assertEquals(1, r.real().directPages());
        assertEquals(1, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
    }

    /**
     * no-mmap/s1 (inner-cmd.txt: "-device vfio-pci,host=0000:03:01.0,addr=0x4,x-no-mmap=on", 02:01.0 without,
     * "-device vfio-pci,host=0000:00:08.0,addr=0x6,x-no-mmap=on"): 03:01.0 BAR0 at 0xc0000000 (1 page), 02:01.0 BAR0
     * at 0xc0001000 (1 page), 08.0 BAR0 at 0xc0010000 (16 KiB, 4 pages): 6 pages. The real flat view has no "mmaps"
     * region of 03:01.0 or 08.0, so their 5 pages trap; barmap's model with default options mmaps them as in
     * own-pages/s1 and msix/s1: 03:01.0's page and 08.0's pages 0xc0010000-0xc0011fff and 0xc0013000 direct, 08.0's
     * page 0xc0012000 trapped under the msix-table but for a partial mmap, not for no mmap. Only 02:01.0 agrees.
     * Every difference names x-no-mmap as a possibility, none asserts it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void noMmap_realityTrapsWhatThePredictionMapsAndNamesXNoMmap(String version) throws IOException {
        Run r = run(version, "no-mmap", "s1");
        Prediction.Made p = r.prediction();
        assertEquals(6, p.pages());
        assertEquals(1, p.agreeingPages());
        assertEquals(List.of("0000:00:08.0 BAR0 c0010000 x2", "0000:00:08.0 BAR0 c0012000 x1", "0000:00:08.0 BAR0 c0013000 x1",
                "0000:03:01.0 BAR0 c0000000 x1"), where(p));
        for (Difference d : p.differences()) {
            assertTrue(d.real() instanceof Verdict.Trapped t && t.causes().contains(new Cause.NotMmapped()), d.toString());
            assertTrue(d.predicted().isPresent(), d.toString());
            assertTrue(d.possibly().contains(Possibly.X_NO_MMAP), d.toString());
            assertTrue(d.possibly().contains(Possibly.HOST_CHANGED), d.toString());
            assertFalse(d.possibly().contains(Possibly.X_MSIX_RELOCATION), d.toString()); // the MSI-X table is where both put it
        }
        assertEquals(new Verdict.Direct(), p.differences().getFirst().predicted().orElseThrow());
        assertEquals(new Verdict.Direct(), p.differences().getLast().predicted().orElseThrow());
        var table = p.differences().get(1).predicted().orElseThrow();
        assertTrue(table instanceof Verdict.Trapped t && t.causes().contains(new Cause.MsixTable(0xc0012000L, 0xc001240fL)), table.toString());
    }

    /**
     * msix-relocation/s1 (inner-cmd.txt: both devices with x-msix-relocation=bar2): info pci shows 08.0 BAR0 16 KiB
     * and a BAR2 of 4 KiB the host's nvme does not have, 0a.0 BAR1 4 KiB, a new BAR2 4 KiB and BAR4 16 KiB: 11 pages.
     * The real flat view has the msix-table at the start of each new BAR2 and the old BARs mmapped whole. Without the
     * option barmap keeps the table where the device has it (08.0 BAR0 0x2000, 0a.0 BAR1 0x0): those two pages trap
     * in the prediction and are direct in reality, and the two BAR2s have no prediction. 7 pages agree; each of the 4
     * differences names x-msix-relocation.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void msixRelocation_namesTheRelocation(String version) throws IOException {
        Run r = run(version, "msix-relocation", "s1");
        Prediction.Made p = r.prediction();
        assertEquals(11, p.pages());
        assertEquals(7, p.agreeingPages());
        assertEquals(List.of("0000:00:08.0 BAR0 c0002000 x1", "0000:00:08.0 BAR2 c0010000 x1", "0000:00:0a.0 BAR1 c0020000 x1",
                "0000:00:0a.0 BAR2 c0030000 x1"), where(p));
        for (Difference d : p.differences()) assertTrue(d.possibly().contains(Possibly.X_MSIX_RELOCATION), d.toString());
        assertEquals(new Verdict.Direct(), p.differences().getFirst().real());
        assertEquals(new Missing.NoHostBar(), p.differences().get(1).missing().orElseThrow());
        assertTrue(p.differences().get(1).predicted().isEmpty());
    }

    /**
     * shared-page/s1: 03:01.0's 16-byte BAR0 at 0xc0000000 with the emulated i6300esb at 0xc0000010 in the same page
     * (real flat view: "00000000c0000010-00000000c000001f (prio 1, i/o): i6300esb" between two pieces of
     * "0000:03:01.0 BAR 0 mmaps[0]"), 01:01.0 BAR1 at 0xc0001000 and 02:01.0 BAR0 at 0xc0001100 sharing a page: 3
     * pages, all trapped in reality. The i6300esb piece goes into the prediction as a stand-in (without it the
     * expanded 03:01.0 page would be direct), so all 3 agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void sharedPage_theEmulatedNeighbourIsInThePredictionToo(String version) throws IOException {
        Run r = run(version, "shared-page", "s1");
        var esb = r.real().bars().stream().filter(b -> b.hostBdf().equals("0000:03:01.0")).findFirst().orElseThrow();
        assertTrue(esb.runs().getFirst().verdict() instanceof Verdict.Trapped t
                && t.causes().contains(new Cause.OtherRegion("i6300esb", 0xc0000010L, 0xc000001fL)), esb.toString());
        assertEquals(3, r.prediction().pages());
        assertEquals(0, r.real().directPages());
        assertEquals(List.of(), r.prediction().differences());
    }

    /**
     * host-not-mmappable/s1: the outer host's 06.0 and 07.0 share one host page, so vfio-pci does not let QEMU mmap
     * their sub-page BARs (real flat view: only "0000:00:06.0 BAR 0" and "0000:00:07.0 BAR 0", i/o, no mmaps). The
     * prediction reads the same from the host's files: 2 pages, both trapped with no mmap, both agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void hostNotMmappable_bothSidesTrapWithoutMmap(String version) throws IOException {
        Run r = run(version, "host-not-mmappable", "s1");
        for (var b : r.real().bars()) assertEquals(new Verdict.Trapped(List.of(new Cause.NotMmapped())), b.runs().getFirst().verdict(), b.toString());
        assertEquals(2, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
    }

    /** moves/s5: the guest turned decoding off, the map has no vfio BAR: nothing to compare, and nothing claimed. */
    @ParameterizedTest
    @ValueSource(strings = {"7.2", "10.0", "11.1"})
    void decodingOff_nothingToCompare(String version) throws IOException {
        Run r = run(version, "moves", "s5");
        assertEquals(List.of(), r.real().bars());
        assertEquals(0, r.prediction().pages());
        assertEquals(List.of(), r.prediction().differences());
    }
}
