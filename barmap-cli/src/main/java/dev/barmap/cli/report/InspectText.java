package dev.barmap.cli.report;

import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.Inspection.BarReport;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Run;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;
import dev.barmap.model.plan.PlanText;

/** {@code barmap inspect} as text: one block per passed-through BAR, its pages as runs with their verdicts. */
public final class InspectText {
    private InspectText() {}

    public static String render(Inspection in) {
        var sb = new StringBuilder();
        sb.append("QEMU memory map from ").append(in.source()).append("; host page ").append(PlanText.size(in.pageSize())).append('\n');
        sb.append(in.accel().map(a -> "QEMU reports memory slots of accelerator " + a + "\n")
                .orElse("no accelerator memory slots reported (TCG, or a dump without them): verdicts are what KVM does with this map\n"));
        if (!in.sizesKnown()) sb.append("no 'info pci' given: BAR sizes are QEMU's region sizes (a sub-page BAR expanded to a page shows as a page)\n");
        if (in.bars().isEmpty()) {
            sb.append("no vfio-pci BARs in this map (no \"<host BDF> base BAR <n>\" regions)\n");
            return sb.toString();
        }
        for (BarReport b : in.bars()) {
            sb.append('\n').append(b.hostBdf()).append(" BAR").append(b.bar());
            b.guestBdf().ifPresent(g -> sb.append(" (guest ").append(g).append(')'));
            sb.append(b.io() ? "  I/O " : "  ").append(String.format("0x%08x-0x%08x", b.start(), b.start() + b.size() - 1));
            sb.append("  ").append(PlanText.size(b.size())).append(b.sizeKnown() ? "" : " (QEMU's region; true size unknown)");
            if (!b.io()) sb.append(String.format("  %d of %d page%s direct", b.directPages(), b.pages(), b.pages() == 1 ? "" : "s"));
            sb.append('\n');
            for (Run r : b.runs()) {
                sb.append(String.format("  0x%08x", r.start()));
                if (!b.io()) sb.append(String.format(" %6d page%s", r.pages(), r.pages() == 1 ? " " : "s"));
                sb.append("  ");
                switch (r.verdict()) {
                    case Verdict.Direct d -> sb.append("direct (a KVM memory slot over the vfio mmap)");
                    case Verdict.Trapped t -> sb.append("trapped: ").append(causes(t, in.pageSize()));
                }
                sb.append('\n');
            }
        }
        sb.append(String.format("%nmemory BARs: %d of %d guest pages direct%n", in.directPages(), in.memoryPages()));
        return sb.toString();
    }

    /** The causes joined; the other regions in the page as one list. */
    static String causes(Verdict.Trapped t, long page) {
        var parts = new java.util.ArrayList<String>();
        var others = new java.util.ArrayList<String>();
        for (Cause c : t.causes()) {
            if (c instanceof Cause.OtherRegion o) others.add(String.format("%s 0x%08x-0x%08x", o.name(), o.start(), o.end()));
            else parts.add(cause(c, page));
        }
        if (!others.isEmpty()) parts.add((others.size() == 1 ? "another region takes part of the page: " : "other regions take parts of the page: ")
                + String.join(", ", others));
        return String.join("; ", parts);
    }

    /** barmap's own wording for a cause (not QEMU's). */
    static String cause(Cause c, long page) {
        return switch (c) {
            case Cause.IoPort i -> "port I/O, every access exits (KVM has no memory slots for I/O space)";
            case Cause.MsixTable m -> String.format("QEMU emulates the MSI-X table at 0x%08x-0x%08x", m.start(), m.end());
            case Cause.MsixPba m -> String.format("QEMU emulates the MSI-X PBA at 0x%08x-0x%08x", m.start(), m.end());
            case Cause.NotMmapped n -> "QEMU has no mmap of this BAR (the host region is not mmappable, x-no-mmap, or mmaps disabled while INTx is pending; info mtree does not say which)";
            case Cause.OtherRegion o -> String.format("%s at 0x%08x-0x%08x takes part of the page", o.name(), o.start(), o.end());
            case Cause.StaleBaseBar s -> String.format("%s at 0x%08x-0x%08x, a base BAR left page-sized after its BAR moved to an unaligned address, takes part of the page",
                    s.name(), s.start(), s.end());
            case Cause.SlotMisaligned s -> String.format("this BAR's mmap covers 0x%08x-0x%08x of the page, not a whole %s page (KVM takes whole pages only)",
                    s.start(), s.end(), PlanText.size(page));
        };
    }
}
