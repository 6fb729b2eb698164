package dev.barmap.model.plan;

import dev.barmap.model.guest.GuestBar;
import dev.barmap.model.guest.GuestPlatform;
import dev.barmap.model.passthrough.HostDevice;
import dev.barmap.model.vmm.Passthrough;
import dev.barmap.model.vmm.Qemu;
import dev.barmap.model.vmm.Topology;
import dev.barmap.model.vmm.VmmPolicy;
import dev.barmap.model.vmm.qemu.QemuOptions;
import dev.barmap.model.vmm.qemu.QemuVersion;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The finding of the nested QEMU oracle (testdata/qemu-nested: real 7.2.22, 10.0.13 and 11.1.3 printed the same flat
 * view and pci container in every scenario; the mapping code reads the same in their sources, see
 * {@link QemuVersion}): the three QEMU policies give the same plan for any host, placement, page size and options,
 * apart from their id and label.
 */
class QemuVersionsPropertiesTest {
    static final List<QemuOptions> OPTIONS = List.of(QemuOptions.DEFAULT, QemuOptions.DEFAULT.withMsixRelocation(2),
            QemuOptions.DEFAULT.withNoMmap(true), QemuOptions.DEFAULT.withNoMsixEmulation(true).withPbaEmulated(true));

    @Provide
    Arbitrary<Long> pageSizes() { return Arbitraries.of(0x1000L, 0x4000L, 0x10000L); }

    @Provide
    Arbitrary<Integer> firmwares() { return Arbitraries.integers().between(0, 3); }

    @Property(tries = 200, seed = "20261130")
    void everyQemuVersionPlansAlike(@ForAll long seed, @ForAll("pageSizes") long page, @ForAll("firmwares") int fw,
                                    @ForAll @IntRange(min = 1, max = 4) int devices, @ForAll @IntRange(min = 0, max = 3) int opt) {
        var rnd = new Random(seed);
        List<HostDevice> host = IsolationPropertiesTest.randomHost(rnd, page, devices);
        var emulated = new ArrayList<GuestBar>();
        if (rnd.nextBoolean()) emulated.add(GuestBar.mem32("emu@1f.0", 0, 1L << (4 + rnd.nextInt(8))));
        var topo = new Topology(host.stream().map(Passthrough::new).toList(), emulated, GuestPlatform.x86());
        List<VmmPolicy> qemus = Qemu.versions().stream().<VmmPolicy>map(q -> q.with(OPTIONS.get(opt))).toList();
        Plan plan = Plan.compute(topo, IsolationPropertiesTest.firmware(fw, host, page), qemus, page);

        assertEquals(List.of("qemu-7.2", "qemu-10.0", "qemu-11.1"), plan.columns().stream().map(VmmColumn::vmm).toList());
        VmmColumn first = withoutVersion(plan.columns().getFirst());
        for (VmmColumn c : plan.columns()) assertEquals(first, withoutVersion(c), c.vmm() + " vs qemu-7.2 on " + host);
    }

    /** The column with its id and the version in its label blanked. */
    static VmmColumn withoutVersion(VmmColumn c) {
        String label = c.label().replaceFirst("^QEMU [0-9.]+", "QEMU");
        return new VmmColumn("", label, c.sources(), c.failure(), c.bars(), c.violations(), c.warnings(), c.placement());
    }
}
