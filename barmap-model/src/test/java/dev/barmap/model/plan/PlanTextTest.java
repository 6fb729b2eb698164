package dev.barmap.model.plan;

import dev.barmap.model.guest.LinuxAssign;
import dev.barmap.model.guest.SeaBios;
import dev.barmap.model.vmm.VmmPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PlanTextTest {
    @Test
    void packedLayoutTable() {
        Plan p = Plan.compute(VmmIssueCasesTest.packedTopology(), new LinuxAssign(), VmmPolicy.all(), 0x1000);
        String text = PlanText.render(p, "qemu7.2-linux-packed");
        var lines = text.lines().toList();
        String header = lines.get(2);
        assertTrue(header.startsWith("BAR "), header);
        for (String col : new String[]{"QEMU 11.1", "cloud-hypervisor v52", "crosvm", "Firecracker", "OpenVMM"}) assertTrue(header.contains(col), col);
        String esb = lines.stream().filter(l -> l.startsWith("0000:00:05.0 BAR0")).findFirst().orElseThrow();
        assertTrue(esb.contains("trapped (page shared)"), esb);
        assertTrue(esb.contains("FAILS"), esb);
        assertTrue(esb.contains("direct 1 page"), esb + " (crosvm: a page of its own, allocate_root_barmem)");
        assertTrue(text.contains("does not start: 0000:00:05.0: Device does not provide MSIx irq"), text);
    }

    @Test
    void seabiosOwnPagesAreDirectUnderQemu() {
        Plan p = Plan.compute(VmmIssueCasesTest.packedTopology(), new SeaBios(), VmmPolicy.all(), 0x1000);
        String text = PlanText.render(p, "seabios");
        String esb = text.lines().filter(l -> l.startsWith("0000:00:05.0 BAR0")).findFirst().orElseThrow();
        assertTrue(esb.contains("direct 1 page"), esb);
        assertTrue(p.isolated());
    }
}
