package dev.barmap.model.plan;

import dev.barmap.model.vmm.BootFailure;

import java.util.List;

/**
 * One VMM's column of the plan. {@code failure} is null when the VMM starts; then every BAR has a verdict.
 */
public record VmmColumn(String vmm, String label, List<String> sources, BootFailure failure, List<BarVerdict> bars,
                        List<IsolationViolation> violations, List<String> warnings) {
    public VmmColumn {
        sources = List.copyOf(sources);
        bars = List.copyOf(bars);
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
    }
}
