package dev.barmap.cli.report;

import dev.barmap.model.pci.Bar;
import dev.barmap.model.pci.MsixCapability;
import dev.barmap.model.pci.PciFunction;
import dev.barmap.model.resource.IoResource;
import dev.barmap.model.scan.Check;
import dev.barmap.model.scan.DeviceResult;
import dev.barmap.model.scan.RegionResult;
import dev.barmap.model.scan.ScanResult;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.Sizes;
import dev.barmap.model.vfio.SubPageMmapRule;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code barmap scan --format html}: one self-contained page (inline CSS and SVG, no scripts, no external
 * assets). Per device an SVG page map: host pages as cells (long runs of pages elided), the device's
 * BARs as spans coloured by check, other devices' BARs in the same pages in grey, the
 * {@code vfio sub-page reserved} dummies hatched, pages holding a trapped BAR or the MSI-X table tinted;
 * every shape has hover text with its addresses. Below it the same rows as the text table.
 */
public final class ScanHtml {
    private ScanHtml() {}

    static final int CELL_W = 120, ELIDE_W = 70, GAP_W = 28, LEFT = 10, TOP = 22, CELL_H = 46, MAX_CELLS = 5;
    /** Zoom strips: a BAR narrower than MIN_W px in its page gets a strip STRIP_W px wide showing an aligned stretch of its page. */
    /** The narrowest a BAR is drawn without a zoom strip, in px. */
    public static final int MIN_W = 24;
    static final int STRIP_W = 640, STRIP_TOP = 42, STRIP_H = 30, LABEL_ROWS = 6, ZOOM = 16;

    /** An aligned stretch [start, start + size) of one page, drawn enlarged below the page row. */
    record Strip(long start, long size) {
        double xOf(long addr) { return LEFT + STRIP_W * ((double) (addr - start) / (double) size); }
        long end() { return start + size - 1; }
    }

    /**
     * The zoom strips a device's map needs: for each of its BARs smaller than a page that the page row draws narrower
     * than {@link #MIN_W}, the naturally aligned block of at least {@link #ZOOM} times its size (at most a page) that
     * holds it - a BAR is aligned to its size, so the block holds all of it. Blocks shared by several BARs appear once.
     */
    static List<Strip> strips(List<Span> own, List<Segment> segs, long page) {
        var out = new ArrayList<Strip>();
        for (Span o : own) {
            long len = o.end() - o.start() + 1;
            Segment s = find(segs, o.start());
            if (len >= page || s.xOf(o.end() + 1) - s.xOf(o.start()) >= MIN_W) continue;
            long want = Math.min(page, len * ZOOM);
            long z = Long.bitCount(want) == 1 ? want : Long.highestOneBit(want) << 1;
            z = Math.min(z, page);
            Strip st = new Strip(o.start() & -z, z);
            if (o.end() <= st.end() && !out.contains(st)) out.add(st);
        }
        return out;
    }

    /** "00:06.0 BAR0": a neighbour's label (domain dropped when 0000). */
    static String shortName(Span o) {
        String bdf = o.f().bdf().toString();
        return (bdf.startsWith("0000:") ? bdf.substring(5) : bdf) + " " + o.name();
    }

    /** Rough width of a label in the 10-11 px sans-serif the map uses. */
    static double textW(String t) { return t.length() * 6.2; }

    /** A stretch of the x axis: one page, or an elided run of pages. */
    record Segment(long start, long end, double x, double w, boolean elided) {
        double xOf(long addr) { return x + w * ((double) (addr - start) / (double) (end - start + 1)); }
    }

    /** A BAR or ROM in memory space: owner, name, range. */
    record Span(PciFunction f, String name, long start, long end, RegionResult region) {}

    public static String render(ScanResult r) {
        var w = new java.io.StringWriter();
        write(r, new java.io.PrintWriter(w));
        return w.toString();
    }

