package dev.barmap.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code java -jar benchmarks.jar p3} / {@code p3-flat}: runs {@link ResourceTreeBench} / {@link FlatViewBench} in one JMH run and prints the
 * BENCHMARKS.md table (ns/op, the n=100k / n=1k ratio, the linear-scan reference's ratio).
 * Any other arguments go to JMH's own command line ({@code -l}, {@code -h}, a regexp...).
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("p3")) {
            p3(ResourceTreeBench.class, "P3 resource tree", Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length >= 1 && args[0].equals("p3-flat")) {
            p3(FlatViewBench.class, "P3 flat view", Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        org.openjdk.jmh.Main.main(args);
    }

    /** One JMH run of {@code bench} (all its @Params, or n restricted to {@code ns}) and its table; an op with a
     * {@code layout} param is reported as {@code op/layout}. */
    static void p3(Class<?> bench, String title, String[] ns) throws RunnerException {
        var opt = new OptionsBuilder().include(bench.getName() + "\\.");
        if (ns.length > 0) opt.param("n", ns);
        // result: op -> impl -> n -> ns/op
        Map<String, Map<String, Map<Integer, double[]>>> t = new TreeMap<>();
        for (RunResult r : new Runner(opt.build()).run()) {
            String m = r.getParams().getBenchmark();
            m = m.substring(m.lastIndexOf('.') + 1);
            String impl = m.endsWith("Fast") ? "barmap" : "linear";
            String op = m.substring(0, m.length() - (m.endsWith("Fast") ? 4 : 6));
            String layout = r.getParams().getParam("layout");
            if (layout != null) op += "/" + layout;
            int n = Integer.parseInt(r.getParams().getParam("n"));
            var s = r.getPrimaryResult();
            t.computeIfAbsent(op, k -> new TreeMap<>()).computeIfAbsent(impl, k -> new TreeMap<>())
                    .put(n, new double[] {s.getScore(), s.getScoreError()});
        }
        var out = new StringBuilder();
        out.append("| operation | impl | n=1k ns/op | n=10k ns/op | n=100k ns/op | 100k/1k | 1M ops at 100k | linear/barmap at 100k |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        t.forEach((op, impls) -> impls.forEach((impl, byN) -> {
            double[] lo = byN.get(1000), hi = byN.get(100000);
            out.append("| ").append(op).append(" | ").append(impl);
            for (int n : new int[] {1000, 10000, 100000}) {
                double[] v = byN.get(n);
                out.append(" | ").append(v == null ? "-" : String.format("%.0f ± %.0f", v[0], v[1]));
            }
            out.append(" | ").append(lo != null && hi != null ? String.format("%.1f×", hi[0] / lo[0]) : "-");
            out.append(" | ").append(hi != null ? String.format("%.1f ms", hi[0] * 1e6 / 1e6) : "-");
            double[] fastHi = impls.containsKey("barmap") ? impls.get("barmap").get(100000) : null;
            out.append(" | ").append(impl.equals("linear") && hi != null && fastHi != null ? ratio(hi[0] / fastHi[0]) : "").append(" |\n");
        }));
        System.out.println();
        System.out.println(title + " (" + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name") + " " + Runtime.version() + ")");
        System.out.print(out);
    }

    /** 653×, 4.5×, 0.12× (the linear reference can be the faster one). */
    private static String ratio(double r) {
        return String.format(r >= 10 ? "%.0f×" : r >= 1 ? "%.1f×" : "%.2f×", r);
    }
}
