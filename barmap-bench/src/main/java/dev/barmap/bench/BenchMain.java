package dev.barmap.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code java -jar benchmarks.jar p3 | p3-flat | replay}: runs {@link ResourceTreeBench} / {@link FlatViewBench} /
 * {@link ReplayBench} in one JMH run and prints its BENCHMARKS.md table whole. Every cell is ns per operation
 * from all measured samples of all forks:
 * <ul>
 *   <li>{@code mean ± e} when JMH's 99.9% confidence half-width e is below 20% of the mean (settled);</li>
 *   <li>otherwise {@code median [q1–q3]} of the raw samples (interquartile range), marked {@code m}: the
 *       samples are too spread for the mean to settle (other processes on the machine), and the median is what
 *       the ratio then uses.</li>
 * </ul>
 * Any other arguments go to JMH's own command line ({@code -l}, {@code -h}, a regexp...).
 */
public final class BenchMain {
    private BenchMain() {}

    /** Settled when the 99.9% error is below this share of the mean. */
    static final double SETTLED = 0.20;

    /** BARMAP_BENCH_SMOKE=1: one fork, 1 warm-up and 3 measured iterations, to try the scripts; tables say so. */
    static final boolean SMOKE = System.getenv("BARMAP_BENCH_SMOKE") != null;

    public static void main(String[] args) throws Exception {
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (args.length > 0 ? args[0] : "") {
            case "p3" -> p3(ResourceTreeBench.class, "P3 resource tree", rest);
            case "p3-flat" -> p3(FlatViewBench.class, "P3 flat view", rest);
            case "replay" -> ReplayBench.report(run(ReplayBench.class, new String[0]));
            default -> org.openjdk.jmh.Main.main(args);
        }
    }

    /** One cell: ns/op statistics over the raw samples. */
    record Cell(double mean, double error, double median, double q1, double q3, int samples) {
        boolean settled() { return error < SETTLED * mean; }

        /** The figure ratios use: the mean when settled, else the median. */
        double value() { return settled() ? mean : median; }

        @Override
        public String toString() {
            return settled() ? String.format("%s ± %s", num(mean), num(error))
                    : String.format("%s [%s–%s] m", num(median), num(q1), num(q3));
        }
    }

    static String num(double v) {
        return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }

    /** ns/op cell of one JMH result (a sample of a batch is divided by the batch size). */
    static Cell cell(RunResult r) {
        int batch = r.getParams().getMeasurement().getBatchSize(); // JMH scores one batch as one op
        var xs = new ArrayList<Double>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) xs.add(it.getPrimaryResult().getScore() / batch);
        }
        double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        var s = r.getPrimaryResult();
        return new Cell(s.getScore() / batch, s.getScoreError() / batch, quantile(v, 0.5), quantile(v, 0.25),
                quantile(v, 0.75), v.length);
    }

    /** Linear interpolation between order statistics (type 7, as R's default). */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    static List<RunResult> run(Class<?> bench, String[] ns) throws RunnerException {
        var opt = new OptionsBuilder().include(bench.getName() + "\\.");
        // plain numbers restrict n; NAME=VALUE restricts another @Param (layout=overlap)
        var sizes = java.util.Arrays.stream(ns).filter(a -> !a.contains("=")).toArray(String[]::new);
        if (sizes.length > 0) opt.param("n", sizes);
        java.util.Arrays.stream(ns).filter(a -> a.contains("=")).forEach(a -> opt.param(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1)));
        if (SMOKE) opt.forks(1).warmupIterations(1).measurementIterations(3); // checks the plumbing, measures nothing
        return new ArrayList<>(new Runner(opt.build()).run());
    }

    /** One JMH run of {@code bench} (all its @Params, or n restricted to {@code ns}) and its table; an op with a
     * {@code layout} param is reported as {@code op/layout}. */
    static void p3(Class<?> bench, String title, String[] ns) throws RunnerException {
        // result: op -> impl -> n -> cell
        Map<String, Map<String, Map<Integer, Cell>>> t = new TreeMap<>();
        int forks = 0, samples = 0;
        for (RunResult r : run(bench, ns)) {
            String m = r.getParams().getBenchmark();
            m = m.substring(m.lastIndexOf('.') + 1);
            String impl = m.endsWith("Fast") ? "barmap" : "linear";
            String op = m.substring(0, m.length() - (m.endsWith("Fast") ? 4 : 6));
            String layout = r.getParams().getParam("layout");
            if (layout != null) op += "/" + layout;
            int n = Integer.parseInt(r.getParams().getParam("n"));
            forks = r.getParams().getForks();
            Cell c = cell(r);
            samples = Math.max(samples, c.samples());
            t.computeIfAbsent(op, k -> new TreeMap<>()).computeIfAbsent(impl, k -> new TreeMap<>()).put(n, c);
        }
        var sizes = new java.util.TreeSet<Integer>();
        t.values().forEach(impls -> impls.values().forEach(byN -> sizes.addAll(byN.keySet())));
        var out = new StringBuilder();
        out.append("| operation | impl |");
        for (int n : sizes) out.append(" n=").append(n >= 1000 ? n / 1000 + "k" : n).append(" ns/op |");
        out.append(" 100k/1k | linear/barmap at 100k |\n|---|---|");
        for (int n : sizes) out.append("---:|");
        out.append("---:|---:|\n");
        int[] unsettled = {0, 0};
        t.forEach((op, impls) -> impls.forEach((impl, byN) -> {
            Cell lo = byN.get(1000), hi = byN.get(100000);
            out.append("| ").append(op).append(" | ").append(impl);
            for (int n : sizes) {
                Cell v = byN.get(n);
                out.append(" | ").append(v == null ? "-" : v.toString());
                if (v != null) {
                    unsettled[1]++;
                    if (!v.settled()) unsettled[0]++;
                }
            }
            out.append(" | ").append(lo != null && hi != null ? ratio(hi.value() / lo.value()) : "-");
            Cell fastHi = impls.containsKey("barmap") ? impls.get("barmap").get(100000) : null;
            out.append(" | ").append(impl.equals("linear") && hi != null && fastHi != null ? ratio(hi.value() / fastHi.value()) : "").append(" |\n");
        }));
        System.out.println();
        System.out.println(title + (SMOKE ? " SMOKE RUN, NOT A MEASUREMENT" : "") + " (" + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name") + " "
                + Runtime.version() + "; " + forks + " forks, up to " + samples + " samples per cell; " + unsettled[0] + " of " + unsettled[1]
                + " cells not settled (99.9% error ≥ 20% of the mean): median [IQR] m)");
        System.out.print(out);
    }

    /** 653×, 4.5×, 0.12× (the linear reference can be the faster one). */
    static String ratio(double r) {
        return String.format(r >= 10 ? "%.0f×" : r >= 1 ? "%.1f×" : "%.2f×", r);
    }
}
