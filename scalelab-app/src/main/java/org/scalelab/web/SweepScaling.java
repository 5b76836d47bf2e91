package org.scalelab.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.scalelab.Provenance;
import org.scalelab.dynamics.Emergence;
import org.scalelab.dynamics.ScalingShape;
import org.scalelab.dynamics.SeedInterval;
import org.scalelab.dynamics.Transience;
import org.scalelab.laws.Backtest;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.ShapeTest;
import org.scalelab.report.CurveFitRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.world.WorldAnalysis;

/**
 * A sweep's final or peak accuracy against width and depth, as the sweeps page draws it: the runs that
 * have ended analysed by {@link WorldAnalysis#analyzeEnded} (the analysis {@code scalelab world report}
 * runs, with its defaults), then per axis and level of the other axis each run's value (linking to the
 * run), the seeds' interval band, the shape test's quadratic with its turning point, and a backtest of
 * that quadratic on the largest sizes ({@link Backtest}, as the law fits do); and the detectors' flags.
 * The analysis is redone only when the set of ended runs changes.
 *
 * @param ended runs analysed (finished or diverged)
 * @param running runs still training, left out until they end
 * @param charts one chart per axis (width, depth)
 * @param fits per axis and level: the shape test's verdict and the backtest's error
 * @param flags per cell (and across all runs) for the chosen split: emergence, transience, order
 * @param findings the analysis's findings, as {@code world report} prints them
 */
