package dev.barmap.cli;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.cli.report.ScanJson;
import dev.barmap.cli.report.Terminal;
import dev.barmap.host.HostReader;
import dev.barmap.host.LspciReader;
import dev.barmap.host.ProbeJson;
import dev.barmap.model.BadInputException;
import dev.barmap.model.host.Host;
import dev.barmap.model.scan.Check;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.scan.Scanner;
import dev.barmap.model.scan.Verdict;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code barmap fleet DIR...}: scans many hosts (captures, lspci dumps) in parallel, writes one JSON
 * line per host, and summarises: hosts, devices, BARs by verdict, worst hosts first. A host that cannot
 * be read is reported by name and skipped; the run goes on.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Scan many hosts at once: each DIR is a host (a capture with sys/, an lspci file, a directory of lspci files "
                + "with a capture.properties or an IOMMU group listing) or a directory of such hosts; a directory of lspci files "
                + "alone is a folder of pastes, one host per file. Prints a summary, worst hosts first; --jsonl writes one JSON line per host.",
                "Exit status: 0 all hosts read, 2 some hosts skipped as bad input (the others are still scanned and reported)."})
public final class FleetCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Hosts, or directories of hosts.")
    List<Path> dirs;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "Write one JSON line per host (the scan JSON plus host, summary) to FILE, or - for stdout (the summary then goes to stderr).")
    String jsonl;

    @Option(names = "--page-size", paramLabel = "BYTES", converter = Sizes.class, description = "Page size to assume for every host.")
    Long pageSize;

    @Option(names = "--kernel", paramLabel = "RELEASE", description = "Kernel release whose vfio-pci rules to apply to every host.")
    String kernel;

    @Option(names = "--top", paramLabel = "N", description = "How many of the worst hosts to list (default 10).")
    int top = 10;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel workers (default: the number of cores).")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-progress", description = "No progress bar (it is shown only on a terminal anyway).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    /** One host's outcome. */
    public record HostResult(String name, String error, int devices, EnumMap<Verdict, Integer> verdicts, EnumMap<Check, Integer> checks,
                             String kernel, long pageSize, String json) {
        boolean ok() { return error == null; }
        int count(Check c) { return checks == null ? 0 : checks.getOrDefault(c, 0); }
    }

    @Option(names = "--host-timeout", paramLabel = "SECONDS", description = "Give up on a host that takes longer than this (default 60): it is reported as skipped and the run goes on.")
    int hostTimeout = 60;

    @Option(names = "--host-max-size", paramLabel = "BYTES", converter = Sizes.class,
            description = "Give up on a host whose files barmap reads come to more than this (default 256M): it is reported as skipped and the run goes on.")
    long hostMaxSize = 256L << 20;

    @Override
    public Integer call() {
        if (hostMaxSize <= 0) throw new BadInputException("--host-max-size", 0, "must be a positive byte count, got " + hostMaxSize);
        if (hostTimeout <= 0) throw new BadInputException("--host-timeout", 0, "must be a positive number of seconds, got " + hostTimeout);
        if (jobs <= 0 || jobs > 1024) throw new BadInputException("--jobs", 0, "must be 1 to 1024, got " + jobs);
        var badArgs = new ArrayList<HostResult>();
        List<Path> hosts = discover(dirs, badArgs);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter summaryOut = "-".equals(jsonl) ? spec.commandLine().getErr() : out;
        JsonlOut lines = "-".equals(jsonl) ? new JsonlOut(out) : jsonl != null ? JsonlOut.file(Path.of(jsonl)) : null;
        boolean progress = !noProgress && Terminal.colour();
        var options = new HostReader.Options(pageSize, kernel);
        var results = new ArrayList<HostResult>(hosts.size() + badArgs.size());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
            Thread t = new Thread(r, "barmap-fleet");
            t.setDaemon(true);
            return t;
        });
        boolean done = false;
        try {
            for (HostResult r : badArgs) {
                results.add(r);
                if (lines != null) lines.line(r.json());
            }
            var futures = new ArrayList<Future<HostResult>>(hosts.size());
            var started = new java.util.concurrent.atomic.AtomicLongArray(hosts.size());
            boolean wantJson = lines != null;
            for (int i = 0; i < hosts.size(); i++) {
                Path h = hosts.get(i);
                int n = i;
                futures.add(pool.submit(() -> {
                    started.set(n, System.nanoTime());
                    return scanOne(h, options, wantJson, hostMaxSize);
                }));
            }
            long budget = hostTimeout * 1_000_000_000L;
            for (int i = 0; i < futures.size(); i++) {
                HostResult r = null;
                Future<HostResult> f = futures.get(i);
                while (r == null) {
                    try {
                        r = f.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        long t0 = started.get(i);
                        if (t0 != 0 && System.nanoTime() - t0 > budget) {
                            f.cancel(true); // interrupts the worker: file channels are interruptible
                            r = failed(hosts.get(i), "took longer than --host-timeout " + hostTimeout + " s: skipped");
                        }
                    } catch (ExecutionException e) {
                        Throwable c = e.getCause();
                        r = failed(hosts.get(i), c instanceof StackOverflowError ? "input nests too deeply" : "internal error (a bug in barmap): " + c);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                results.add(r);
                if (lines != null) lines.line(r.json());
                if (progress) progress(spec.commandLine().getErr(), i + 1, hosts.size());
            }
            if (lines != null) lines.commit();
            done = true;
        } finally {
            pool.shutdownNow();
            if (lines != null && !done) lines.abandon();
        }
        if (progress) spec.commandLine().getErr().print("\u001b[1G\u001b[K");
        summaryOut.print(summary(results, top));
        summaryOut.flush();
        long skipped = results.stream().filter(r -> !r.ok()).count();
        if (skipped == 0) return 0;
        spec.commandLine().getErr().println("barmap: error: " + skipped + " of " + results.size() + " hosts skipped as bad input (listed in the summary)");
        return Main.EXIT_BAD_INPUT;
    }

    /**
     * Where {@code --jsonl} goes. A file is written as {@code .NAME.tmp-PID} beside it and renamed over it only
     * when the run is complete, so FILE is never truncated before the run and never left with a cut-off last line;
     * the temporary file is removed on failure and on an interrupt (SIGINT/SIGTERM run the shutdown hook; a
     * {@code kill -9} leaves it, under a dot-name). Stdout gets each line in one write, then a flush.
     */
    static final class JsonlOut {
        private final Writer w;
        private final Path file, tmp;
        private final Thread cleanup;

        JsonlOut(Writer w) {
            this(w, null, null);
        }

        private JsonlOut(Writer w, Path file, Path tmp) {
            this.w = w;
            this.file = file;
            this.tmp = tmp;
            this.cleanup = tmp == null ? null : new Thread(() -> {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // nothing more to do while the JVM exits
                }
            });
            if (cleanup != null) Runtime.getRuntime().addShutdownHook(cleanup);
        }

        static JsonlOut file(Path file) {
            Path abs = file.toAbsolutePath();
            Path dir = abs.getParent();
            if (Files.isDirectory(abs)) throw new BadInputException(file.toString(), 0, "--jsonl: is a directory");
            Path tmp = dir.resolve("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            try {
                // CREATE_NEW: never follows or truncates a file (or symlink) already there
                Writer w = new BufferedWriter(new java.io.OutputStreamWriter(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE), StandardCharsets.UTF_8));
                return new JsonlOut(w, file, tmp);
            } catch (IOException e) {
                throw new Main.OutputFailure("--jsonl " + file, e);
            }
        }

        void line(String json) {
            try {
                w.write(json + "\n");
                if (file == null) w.flush();
            } catch (IOException e) {
                throw new Main.OutputFailure(file == null ? "stdout" : "--jsonl " + file, e);
            }
        }

        void commit() {
            try {
                w.flush();
                if (file == null) {
                    if (w instanceof PrintWriter pw && pw.checkError()) throw new IOException("write error");
                    return;
                }
                w.close();
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IOException e) {
                abandon();
                throw new Main.OutputFailure(file == null ? "stdout" : "--jsonl " + file, e);
            }
        }

        void abandon() {
            if (tmp == null) return;
            try {
                w.close();
            } catch (IOException e) {
                // already failing
            }
            try {
                Files.deleteIfExists(tmp);
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IOException | IllegalStateException e) {
                // the hook will try again, or the JVM is already exiting
            }
        }
    }

    /**
     * Expands the arguments into host inputs (see the command description). An argument that is neither a host
     * nor a readable directory is added to {@code bad} with the reason, and the others go on.
     */
    public static List<Path> discover(List<Path> args, List<HostResult> bad) {
        var out = new ArrayList<Path>();
        for (Path a : args) {
            try {
                if (isHost(a)) {
                    out.add(a);
                    continue;
                }
                if (!Files.isDirectory(a)) {
                    bad.add(failed(a, "no such file or directory"));
                    continue;
                }
                try (Stream<Path> s = Files.list(a)) {
                    for (Path c : s.sorted().toList()) {
                        String n = c.getFileName().toString();
                        if (n.startsWith(".")) continue;
                        if (Files.isDirectory(c)) out.add(c);
                        else if (Files.isRegularFile(c) && !n.equals("capture.properties") && (n.endsWith(".txt") || n.startsWith("lspci"))) {
                            // a folder of pastes, one host each: only files that look like lspci (a README beside them is not a host)
                            String text = readOrNull(c);
                            if (text != null && dev.barmap.model.lspci.Lspci.looksLikeLspci(text)) out.add(c);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                bad.add(failed(a, "cannot read: " + (e instanceof IOException io ? reason(io) : e.getMessage())));
            }
        }
        return out;
    }

    /** The short reason of an I/O error (without the exception class). */
    private static String reason(IOException e) {
        return e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason() : String.valueOf(e.getMessage());
    }

    /**
     * A host by itself: a file, a capture ({@code sys/}), or a directory of files about one host, which is a
     * directory with a {@code capture.properties} or with an IOMMU group listing beside the lspci text. Any
     * other directory of files is a folder of per-host pastes (one host per file), and a directory of
     * directories holds hosts.
     */
    private static boolean isHost(Path p) throws IOException {
        if (Files.isRegularFile(p)) return true;
        if (!Files.isDirectory(p)) return false;
        if (Files.isDirectory(p.resolve("sys"))) return true;
        List<Path> entries;
        try (Stream<Path> s = Files.list(p)) {
            entries = s.toList();
        }
        if (entries.stream().anyMatch(Files::isDirectory)) return false;
        if (Files.isRegularFile(p.resolve("capture.properties"))) return true;
        return entries.stream().anyMatch(FleetCommand::isGroupListing);
    }

    /** A regular file's text within the text cap, or null (a FIFO, a device or an oversized file is not read here). */
    private static String readOrNull(Path f) {
        try {
            return dev.barmap.host.Jail.NONE.read(f, dev.barmap.host.Jail.TEXT_CAP);
        } catch (dev.barmap.model.BadInputException | UncheckedIOException e) {
            return null;
        }
    }

    /** An IOMMU group listing file: its first non-blank line starts "IOMMU Group" (the usual listing scripts). */
    private static boolean isGroupListing(Path f) {
        String n = f.getFileName().toString();
        if (!n.startsWith("iommu")) {
            String text = readOrNull(f);
            if (text == null) return false;
            String first = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
            return first.startsWith("IOMMU Group") || first.startsWith("IOMMU group");
        }
        return true;
    }

    private static final ObjectWriter LINE = ProbeJson.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    static HostResult scanOne(Path p, HostReader.Options options, boolean wantJson, long maxBytes) {
        String name = p.toString();
        try {
            Host host = dev.barmap.host.Jail.withBudget(maxBytes, "--host-max-size", () -> LspciReader.readAny(p, options));
            ScanResult r = Scanner.scan(host);
            var verdicts = new EnumMap<Verdict, Integer>(Verdict.class);
            var checks = new EnumMap<Check, Integer>(Check.class);
            for (Verdict v : Verdict.values()) verdicts.put(v, 0);
            for (Check c : Check.values()) checks.put(c, 0);
            for (DeviceResult d : r.devices()) {
                for (RegionResult rr : d.regions()) {
                    if (rr.index() > 6 || rr.verdict() == null || rr.verdict() == Verdict.ABSENT) continue;
                    verdicts.merge(rr.verdict(), 1, Integer::sum);
                    checks.merge(Check.of(rr, d.function().resource(rr.index())), 1, Integer::sum);
                }
            }
            String json = null;
            if (wantJson) {
                ObjectNode o = ProbeJson.MAPPER.createObjectNode();
                o.put("host", name);
                ObjectNode s = o.putObject("summary");
                for (Verdict v : List.of(Verdict.DIRECT, Verdict.PARTIAL, Verdict.TRAPPED)) s.put(v.word(), verdicts.get(v));
                for (Check c : Check.values()) s.put(c.name(), checks.get(c));
                o.setAll(ScanJson.toJson(r));
                json = LINE.writeValueAsString(o);
            }
            return new HostResult(name, null, r.devices().size(), verdicts, checks, host.kernel().toString(), host.pageSize(), json);
        } catch (BadInputException e) {
            return failed(p, e.getMessage());
        } catch (UncheckedIOException | com.fasterxml.jackson.core.JsonProcessingException e) {
            return failed(p, e.getMessage());
        } catch (StackOverflowError e) {
            return failed(p, "input nests too deeply");
        }
    }

    static HostResult failed(Path p, String why) {
        ObjectNode o = ProbeJson.MAPPER.createObjectNode();
        o.put("host", p.toString());
        o.put("error", why);
        String json;
        try {
            json = LINE.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new HostResult(p.toString(), why, 0, null, null, null, 0, json);
    }

    private static void progress(PrintWriter err, int done, int total) {
        if (done != total && done % Math.max(1, total / 200) != 0) return;
        int width = 40, filled = (int) ((long) width * done / total);
        err.printf("\u001b[1G[%s%s] %d/%d hosts", "#".repeat(filled), " ".repeat(width - filled), done, total);
        err.flush();
    }

    /** The fleet summary: totals, BARs by verdict and check, worst hosts first, skipped hosts by name. */
    public static String summary(List<HostResult> results, int top) {
        var ok = results.stream().filter(HostResult::ok).toList();
        var bad = results.stream().filter(r -> !r.ok()).toList();
        long devices = ok.stream().mapToLong(HostResult::devices).sum();
        var v = new EnumMap<Verdict, Long>(Verdict.class);
        var c = new EnumMap<Check, Long>(Check.class);
        for (HostResult r : ok) {
            r.verdicts().forEach((k, n) -> v.merge(k, (long) n, Long::sum));
            r.checks().forEach((k, n) -> c.merge(k, (long) n, Long::sum));
        }
        long bars = v.getOrDefault(Verdict.DIRECT, 0L) + v.getOrDefault(Verdict.PARTIAL, 0L) + v.getOrDefault(Verdict.TRAPPED, 0L);
        var sb = new StringBuilder();
        sb.append(String.format("barmap fleet: %d hosts (%d scanned, %d skipped), %d devices, %d BARs and ROMs%n",
                results.size(), ok.size(), bad.size(), devices, bars));
        sb.append(String.format("by verdict: %d direct, %d partial, %d trapped%n", v.getOrDefault(Verdict.DIRECT, 0L),
                v.getOrDefault(Verdict.PARTIAL, 0L), v.getOrDefault(Verdict.TRAPPED, 0L)));
        sb.append(String.format("by check:   %d PASS, %d WARN, %d FAIL, %d INFO%n", c.getOrDefault(Check.PASS, 0L),
                c.getOrDefault(Check.WARN, 0L), c.getOrDefault(Check.FAIL, 0L), c.getOrDefault(Check.INFO, 0L)));
        long clean = ok.stream().filter(r -> r.count(Check.FAIL) == 0 && r.count(Check.WARN) == 0).count();
        sb.append(String.format("hosts with no FAIL and no WARN: %d of %d%n", clean, ok.size()));
        var worst = ok.stream().sorted(Comparator.comparingInt((HostResult r) -> -r.count(Check.FAIL))
                .thenComparingInt(r -> -r.count(Check.WARN)).thenComparing(HostResult::name)).limit(Math.max(0, top)).toList();
        if (!worst.isEmpty()) {
            int w = Math.max(4, worst.stream().mapToInt(r -> r.name().length()).max().orElse(4));
            sb.append(String.format("%nworst hosts first:%n  %-" + w + "s  %4s  %4s  %4s  %7s  %s%n", "HOST", "FAIL", "WARN", "PASS", "DEVICES", "KERNEL / PAGE"));
            for (HostResult r : worst) {
                sb.append(String.format("  %-" + w + "s  %4d  %4d  %4d  %7d  %s / %s%n", r.name(), r.count(Check.FAIL), r.count(Check.WARN),
                        r.count(Check.PASS), r.devices(), r.kernel(), dev.barmap.model.vfio.Sizes.human(r.pageSize())));
            }
        }
        if (!bad.isEmpty()) {
            sb.append(String.format("%nskipped (bad input), %d:%n", bad.size()));
            for (HostResult r : bad) sb.append("  ").append(r.name()).append(": ").append(r.error()).append('\n');
        }
        return sb.toString();
    }
}
