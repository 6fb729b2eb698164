package dev.barmap.cli.report;

import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.Prediction;
import dev.barmap.model.vmm.qemu.monitor.Inspection.BarReport;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Cause;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Run;
import dev.barmap.model.vmm.qemu.monitor.Inspection.Verdict;
import dev.barmap.model.plan.PlanText;

/** {@code barmap inspect} as text: one block per passed-through BAR, its pages as runs with their verdicts. */
public final class InspectText {
    private InspectText() {}

    public static String render(InspectReport report) {
        Inspection in = report.inspection();
        var sb = new StringBuilder(render(in));
        prediction(sb, report.prediction(), in.pageSize());
        return sb.toString();
    }

    /** The comparison with barmap's prediction: one summary line, then one line per differing run of pages. */
    static void prediction(StringBuilder sb, Prediction p, long page) {
        sb.append('\n');
        switch (p) {
            case Prediction.NotMade n -> sb.append("barmap's prediction for this host: not made (").append(why(n.why())).append(")\n");
            case Prediction.Made m when m.pages() == 0 -> sb.append("barmap's prediction for this host (").append(m.host())
                    .append("): no memory BAR pages to compare\n");
            case Prediction.Made m -> {
                sb.append(String.format("barmap's prediction for this host (%s): %d of %d page%s agree%n", m.host(), m.agreeingPages(), m.pages(),
                        m.pages() == 1 ? "" : "s"));
                for (Prediction.Difference d : m.differences()) {
                    sb.append(String.format("  %s BAR%d 0x%08x %d page%s: QEMU %s; barmap %s. Possibly: %s%n", d.hostBdf(), d.bar(), d.start(), d.pages(),
                            d.pages() == 1 ? "" : "s", verdict(d.real(), page),
                            d.predicted().map(v -> "predicted " + verdict(v, page)).orElseGet(() -> "has no prediction: " + missing(d.missing().orElseThrow())),
                            possibly(d.possibly())));
                }
            }
        }
    }

    /** A verdict in a difference line. */
    static String verdict(Verdict v, long page) {
        return switch (v) {
            case Verdict.Direct d -> "direct";
            case Verdict.Trapped t -> "trapped (" + causes(t, page) + ")";
        };
    }

    /** barmap's wording for why there is no prediction. */
    static String why(Prediction.Why w) {
        return switch (w) {
            case Prediction.Why.NoHostGiven n -> "no host files given; --root DIR names them: /, a capture directory or lspci output";
            case Prediction.Why.LiveHostUnreadable u -> "this machine's files cannot be read: " + u.error();
            case Prediction.Why.PageSizeDiffers d -> String.format("the host's page size is %s, QEMU's (--page-size) %s: not this QEMU's host",
                    PlanText.size(d.hostPage()), PlanText.size(d.qemuPage()));
        };
    }

    /** barmap's wording for a BAR it has no verdict for. */
    static String missing(Prediction.Missing m) {
        return switch (m) {
            case Prediction.Missing.NoHostDevice n -> "the host's files have no such device";
            case Prediction.Missing.NoHostBar n -> "the host's device has no such memory BAR";
            case Prediction.Missing.RealizeFailed f -> "its QEMU model refuses the device: " + f.error();
        };
    }

    /** The possible explanations, joined as "a, b or c". */
    static String possibly(java.util.List<Prediction.Possibly> ps) {
        var words = ps.stream().map(InspectText::possibly).toList();
        if (words.size() == 1) return words.getFirst();
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }

    /** barmap's wording for one possible explanation. */
    static String possibly(Prediction.Possibly p) {
        return switch (p) {
            case X_NO_MMAP -> "x-no-mmap=on on this device";
            case INTX_MMAPS_OFF -> "QEMU's mmaps off while an INTx is pending";
            case X_MSIX_RELOCATION -> "x-msix-relocation on this device";
            case BAR_HISTORY -> "where the guest had this BAR before (barmap places it at its final address only)";
            case HOST_CHANGED -> "a host that differs from these files (changed since they were read, or another machine)";
        };
    }

    /** The inspection alone (the per-BAR blocks and the summary). */
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