record SweepScaling(String experiment, String set, String measure, int ended, int running, List<ChartSpec> charts,
                    List<Fit> fits, List<Flag> flags, List<String> findings) {
    /** The splits whose scaling is tested ({@link WorldAnalysis#SCALING}). */
    static final List<String> SETS = WorldAnalysis.SCALING;

    /** One scaling test: an axis at one level of the other. */
    record Fit(String axis, String at, String verdict, String shape, double best, double lead, double nullP, Double turningPoint,
               String backtest, Double backtestMeanAbsError) {}

    /** One detector's call on the chosen split. */
    record Flag(String where, String detector, String verdict, String detail, Double nullP) {}

    /** The last analysis per experiment, with the ended runs it saw. */
    static final class Cache {
        private final Map<String, Object[]> last = new ConcurrentHashMap<>();

        synchronized WorldAnalysis.Result analysis(LabStore store, String experiment) {
            String seen = String.valueOf(store.trainingRuns(experiment).stream().filter(r -> !"running".equals(r.status()))
                    .map(r -> r.run() + ":" + r.status() + ":" + r.step()).toList());
            Object[] hit = last.get(experiment);
            if (hit != null && hit[0].equals(seen)) {
                return (WorldAnalysis.Result) hit[1];
            }
            WorldAnalysis.Result r = WorldAnalysis.analyzeEnded(store, experiment, WorldAnalysis.Options.defaults());
            last.put(experiment, new Object[] {seen, r});
            return r;
        }
    }

    /** Nothing to analyse yet: no run of the sweep has ended. */
    static SweepScaling none(String experiment, String set, String measure, int running) {
        return new SweepScaling(experiment, set, measure, 0, running, List.of(), List.of(), List.of(), List.of());
    }

    static SweepScaling of(WorldAnalysis.Result r, String set, String measure, int running) {
        List<ChartSpec> charts = new ArrayList<>();
        List<Fit> fits = new ArrayList<>();
        for (String axis : List.of("width", "depth")) {
            List<ChartSpec.Series> series = new ArrayList<>();
            List<ChartSpec.Marker> markers = new ArrayList<>();
            String prefix = measure + "_accuracy." + set + " at ";
            for (ScalingShape.Result s : r.scaling()) {
                if (!s.axis().equals(axis) || !s.metric().startsWith(prefix)) {
                    continue;
                }
                String at = s.metric().substring(prefix.length());
                add(series, markers, fits, r, s, axis, at, set, measure);
            }
            if (series.isEmpty()) {
                // One size on this axis: nothing to test, but show the runs.
                List<WorldAnalysis.RunSummary> all = r.runs();
                series.add(runPoints("runs", all, axis, set, measure));
            }
            charts.add(new ChartSpec(measure + " accuracy on " + set + " vs " + axis, ChartSpec.Axis.log(axis),
                    ChartSpec.Axis.linear(measure + " accuracy"), series, markers));
        }
        return new SweepScaling(r.experiment(), set, measure, r.runs().size(), running, charts, fits, flags(r, set), r.findings());
    }

    private static void add(List<ChartSpec.Series> series, List<ChartSpec.Marker> markers, List<Fit> fits, WorldAnalysis.Result r,
                            ScalingShape.Result s, String axis, String at, String set, String measure) {
        int level = Integer.parseInt(at.substring(at.indexOf(' ') + 1));
        List<WorldAnalysis.RunSummary> runs = r.runs().stream()
                .filter(x -> (axis.equals("width") ? x.depth() : x.width()) == level).toList();
        series.add(runPoints("runs at " + at, runs, axis, set, measure));
        double[] lx = s.levels().stream().mapToDouble(ScalingShape.Level::x).toArray();
        double[] lo = s.levels().stream().mapToDouble(l -> edge(l.value(), 0)).toArray();
        double[] hi = s.levels().stream().mapToDouble(l -> edge(l.value(), 1)).toArray();
        series.add(ChartSpec.Series.band("seeds' 95 % interval (range below 3 seeds) at " + at, lx, lo, hi));
        ShapeTest.Result shape = s.shape();
        Double turning = null;
        if (shape.status() != FitStatus.DEGENERATE && lx.length > 0) {
            double[] g = CurveFitRenderer.logGrid(lx[0], lx[lx.length - 1], 60);
            series.add(ChartSpec.Series.line("shape test's quadratic at " + at, g, Arrays.stream(g).map(shape::predict).toArray()));
            if (shape.turningPoint() != null) {
                turning = shape.turningPoint().x();
                markers.add(new ChartSpec.Marker(shape.shape() + " turning point at " + at, turning, true));
            }
        }
        double[] x = runs.stream().filter(u -> value(u, set, measure) != null).mapToDouble(u -> size(u, axis)).toArray();
        double[] y = runs.stream().filter(u -> value(u, set, measure) != null).mapToDouble(u -> value(u, set, measure)).toArray();
        Backtest.Result bt = Backtest.run(x, y, 3, (bx, by) -> {
            try {
                ShapeTest.Result f = ShapeTest.test(bx, by, ShapeTest.Options.defaults().withBootstrap(0, 0),
                        Provenance.of("world scaling backtest", List.of(), Map.of(), 0L));
                return f.status() == FitStatus.DEGENERATE ? null : f::predict;
            } catch (RuntimeException e) {
                return null;
            }
        });
        if ("ran".equals(bt.status()) && !bt.points().isEmpty()) {
            double[] px = bt.points().stream().mapToDouble(Backtest.Point::x).toArray();
            double[] py = bt.points().stream().mapToDouble(p -> p.predicted() == null ? Double.NaN : p.predicted()).toArray();
            series.add(new ChartSpec.Series("backtest: predicted without the largest " + axis + " at " + at, "points", px, py, null, null, null,
                    0, null));
        }
        fits.add(new Fit(axis, at, s.verdict(), shape.shape(), s.bestX(), s.test().statistic(), s.test().pValue(), turning,
                "ran".equals(bt.status()) ? "fit below " + axis + " " + fmt(bt.thresholdX()) + ", " + bt.nHeldOut() + " held out" : bt.reason(),
                bt.meanAbsError()));
    }

    /** Each run's value, linking to the run. */
    private static ChartSpec.Series runPoints(String name, List<WorldAnalysis.RunSummary> runs, String axis, String set, String measure) {
        List<WorldAnalysis.RunSummary> with = runs.stream().filter(u -> value(u, set, measure) != null).toList();
        return new ChartSpec.Series(name, "points", with.stream().mapToDouble(u -> size(u, axis)).toArray(),
                with.stream().mapToDouble(u -> value(u, set, measure)).toArray(), null, null, null, 0,
                with.stream().map(u -> "/runs?run=" + u.run()).toList());
    }

    private static List<Flag> flags(WorldAnalysis.Result r, String set) {
        List<Flag> out = new ArrayList<>();
        for (WorldAnalysis.Cell c : r.cells()) {
            String where = "width " + c.width() + ", depth " + c.depth() + " (" + c.seeds() + " seed" + (c.seeds() == 1 ? "" : "s") + ")";
            for (Emergence.Result e : c.emergence()) {
                if (e.evalSet().equals(set)) {
                    out.add(new Flag(where, "emergence", e.verdict(), e.step() == null ? "no step at the threshold"
                            : String.format(Locale.ROOT, "step %.0f at accuracy %.2f", e.step(), e.threshold()), e.test().pValue()));
                }
            }
            for (Transience.Result t : c.transience()) {
                if (t.evalSet().equals(set)) {
                    out.add(new Flag(where, "transience", t.verdict(), String.format(Locale.ROOT, "mean drop %.3f from the peak", t.drop().mean()),
                            t.test().pValue()));
                }
            }
            if (c.analogyAfterComposition() != null && (set.equals("analogical_ood") || set.equals("compositional_near_ood"))) {
                Emergence.Order o = c.analogyAfterComposition();
                out.add(new Flag(where, "analogy after composition", o.verdict(),
                        o.log10Delta().n() == 0 ? "no seed where both emerged" : String.format(Locale.ROOT, "%.2f decades later (mean of %d seeds)",
                                o.log10Delta().mean(), o.log10Delta().n()), null));
            }
        }
        for (Transience.Result t : r.pooled()) {
            if (t.evalSet().startsWith(set + " ")) {
                out.add(new Flag("all " + t.seeds().size() + " runs", "transience", t.verdict(),
                        String.format(Locale.ROOT, "mean drop %.3f; %d runs beyond their own null", t.drop().mean(), t.transientSeeds()),
                        t.test().pValue()));
            }
        }
        for (ScalingShape.Result s : r.scaling()) {
            if (s.metric().contains("." + set + " at ")) {
                out.add(new Flag(s.metric().substring(s.metric().indexOf(" at ") + 4), s.metric().substring(0, s.metric().indexOf('.'))
                        .replace('_', ' ') + " vs " + s.axis(), s.verdict(), "best " + s.axis() + " " + fmt(s.bestX()), s.test().pValue()));
            }
        }
        return out;
    }

    private static Double value(WorldAnalysis.RunSummary u, String set, String measure) {
        Double v = (measure.equals("peak") ? u.peakAccuracy() : u.finalAccuracy()).get(set);
        return v == null || !Double.isFinite(v) ? null : v;
    }

    private static double size(WorldAnalysis.RunSummary u, String axis) {
        return axis.equals("width") ? u.width() : u.depth();
    }

    /** The seeds' 95 % interval edge, else the range's (fewer than 3 seeds), else the mean (one seed). */
    private static double edge(SeedInterval v, int i) {
        if (v.ci95() != null) {
            return v.ci95().get(i);
        }
        return v.range() != null ? v.range().get(i) : v.mean();
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
    }
}
