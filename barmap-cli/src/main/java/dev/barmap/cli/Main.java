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
        int rc = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        // Exit 0 by returning: System.exit starts the JDK's logging (java.lang.Shutdown.exit calls
        // logRuntimeExit, System.getLogger("java.lang.Runtime"), JDK 21+, JDK-8301627), ~40 classes
        // and java.logging's configuration on every run. Main starts no other non-daemon thread.
        if (rc != 0) System.exit(rc);
    }

    /** Runs barmap with the given streams (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && args[0].equals("scan")) {
            // the lean path of the command typed at a shell; null: picocli parses (help, errors)
            Integer rc;
            try {
                rc = ScanCommand.lean(java.util.Arrays.copyOfRange(args, 1, args.length), out);
            } catch (BadInputException b) {
                rc = badInput(b, err);
            }
            if (rc != null) {
                out.flush();
                err.flush();
                return rc;
            }
        }
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
            if (ex instanceof BadInputException b) return badInput(b, err);
            throw ex;
        });
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /** Reports bad input: one line, exit 2. */
    static int badInput(BadInputException b, PrintWriter err) {
        err.println("barmap: error: " + b.getMessage());
        return EXIT_BAD_INPUT;
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
