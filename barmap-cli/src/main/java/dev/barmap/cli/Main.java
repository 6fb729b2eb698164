package dev.barmap.cli;

import dev.barmap.model.BadInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code barmap} command. Exit codes: 0 ok, 1 a finding that fails a check, 2 bad input or usage. */
@Command(name = "barmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Which registers of a PCI device passed through with VFIO reach the guest directly, which trap, and why."},
        subcommands = {ScanCommand.class, PlanCommand.class, HotplugCommand.class, AuditCommand.class, FleetCommand.class, GenerateCommand.class, CaptureCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs barmap with the given streams (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, CommandLine.defaultFactory());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with the commands made by {@code factory} (tests). */
    static int run(String[] args, PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
        Class<?> sub = args.length > 0 ? subcommand(args[0]) : null;
        CommandLine cl;
        if (sub != null) {
            // Only the named subcommand's model is built: picocli builds every subcommand's model from its
            // annotations, by reflection, when the top command is created, and that was the largest part
            // of barmap's start-up (P1 in BENCHMARKS.md). Usage and errors still say "barmap NAME".
            cl = new CommandLine(sub, factory);
            cl.setCommandName("barmap " + args[0]);
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        } else {
            cl = new CommandLine(new Main(), factory);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof BadInputException b) {
                err.println("barmap: error: " + b.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw ex;
        });
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /** The subcommand class named {@code name} in this class's {@code @Command(subcommands)}, or null (help, unknown). */
    static Class<?> subcommand(String name) {
        for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
            Command sub = c.getAnnotation(Command.class);
            if (sub != null && sub.name().equals(name) && c != CommandLine.HelpCommand.class) return c;
        }
        return null;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"barmap " + (v == null ? "dev" : v)};
        }
    }
}
