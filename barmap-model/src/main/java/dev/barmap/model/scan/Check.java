package dev.barmap.model.scan;

import dev.barmap.model.pci.Bar;

/**
 * Verdicts as check results, in the words virt-host-validate uses: PASS (direct: the guest reaches the
 * BAR without exits), WARN (partial: some pages, the MSI-X table's, trap), FAIL (a memory BAR traps:
 * every access is an exit, and the host could be changed so it would not), INFO (trapped by nature on
 * every host: I/O-port BARs and the expansion ROM, which vfio-pci never mmaps).
 */
public enum Check {
    PASS, WARN, FAIL, INFO;

    /** The check word for a region, or null for regions without a verdict (CONFIG, VGA, absent BARs). */
    public static Check of(RegionResult r, Bar bar) {
        if (r.verdict() == null || r.verdict() == Verdict.ABSENT) return null;
        return switch (r.verdict()) {
            case DIRECT -> PASS;
            case PARTIAL -> WARN;
            case TRAPPED -> r.index() == Bar.ROM || bar.isIo() ? INFO : FAIL;
            case ABSENT -> null;
        };
    }
}
