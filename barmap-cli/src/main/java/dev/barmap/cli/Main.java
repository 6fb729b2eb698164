package dev.barmap.cli;

import dev.barmap.model.BadInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code barmap} command. Exit codes, the same for every command (README "Exit codes"; enforced by
 * ExitCodeContractTest): 0 answered with nothing failing, 1 answered with a failing finding, 2 bad input or
 * usage, 3 the output could not be written, 4 an internal error (a bug in barmap). Each failure is one line
 * on stderr, never a stack trace.
 */
@Command(name = "barmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Which registers of a PCI device passed through with VFIO reach the guest directly, which trap, and why."},
        subcommands = {ScanCommand.class, PlanCommand.class, HotplugCommand.class, AuditCommand.class, InspectCommand.class, FleetCommand.class, GenerateCommand.class, CaptureCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FINDING = 1;
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_OUTPUT = 3;
    public static final int EXIT_INTERNAL = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // FileOutputStream rather than System.out: PrintStream swallows write errors (a full disk, /dev/full)
        var out = new PrintWriter(new java.io.OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.out), System.out.charset()));
        var err = new PrintWriter(new java.io.OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.err), System.err.charset()), true);
        int rc = run(args, out, err);
        // Exit 0 by returning: System.exit starts the JDK's logging (java.lang.Shutdown.exit calls
        // logRuntimeExit, System.getLogger("java.lang.Runtime"), JDK 21+, JDK-8301627), ~40 classes
        // and java.logging's configuration on every run. Main starts no other non-daemon thread.
        if (rc != 0) System.exit(rc);
    }

    /** Runs barmap with the given streams (used by tests). */
    public static int run(String[] args, PrintWriter rawOut, PrintWriter rawErr) {
        return run(args, rawOut, rawErr, CommandLine.defaultFactory());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with the commands made by {@code factory} (tests). */
    static int run(String[] args, PrintWriter rawOut, PrintWriter rawErr, CommandLine.IFactory factory) {
        boolean colour = dev.barmap.cli.report.Terminal.colour();
        PrintWriter out = new PrintWriter(new SafeWriter(rawOut, colour));
        PrintWriter err = new PrintWriter(new SafeWriter(rawErr, colour), true);
        int rc;
        try {
            rc = execute(args, out, err, factory);
        } catch (OutputFailure e) {
            rc = fail(err, e.getMessage(), EXIT_OUTPUT);
        } catch (BadInputException e) {
            rc = fail(err, e.getMessage(), EXIT_BAD_INPUT);
        } catch (StackOverflowError | OutOfMemoryError e) {
            rc = fail(err, "internal error: input too large or too deeply nested (" + e.getClass().getSimpleName() + ")", EXIT_INTERNAL);
        } catch (RuntimeException e) {
            rc = fail(err, "internal error (a bug in barmap): " + e, EXIT_INTERNAL);
        }
        out.flush();
        if (out.checkError()) rc = fail(err, "could not write the output to stdout (disk full or stream closed?)", EXIT_OUTPUT);
        err.flush();
        return rc;
    }

    /** The one error line: {@code barmap: error: MESSAGE} (the command is in the help hint of usage errors). */
    private static int fail(PrintWriter err, String message, int rc) {
        err.println("barmap: error: " + oneLine(message));
        return rc;
    }

    /** Reports bad input: the one error line, exit 2. */
    static int badInput(BadInputException b, PrintWriter err) {
        return fail(err, b.getMessage(), EXIT_BAD_INPUT);
    }

    /** {@code s} on one line, at most 400 characters: newlines shown as {@code \n}. */
    static String oneLine(String s) {
        String t = String.valueOf(s).replace("\r", "\\r").replace("\n", "\\n");
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    private static int execute(String[] args, PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
        if (args.length > 0 && args[0].equals("scan")) {
            // the lean path of the command typed at a shell; null: picocli parses (help, errors)
            Integer rc = ScanCommand.lean(java.util.Arrays.copyOfRange(args, 1, args.length), out);
            if (rc != null) return rc;
        }
        Class<?> sub = args.length > 0 ? subcommand(args[0]) : null;
        CommandLine cl;
        if (sub != null) {
            // Only the named subcommand's model is built: picocli builds every subcommand's model from its
            // annotations, by reflection, when the top command is created, and that was the largest part
            // of barmap's start-up (P1 in BENCHMARKS.md). Usage and errors still say "barmap NAME".
            cl = new CommandLine(sub, factory);
            cl.setCommandName("barmap " + args[0]);
            cl.getCommandSpec().versionProvider(new Version()); // "barmap scan --version" prints the build's version too
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        } else {
            cl = new CommandLine(new Main(), factory);
        }
        cl.setOut(out);
        cl.setErr(err);
        // a bad option or value: one line naming it, not picocli's default of the whole usage text
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            String help = cmd.startsWith("barmap ") ? "barmap help " + cmd.substring(7) : "barmap help";
            return fail(err, ex.getMessage() + " (see '" + help + "')", EXIT_BAD_INPUT);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof BadInputException b) return fail(err, b.getMessage(), EXIT_BAD_INPUT);
            if (ex instanceof OutputFailure o) return fail(err, o.getMessage(), EXIT_OUTPUT);
            return fail(err, "internal error (a bug in barmap): " + ex, EXIT_INTERNAL);
        });
        return cl.execute(args);
    }

    /** The output (stdout or a file given on the command line) could not be written: exit 3. */
    public static final class OutputFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OutputFailure(String what, java.io.IOException cause) {
            super("could not write " + what + ": " + cause.getMessage(), cause);
        }
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
            return new String[] {"barmap " + version()};
        }

        /** The Maven project version, filtered into version.properties when the jar is built. */
        static String version() {
            var p = new java.util.Properties();
            try (var in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            } catch (java.io.IOException e) {
                return "unknown (version.properties unreadable: " + e.getMessage() + ")";
            }
            String v = p.getProperty("version", "");
            return v.isEmpty() || v.startsWith("${") ? "unknown (not built by Maven)" : v;
        }
    }
}
