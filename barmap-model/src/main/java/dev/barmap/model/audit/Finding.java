package dev.barmap.model.audit;

import dev.barmap.model.scan.Check;
import java.util.List;

/**
 * One audit finding: how bad ({@link Check#FAIL}, {@code WARN} or {@code INFO}), what kind, which
 * functions and BARs, what is wrong, and what would fix it.
 *
 * @param kind    a stable identifier: {@code trapped-bar}, {@code shared-page}, {@code page-size},
 *                {@code msix-shared-page}, {@code msix-unknown}, {@code groups-unknown}
 * @param devices the PCI addresses involved (first = the one the finding is about)
 * @param bar     the BAR name ({@code BAR0}...), or empty when about a page or the host
 * @param fix     what to do, or empty when nothing can be done
 * @param alignedBy the functions whose {@code pci=resource_alignment=} entry is the fix (so the report can join
 *                  them into one kernel parameter without reading the fix text); empty for other fixes
 */
public record Finding(Check severity, String kind, List<String> devices, String bar, String message, String fix, List<String> alignedBy) {
    public Finding {
        devices = List.copyOf(devices);
        alignedBy = List.copyOf(alignedBy);
    }

    public Finding(Check severity, String kind, List<String> devices, String bar, String message, String fix) {
        this(severity, kind, devices, bar, message, fix, List.of());
    }
}