    /**
     * Writes the page to {@code out} device by device, so a host of 100k functions (about 1 GB of HTML) is never
     * held whole in memory (issue 14, BENCHMARKS.md P5); each device's section is built, then written.
     */
    public static void write(ScanResult r, java.io.PrintWriter out) {
        var sb = new StringBuilder(16384);
        String title = "barmap: " + r.host().source();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n<style>\n")
                .append(CSS).append("</style></head>\n<body>\n");
        sb.append("<h1>barmap scan</h1>\n<p class=\"meta\">").append(esc(r.host().source())).append(" &middot; kernel ")
                .append(esc(r.host().kernel().toString())).append(" (vfio-pci rules ").append(esc(r.era())).append(") &middot; ")
                .append(esc(r.host().platform().arch())).append(", page size ").append(esc(Sizes.human(r.host().pageSize()))).append("</p>\n");
        sb.append("<p class=\"summary\">").append(esc(ScanText.summary(r))).append("</p>\n");
        sb.append(LEGEND);
        if (!r.notes().isEmpty()) {
            sb.append("<ul class=\"notes\">\n");
            for (String n : r.notes()) sb.append("<li>").append(esc(n)).append("</li>\n");
            sb.append("</ul>\n");
        }
        List<Span> all = allSpans(r);
        var allIndex = new RangeIndex(all.stream().map(o -> new long[] {o.start(), o.end()}).toList());
        var dummyIndex = new RangeIndex(r.subPageReserved().stream().map(d -> new long[] {d.start(), d.end()}).toList());
        out.append(sb);
        for (DeviceResult d : r.devices()) {
            sb.setLength(0);
            device(sb, r, d, all, allIndex, dummyIndex);
            out.append(sb);
        }
        sb.setLength(0);
        if (r.devices().isEmpty()) sb.append("<p>No PCI functions to pass through.</p>\n");
        sb.append("</body></html>\n");
        out.append(sb);
        out.flush();
    }

    /** Every memory BAR and ROM of every function on the host (the neighbours a page may hold). */
    static List<Span> allSpans(ScanResult r) {
        var out = new ArrayList<Span>();
        for (PciFunction f : r.host().functions().values()) {
            for (int i = 0; i <= Bar.ROM; i++) {
                Bar b = f.resource(i);
                if (b.isMem() && !b.empty() && b.len() > 0 && (b.flags() & IoResource.UNSET) == 0) out.add(new Span(f, b.name(), b.start(), b.end(), null));
            }
        }
        return out;
    }

    /** The device's own memory BARs and ROM with a verdict. */
    static List<Span> ownSpans(DeviceResult d) {
        var out = new ArrayList<Span>();
        for (RegionResult rr : d.regions()) {
            if (rr.verdict() == null || rr.index() > Bar.ROM || Check.of(rr, d.function().resource(rr.index())) == null) continue;
            Bar b = d.function().resource(rr.index());
            if (!b.isMem() || (b.flags() & IoResource.UNSET) != 0) continue;
            out.add(new Span(d.function(), rr.name(), rr.hostStart(), rr.hostEnd(), rr));
        }
        return out;
    }

    /** Lays out the pages the spans touch: runs of adjacent pages, long runs elided in the middle. */
    static List<Segment> layout(List<Span> own, long page) {
        var runs = new ArrayList<long[]>();
        own.stream().map(s -> new long[] {s.start() & -page, s.end() & -page}).sorted((a, b) -> Long.compareUnsigned(a[0], b[0])).forEach(run -> {
            if (!runs.isEmpty() && Long.compareUnsigned(run[0], runs.getLast()[1] + page) <= 0) {
                long[] last = runs.getLast();
                if (Long.compareUnsigned(run[1], last[1]) > 0) last[1] = run[1];
            } else {
                runs.add(run);
            }
        });
        var segs = new ArrayList<Segment>();
        double x = LEFT;
        for (int k = 0; k < runs.size(); k++) {
            if (k > 0) x += GAP_W;
            long a = runs.get(k)[0], b = runs.get(k)[1];
            long n = (b - a) / page + 1;
            if (n <= MAX_CELLS) {
                for (long p = 0; p < n; p++) {
                    segs.add(new Segment(a + p * page, a + p * page + page - 1, x, CELL_W, false));
                    x += CELL_W;
                }
            } else {
                for (long p = 0; p < 2; p++, x += CELL_W) segs.add(new Segment(a + p * page, a + p * page + page - 1, x, CELL_W, false));
                segs.add(new Segment(a + 2 * page, b - 2 * page + page - 1, x, ELIDE_W, true));
                x += ELIDE_W;
                for (long p = n - 2; p < n; p++, x += CELL_W) segs.add(new Segment(a + p * page, a + p * page + page - 1, x, CELL_W, false));
            }
        }
        return segs;
    }

