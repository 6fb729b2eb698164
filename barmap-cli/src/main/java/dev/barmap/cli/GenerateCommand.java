package dev.barmap.cli;

import dev.barmap.host.testing.CaptureGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code barmap generate} (hidden): writes synthetic captures for fleet tests and benchmarks. */
@Command(name = "generate", hidden = true, mixinStandardHelpOptions = true,
        description = {"Write N synthetic host captures (deterministic for a seed) under DIR, named host-00000..."})
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--count", required = true, paramLabel = "N")
    int count;

    @Option(names = "--seed", paramLabel = "S")
    long seed = 1;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        new CaptureGenerator(seed).writeAll(out, count);
        spec.commandLine().getOut().println("wrote " + count + " captures under " + out);
        return 0;
    }
}
