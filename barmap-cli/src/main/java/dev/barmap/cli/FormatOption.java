package dev.barmap.cli;

import dev.barmap.cli.report.Outputs;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Refuses, as a usage error (exit 2, before any input is read), a {@code --format} the command's registry lacks. */
final class FormatOption {
    private FormatOption() {}

    static void check(Outputs<?> outputs, Format format, CommandSpec spec) {
        if (!outputs.has(format)) throw new CommandLine.ParameterException(spec.commandLine(), outputs.refusal(format));
    }
}
