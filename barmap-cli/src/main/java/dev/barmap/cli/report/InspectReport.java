package dev.barmap.cli.report;

import dev.barmap.model.vmm.qemu.monitor.Inspection;
import dev.barmap.model.vmm.qemu.monitor.Prediction;

/** What {@code barmap inspect} reports: QEMU's own map judged page by page, and barmap's prediction for the host compared with it. */
public record InspectReport(Inspection inspection, Prediction prediction) {}
