package dev.barmap.model.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.barmap.model.FuzzContract;

/** /proc/iomem parser: returns a tree or one BadInputException; whatever it accepts renders to a fixed point. */
class IomemFuzzTest {
    static final String FILE = "proc/iomem";

    @FuzzTest(maxDuration = "15s")
    void parse(byte[] data) {
        FuzzContract.onlyBadInput(FILE, () -> {
            Iomem.Parsed p = Iomem.parse(FILE, FuzzContract.text(data), n -> n.startsWith("PCI") || n.startsWith("0000:"));
            if (p.addressesHidden() || maxDepth(p.tree()) > Iomem.MAX_IORES_LEVEL) return; // r_show caps the indent: deeper trees are lossy by design
            String once = Iomem.render(p.tree());
            Iomem.Parsed again = Iomem.parse(FILE, once, n -> n.startsWith("PCI") || n.startsWith("0000:"));
            assertEquals(once, Iomem.render(again.tree()), "render(parse(render(parse(x)))) != render(parse(x))");
            assertEquals(p.tree().all().size(), again.tree().all().size());
        });
    }

    static int maxDepth(ResourceTree t) {
        int[] max = {0};
        t.forEach(r -> max[0] = Math.max(max[0], r.depth()));
        return max[0];
    }
}