    private static void device(StringBuilder sb, ScanResult r, DeviceResult d, List<Span> all, RangeIndex allIndex, RangeIndex dummyIndex) {
        PciFunction f = d.function();
        String bdf = f.bdf().toString();
        sb.append("<section class=\"device\" id=\"dev-").append(esc(bdf)).append("\">\n<h2>").append(esc(bdf)).append(" <span class=\"id\">")
                .append(String.format("%04x:%04x", f.vendor(), f.device())).append(" class ").append(String.format("%06x", f.classCode())).append("</span>");
        f.iommuGroup().ifPresent(g -> sb.append(" <span class=\"id\">IOMMU group ").append(esc(g)).append("</span>"));
        f.driver().ifPresent(g -> sb.append(" <span class=\"id\">driver ").append(esc(g)).append("</span>"));
        sb.append("</h2>\n");
        long page = r.host().pageSize();
        List<Span> own = ownSpans(d);
        List<Segment> segs = layout(own, page);
        List<Strip> strips = segs.isEmpty() ? List.of() : strips(own, segs, page);
        double width = segs.isEmpty() ? 320 : segs.getLast().x() + segs.getLast().w() + LEFT;
        if (!strips.isEmpty()) width = Math.max(width, STRIP_W + 2 * LEFT);
        int headerAt = sb.length();
        int height = TOP + CELL_H + 34;
        final double svgWidth = width;
        java.util.function.IntFunction<String> header = h -> String.format(
                "<svg class=\"pagemap\" data-bdf=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" viewBox=\"0 0 %.0f %d\">\n",
                esc(bdf), svgWidth, h, svgWidth, h);
        sb.append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"6\" height=\"6\" fill=\"#ede7f6\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#7e57c2\" stroke-width=\"3\"/></pattern></defs>\n");
        if (segs.isEmpty()) {
            sb.append("<text x=\"").append(LEFT).append("\" y=\"").append(TOP + 20).append("\" class=\"empty\">no memory BARs (I/O ports only)</text>\n");
        }
        // page cells, tinted where a trapped BAR or the MSI-X table lives
        for (Segment s : segs) {
            String cls = "page";
            if (!s.elided()) {
                for (Span o : own) {
                    if (overlaps(o, s.start(), s.end()) && Check.of(o.region(), f.resource(o.region().index())) == Check.FAIL) cls = "page trapped";
                }
                if (cls.equals("page") && msixTableTouches(f, own, s.start(), s.end())) cls = "page msix";
            }
            sb.append(String.format("<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
                    s.elided() ? "page elided" : cls, s.x(), TOP, s.w(), CELL_H,
                    esc(s.elided() ? String.format("%d pages %x-%x (elided)", (s.end() - s.start() + 1) / page, s.start(), s.end())
                            : String.format("page %x-%x%s", s.start(), s.end(), cls.equals("page trapped") ? ": holds a trapped BAR"
                            : cls.equals("page msix") ? ": holds the MSI-X table (trapped by the VMM)" : ""))));
            if (s.elided()) {
                sb.append(String.format("<text class=\"elided\" x=\"%.1f\" y=\"%d\">%d pages</text>\n", s.x() + s.w() / 2, TOP + CELL_H / 2 + 4, (s.end() - s.start() + 1) / page));
            } else {
                sb.append(String.format("<text class=\"addr\" x=\"%.1f\" y=\"%d\">%x</text>\n", s.x() + 2, TOP + CELL_H + 12, s.start()));
            }
        }
        // neighbours: other functions' BARs in the visible pages, found by address (issue 14: scanning every BAR of the
        // host for every device made the page quadratic in devices); written in the same order as before
        for (var hit : hits(allIndex, segs).entrySet()) {
            Span o = all.get(hit.getKey());
            if (o.f().bdf().equals(f.bdf())) continue;
            for (Segment s : hit.getValue()) {
                long a = max(o.start(), s.start()), b = min(o.end(), s.end());
                double w = Math.max(1.5, s.xOf(b + 1) - s.xOf(a));
                sb.append(String.format("<rect class=\"other\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
                        s.xOf(a), TOP + 8, w, 26, esc(otherTip(o))));
                // labeled where the label fits; narrower neighbours are labeled in the zoom strip
                if (w >= textW(shortName(o)) + 4) {
                    sb.append(String.format("<text class=\"othername\" x=\"%.1f\" y=\"%d\">%s</text>\n", s.xOf(a) + 2, TOP + 25, esc(shortName(o))));
                }
            }
        }
        // the vfio sub-page reserved dummies
        for (var hit : hits(dummyIndex, segs).entrySet()) {
            ProbeReport.Range dr = r.subPageReserved().get(hit.getKey());
            for (Segment s : hit.getValue()) {
                long a = max(dr.start(), s.start()), b = min(dr.end(), s.end());
                sb.append(String.format("<rect class=\"dummy\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
                        s.xOf(a), TOP + 8, Math.max(1.5, s.xOf(b + 1) - s.xOf(a)), 26,
                        esc(String.format("'%s' %x-%x: the rest of the page, held while the device is open", SubPageMmapRule.DUMMY_NAME, dr.start(), dr.end()))));
            }
        }
        // the device's own BARs: exactly one span each
        for (Span o : own) {
            Segment s0 = find(segs, o.start()), s1 = find(segs, o.end());
            double x0 = s0.xOf(o.start()), x1 = s1.xOf(o.end() + 1);
            if (o.end() == s1.end()) x1 = s1.x() + s1.w();
            Check c = Check.of(o.region(), f.resource(o.region().index()));
            String tip = String.format("%s %s %x-%x (%s): %s %s - %s", f.bdf(), o.name(), o.start(), o.end(), Sizes.human(o.end() - o.start() + 1),
                    c, o.region().verdict().word(), o.region().reason());
            sb.append(String.format("<rect class=\"bar %s\" data-bar=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
                    c.name().toLowerCase(java.util.Locale.ROOT), esc(o.name()), x0, TOP + 8, Math.max(2, x1 - x0), 26, esc(tip)));
            if (x1 - x0 >= 30) {
                sb.append(String.format("<text class=\"barname\" x=\"%.1f\" y=\"%d\">%s</text>\n", x0 + 3, TOP + 25, esc(o.name())));
            }
            f.msix().filter(m -> o.region().index() == m.tableBir()).ifPresent(m -> {
                long ts = o.start() + m.tableOffset(), te = ts + m.tableSize() - 1;
                Segment t0 = find(segs, ts), t1 = find(segs, Math.min(te, o.end()));
                double a = t0.xOf(ts), b = t1.xOf(Math.min(te, o.end()) + 1);
                sb.append(String.format("<rect class=\"msixtable\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"6\"><title>%s</title></rect>\n",
                        a, TOP + 36, Math.max(2, b - a), esc(String.format("MSI-X table %x-%x (%d entries)", ts, te, m.entries()))));
            });
        }
        int y = TOP + CELL_H + STRIP_TOP;
        for (Strip st : strips) {
            int rows = strip(sb, r, f, own, all, allIndex, dummyIndex, segs, st, y);
            y += STRIP_H + 14 + rows * 12 + STRIP_TOP - 12;
        }
        if (!strips.isEmpty()) height = y - STRIP_TOP + 16;
        sb.insert(headerAt, header.apply(height));
        sb.append("</svg>\n");
        table(sb, d);
        sb.append("</section>\n");
    }

    private static String otherTip(Span o) {
        return String.format("%s %s %x-%x (%s)%s", o.f().bdf(), o.name(), o.start(), o.end(), Sizes.human(o.end() - o.start() + 1),
                o.f().iommuGroup().map(g -> ", IOMMU group " + g).orElse(""));
    }

    /**
     * One zoom strip at height y: the aligned stretch st of a page, STRIP_W px wide, with every BAR, neighbour and
     * dummy in it to scale and labeled (below the strip, staggered, when the label does not fit inside), joined to
     * the stretch's place in the page row by a light cone.
     */
    private static int strip(StringBuilder sb, ScanResult r, PciFunction f, List<Span> own, List<Span> all, RangeIndex allIndex, RangeIndex dummyIndex,
                             List<Segment> segs, Strip st, int y) {
        Segment s = find(segs, st.start());
        double px0 = s.xOf(st.start()), px1 = s.xOf(st.end() + 1);
        long times = Math.max(1, Math.round(STRIP_W / Math.max(0.01, px1 - px0)));
        sb.append(String.format("<g class=\"zoom\" data-start=\"%x\" data-size=\"%d\">\n", st.start(), st.size()));
        sb.append(String.format("<polygon class=\"zoomcone\" points=\"%.1f,%d %.1f,%d %d,%d %d,%d\"/>\n",
                px0, TOP + CELL_H, px1, TOP + CELL_H, LEFT + STRIP_W, y, LEFT, y));
        sb.append(String.format("<rect class=\"zoombg\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%s</title></rect>\n", LEFT, y, STRIP_W, STRIP_H,
                esc(String.format("%x-%x (%s of the page at %x), enlarged about %dx", st.start(), st.end(), Sizes.human(st.size()),
                        st.start() & -r.host().pageSize(), times))));
        var below = new ArrayList<double[]>(); // x ranges of labels already placed below the strip, per row
        int[] rows = new int[1];
        java.util.function.BiConsumer<Double, String> label = (x, t) -> {
            int row = 0;
            for (; row < LABEL_ROWS - 1; row++) {
                final int rr = row;
                double x0 = x, x1 = x + textW(t);
                if (below.stream().noneMatch(b -> b[2] == rr && b[0] < x1 + 6 && x0 < b[1] + 6)) break;
            }
            below.add(new double[] {x, x + textW(t), row});
            rows[0] = Math.max(rows[0], row + 1);
            sb.append(String.format("<line class=\"leader\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x + 1, y + STRIP_H, x + 1, y + STRIP_H + 4 + row * 12));
            sb.append(String.format("<text class=\"zlabel\" x=\"%.1f\" y=\"%d\">%s</text>\n", x + 3, y + STRIP_H + 12 + row * 12, esc(t)));
        };
        // the spans and dummies in the stretch from the indexes, in their list order (a walk over every BAR of the
        // host per strip made a 100k-function page quadratic: BENCHMARKS.md P5)
        for (int i : allIndex.overlapping(st.start(), st.end())) {
            Span o = all.get(i);
            if (o.f().bdf().equals(f.bdf()) || Long.compareUnsigned(o.end(), st.start()) < 0 || Long.compareUnsigned(o.start(), st.end()) > 0) continue;
            long a = max(o.start(), st.start()), b = min(o.end(), st.end());
            double x = st.xOf(a), w = Math.max(2, st.xOf(b + 1) - x);
            sb.append(String.format("<rect class=\"other\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n", x, y, w, STRIP_H, esc(otherTip(o))));
            if (w >= textW(shortName(o)) + 4) sb.append(String.format("<text class=\"othername\" x=\"%.1f\" y=\"%d\">%s</text>\n", x + 2, y + 19, esc(shortName(o))));
            else label.accept(x, shortName(o));
        }
        for (int i : dummyIndex.overlapping(st.start(), st.end())) {
            ProbeReport.Range dr = r.subPageReserved().get(i);
            if (Long.compareUnsigned(dr.end(), st.start()) < 0 || Long.compareUnsigned(dr.start(), st.end()) > 0) continue;
            long a = max(dr.start(), st.start()), b = min(dr.end(), st.end());
            sb.append(String.format("<rect class=\"dummy\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n", st.xOf(a), y,
                    Math.max(2, st.xOf(b + 1) - st.xOf(a)), STRIP_H, esc(String.format("'%s' %x-%x", SubPageMmapRule.DUMMY_NAME, dr.start(), dr.end()))));
        }
        for (Span o : own) {
            if (Long.compareUnsigned(o.end(), st.start()) < 0 || Long.compareUnsigned(o.start(), st.end()) > 0) continue;
            long a = max(o.start(), st.start()), b = min(o.end(), st.end());
            double x = st.xOf(a), w = Math.max(2, st.xOf(b + 1) - x);
            Check c = Check.of(o.region(), f.resource(o.region().index()));
            sb.append(String.format("<rect class=\"zbar %s\" data-bar=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
                    c.name().toLowerCase(java.util.Locale.ROOT), esc(o.name()), x, y, w, STRIP_H,
                    esc(String.format("%s %s %x-%x (%s): %s %s - %s", f.bdf(), o.name(), o.start(), o.end(), Sizes.human(o.end() - o.start() + 1), c,
                            o.region().verdict().word(), o.region().reason()))));
            String name = o.name() + " " + Sizes.human(o.end() - o.start() + 1);
            if (w >= textW(name) + 4) sb.append(String.format("<text class=\"barname\" x=\"%.1f\" y=\"%d\">%s</text>\n", x + 3, y + 19, esc(name)));
            else label.accept(x, name);
        }
        sb.append(String.format("<text class=\"addr\" x=\"%d\" y=\"%d\">%x</text>\n", LEFT, y - 3, st.start()));
        sb.append(String.format("<text class=\"addr end\" x=\"%d\" y=\"%d\">%x (zoom &#215;%d)</text>\n", LEFT + STRIP_W, y - 3, st.end(), times));
        sb.append("</g>\n");
        return rows[0];
    }

    private static boolean msixTableTouches(PciFunction f, List<Span> own, long s, long e) {
        if (f.msix().isEmpty()) return false;
        MsixCapability m = f.msix().get();
        for (Span o : own) {
            if (o.region().index() != m.tableBir()) continue;
            long ts = o.start() + m.tableOffset(), te = ts + m.tableSize() - 1;
            if (Long.compareUnsigned(te, s) >= 0 && Long.compareUnsigned(ts, e) <= 0) return true;
        }
        return false;
    }

    private static void table(StringBuilder sb, DeviceResult d) {
        sb.append("<table><thead><tr><th>BAR</th><th>host range</th><th>size</th><th>type</th><th>check</th><th>verdict</th><th>reason</th></tr></thead><tbody>\n");
        for (RegionResult rr : d.regions()) {
            Bar b = d.function().resource(rr.index());
            Check c = rr.index() <= Bar.ROM ? Check.of(rr, b) : null;
            if (c == null) continue;
            sb.append("<tr><td>").append(esc(rr.name())).append("</td><td class=\"mono\">").append(String.format("%x-%x", rr.hostStart(), rr.hostEnd()))
                    .append("</td><td>").append(esc(Sizes.human(rr.info().size()))).append("</td><td>").append(esc(IoResource.describe(b.flags())))
                    .append("</td><td class=\"check ").append(c.name().toLowerCase(java.util.Locale.ROOT)).append("\">").append(c)
                    .append("</td><td>").append(rr.verdict().word()).append("</td><td>").append(esc(rr.reason())).append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n");
    }

    private static Segment find(List<Segment> segs, long addr) {
        for (Segment s : segs) if (Long.compareUnsigned(addr, s.start()) >= 0 && Long.compareUnsigned(addr, s.end()) <= 0) return s;
        throw new IllegalStateException(String.format("address %x outside the laid-out pages", addr));
    }

    /** For each range of {@code index} in a visible segment: its index (ascending) and those segments, in order. */
    private static java.util.SortedMap<Integer, List<Segment>> hits(RangeIndex index, List<Segment> segs) {
        var out = new java.util.TreeMap<Integer, List<Segment>>();
        for (Segment s : segs) {
            if (s.elided()) continue;
            for (int k : index.overlapping(s.start(), s.end())) out.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
        }
        return out;
    }

    /**
     * Address ranges (unsigned, inclusive) found by address: sorted by start with the running maximum end, so a
     * query costs O(log n) plus the ranges it walks past (BARs of different functions do not overlap, so few).
     */
    static final class RangeIndex {
        private final int[] order;
        private final long[] start, end, maxEnd; // sign bit flipped: signed order = unsigned order

        RangeIndex(List<long[]> ranges) {
            int n = ranges.size();
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            java.util.Arrays.sort(idx, (x, y) -> Long.compareUnsigned(ranges.get(x)[0], ranges.get(y)[0]));
            order = new int[n];
            start = new long[n];
            end = new long[n];
            maxEnd = new long[n];
            for (int i = 0; i < n; i++) {
                order[i] = idx[i];
                start[i] = ranges.get(idx[i])[0] ^ Long.MIN_VALUE;
                end[i] = ranges.get(idx[i])[1] ^ Long.MIN_VALUE;
                maxEnd[i] = i == 0 ? end[i] : Math.max(maxEnd[i - 1], end[i]);
            }
        }

        /** The original indices of the ranges overlapping [s, e], ascending. */
        int[] overlapping(long s, long e) {
            long sf = s ^ Long.MIN_VALUE, ef = e ^ Long.MIN_VALUE;
            int lo = 0, hi = start.length; // first index whose start > e
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (start[mid] <= ef) lo = mid + 1;
                else hi = mid;
            }
            var out = new java.util.ArrayList<Integer>();
            for (int i = lo - 1; i >= 0 && maxEnd[i] >= sf; i--) if (end[i] >= sf) out.add(order[i]);
            return out.stream().mapToInt(Integer::intValue).sorted().toArray();
        }
    }

    private static boolean overlaps(Span o, long s, long e) {
        return Long.compareUnsigned(o.end(), s) >= 0 && Long.compareUnsigned(o.start(), e) <= 0;
    }

    private static long max(long a, long b) { return Long.compareUnsigned(a, b) >= 0 ? a : b; }

    private static long min(long a, long b) { return Long.compareUnsigned(a, b) <= 0 ? a : b; }

    static String esc(String s) {
        var sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 6px; }
            .meta, .id { color: #57606a; font-weight: normal; } .summary { font-weight: 600; }
            .notes { color: #57606a; font-size: 12px; }
            section.device { border-top: 1px solid #d0d7de; padding: 12px 0; }
            svg.pagemap { display: block; margin: 6px 0; max-width: 100%; height: auto; }
            rect.page { fill: #f6f8fa; stroke: #8c959f; } rect.page.trapped { fill: #ffebe9; stroke: #cf222e; }
            rect.page.msix { fill: #fff8c5; stroke: #bf8700; } rect.page.elided { fill: #ffffff; stroke: #8c959f; stroke-dasharray: 4 3; }
            rect.bar { stroke: #1f2328; stroke-width: 1; } rect.bar.pass { fill: #2da44e; } rect.bar.warn { fill: #d4a72c; }
            rect.bar.fail { fill: #cf222e; } rect.bar.info { fill: #6e7781; }
            rect.other { fill: #d0d7de; stroke: #6e7781; } rect.dummy { fill: url(#hatch); stroke: #7e57c2; }
            rect.msixtable { fill: #0969da; }
            rect.zbar { stroke: #1f2328; stroke-width: 1; } rect.zbar.pass { fill: #2da44e; } rect.zbar.warn { fill: #d4a72c; }
            rect.zbar.fail { fill: #cf222e; } rect.zbar.info { fill: #6e7781; }
            polygon.zoomcone { fill: #ddf4ff; stroke: #54aeff; stroke-width: 0.5; opacity: 0.45; } rect.zoombg { fill: #ffffff; stroke: #54aeff; }
            line.leader { stroke: #57606a; stroke-width: 1; } text.zlabel { font: 10px sans-serif; fill: #1f2328; }
            text.othername { font: 10px sans-serif; fill: #1f2328; } text.addr.end { text-anchor: end; }
            text.addr { font: 10px ui-monospace, monospace; fill: #57606a; } text.barname { font: 11px sans-serif; fill: #fff; font-weight: 600; }
            text.elided { font: 11px sans-serif; fill: #57606a; text-anchor: middle; } text.empty { font: 12px sans-serif; fill: #57606a; }
            table { border-collapse: collapse; font-size: 12px; } th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; vertical-align: top; }
            td.mono { font-family: ui-monospace, monospace; } td.check.pass { color: #1a7f37; font-weight: 700; } td.check.warn { color: #9a6700; font-weight: 700; }
            td.check.fail { color: #cf222e; font-weight: 700; } td.check.info { color: #57606a; font-weight: 700; }
            .legend svg { vertical-align: middle; } .legend span { margin-right: 14px; font-size: 12px; }
            """;

    private static final String LEGEND = "<p class=\"legend\">"
            + sw("#2da44e", "PASS: direct (mmap)") + sw("#d4a72c", "WARN: partial (MSI-X pages trap)") + sw("#cf222e", "FAIL: memory BAR trapped")
            + sw("#6e7781", "INFO: I/O port or ROM, trapped on every host") + sw("#d0d7de", "another device's BAR")
            + sw("#b39ddb", "'vfio sub-page reserved' dummy") + sw("#0969da", "MSI-X table") + sw("#ffebe9", "page with a trapped BAR") + sw("#fff8c5", "page with the MSI-X table")
            + sw("#ddf4ff", "zoom: a stretch of a page enlarged, for BARs too small to see at page scale") + "</p>\n"
            + "<p class=\"legend-note\">Each page is drawn to scale, " + CELL_W + " px wide; long runs of pages are elided. Hover any shape for its addresses.</p>\n";

    private static String sw(String colour, String label) {
        return "<span><svg width=\"14\" height=\"14\"><rect width=\"14\" height=\"14\" fill=\"" + colour + "\" stroke=\"#6e7781\"/></svg> " + esc(label) + "</span>";
    }
}
