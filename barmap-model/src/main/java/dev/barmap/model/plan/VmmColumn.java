package dev.barmap.model.plan;

import dev.barmap.model.vmm.BootFailure;

import java.util.List;

/**
 * One VMM's column of the plan. {@code failure} is null when the VMM starts; then every BAR has a verdict.
 * {@code placement} names who chose the guest BAR addresses: the guest ({@code seabios}, {@code linux}, ...) or the
 * VMM's own allocator ({@code cloud-hypervisor allocate_bars}, ...); empty when the VMM failed before placing.
 */
public record VmmColumn(String vmm, String label, List<String> sources, BootFailure failure, List<BarVerdict> bars,
                        List<IsolationViolation> violations, List<String> warnings, String placement) {
    public VmmColumn(String vmm, String label, List<String> sources, BootFailure failure, List<BarVerdict> bars,
                     List<IsolationViolation> violations, List<String> warnings) {
        this(vmm, label, sources, failure, bars, violations, warnings, "");
    }

    public VmmColumn {
        placement = placement == null ? "" : placement;
        sources = List.copyOf(sources);
        bars = List.copyOf(bars);
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
    }
}
