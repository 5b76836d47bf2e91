package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.scalelab.dynamics.BinomialNull;
import org.scalelab.dynamics.Curve;
import org.scalelab.dynamics.Emergence;
import org.scalelab.dynamics.ScalingShape;
import org.scalelab.dynamics.SeedInterval;
import org.scalelab.dynamics.Transience;
import org.scalelab.store.LabStore;
import org.scalelab.world.WorldAnalysis;

/**
 * Text and HTML report of a controlled-world experiment: its findings, accuracy curves per split
 * and cell, final and peak accuracy against size, alignment against analogical accuracy, and every
 * detector's verdict with its binomial-null p-value. The curves and the alignment points are read
 * from the lab store by the caller, since the result keeps only what the detectors concluded.
 */
public final class WorldReportRenderer implements Renderer<WorldAnalysis.Result> {
    private static final List<String> SETS = List.of("atomic_id", "compositional_id", "compositional_near_ood", "compositional_far_ood",
            "analogical_id", "analogical_ood", "truth_ood", "trajectory_ood");

    private final Map<String, Map<String, Curve>> curves;
    private final Map<String, List<double[]>> alignment;

    /**
     * @param curves    per run, its accuracy curve per evaluation set
     * @param alignment per run, {Dirichlet energy of the embedding, held-out analogy accuracy} at each logged step
     */
    public WorldReportRenderer(Map<String, Map<String, Curve>> curves, Map<String, List<double[]>> alignment) {
        this.curves = curves;
        this.alignment = alignment;
    }

    /**
     * The renderer of {@code r} with its runs' curves and alignment points as they are in {@code store}
     * now: each run's accuracy curves, and per logged step its embedding's Dirichlet energy beside its
     * held-out analogy accuracy. A run the store no longer holds gets no curves.
     */
    public static WorldReportRenderer fromStore(LabStore store, WorldAnalysis.Result r) {
        Map<String, Map<String, Curve>> curves = new TreeMap<>();
        Map<String, List<double[]>> alignment = new TreeMap<>();
        for (WorldAnalysis.RunSummary run : r.runs()) {
            curves.put(run.run(), WorldAnalysis.curves(store, run.run()));
            Map<Long, double[]> byStep = new TreeMap<>();
            for (LabStore.CurvePoint p : store.curvePoints(run.run())) {
                if (p.value() == null) {
                    continue;
                }
                if (p.metric().equals("alignment.dirichlet.embed")) {
                    byStep.computeIfAbsent(p.step(), k -> new double[] {Double.NaN, Double.NaN})[0] = p.value();
                } else if (p.metric().equals("accuracy.analogical_ood")) {
                    byStep.computeIfAbsent(p.step(), k -> new double[] {Double.NaN, Double.NaN})[1] = p.value();
                }
            }
            alignment.put(run.run(), new ArrayList<>(byStep.values()));
        }
        return new WorldReportRenderer(curves, alignment);
    }

    @Override
    public String text(WorldAnalysis.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "experiment %s: %d runs, %d cells%n", r.experiment(), r.runs().size(), r.cells().size()));
        if (r.findings().isEmpty()) {
            b.append("no emergence order, transience or non-monotonic scaling beyond the binomial null\n");
        }
        for (String f : r.findings()) {
            b.append("- ").append(f).append('\n');
        }
        return b.toString().strip();
    }

    @Override
    public void section(Report report, WorldAnalysis.Result r) {
        report.heading("Controlled world: experiment " + r.experiment());
        report.text(r.runs().size() + " runs in " + r.cells().size() + " width × depth cells. Accuracies are exact-match on every"
                + " evaluation set (held-out sets: *_ood). Every call is tested against curves simulated with binomial noise on the same"
                + " number of examples and the same evaluation steps, with nothing happening (constant accuracy; for scaling, accuracy"
                + " monotone in size), and made only when the observed effect is beyond that null's 1 − α quantile (p-values below)."
                + " Intervals are 95 % Student-t across seeds, given only from 3 seeds on; with fewer, the range is shown.");
        report.heading("Findings");
        if (r.findings().isEmpty()) {
            report.verdict("none", "no emergence order, transient ability or non-monotonic scaling is beyond the binomial null at these"
                    + " thresholds", false);
        }
        for (String f : r.findings()) {
            report.verdict("finding", f, true);
        }
        report.heading("Held-out abilities over training, all runs");
        Plot pooled = Plot.of("mean over all " + r.runs().size() + " runs", "step", "accuracy").logX();
        for (String set : List.of("analogical_id", "analogical_ood", "compositional_near_ood", "compositional_far_ood", "truth_ood",
                "trajectory_ood")) {
            double[][] mean = meanCurve(r, curves, null, set);
            if (mean != null) {
                pooled.line(set, mean[0], mean[1]);
            }
        }
        report.plot("pooled_curves", pooled, "Each split's accuracy averaged over every run of the experiment (every size and seed)"
                + " that logged the step (runs that diverged drop out; steps fewer than half the runs reached are not shown).");
        List<List<String>> prow = new ArrayList<>();
        for (Transience.Result t : r.pooled()) {
            prow.add(List.of(t.evalSet(), t.verdict(), String.format(Locale.ROOT, "%.2f", t.drop().mean()), interval(t.drop()),
                    String.format(Locale.ROOT, "%.2f", t.test().threshold()), p(t.test()), t.transientSeeds() + " / " + t.seeds().size()));
        }
        report.table(List.of("held-out split", "transience (runs as replicates)", "mean drop", "95 % CI", "null 1 − α quantile", "null p",
                "runs beyond their null"), prow);
        report.heading("Accuracy vs step");
        int n = 0;
        for (WorldAnalysis.Cell c : r.cells()) {
            Plot p = Plot.of("width " + c.width() + ", depth " + c.depth() + " (mean of " + c.seeds() + " seed" + (c.seeds() == 1 ? "" : "s") + ")",
                    "step", "accuracy").logX();
            for (String set : SETS) {
                double[][] mean = meanCurve(r, curves, c, set);
                if (mean != null) {
                    p.line(set, mean[0], mean[1]);
                }
            }
            report.plot("curves_w" + c.width() + "_d" + c.depth() + "_" + (n++), p, "Accuracy of each split vs optimiser step (log x).");
        }
        report.heading("Scaling: final and peak held-out accuracy");
        for (String measure : List.of("final", "peak")) {
            for (String axis : List.of("width", "depth")) {
                Plot p = Plot.of(measure + " accuracy vs " + axis, axis, measure + " accuracy").logX();
                boolean any = false;
                for (String set : List.of("atomic_id", "compositional_near_ood", "compositional_far_ood", "analogical_ood")) {
                    List<double[]> pts = new ArrayList<>();
                    for (WorldAnalysis.RunSummary s : r.runs()) {
                        Double v = (measure.equals("final") ? s.finalAccuracy() : s.peakAccuracy()).get(set);
                        if (v != null) {
                            pts.add(new double[] {axis.equals("width") ? s.width() : s.depth(), v});
                        }
                    }
                    if (!pts.isEmpty()) {
                        any = true;
                        p.points(set, pts.stream().mapToDouble(x -> x[0]).toArray(), pts.stream().mapToDouble(x -> x[1]).toArray());
                        TreeMap<Double, double[]> byX = new TreeMap<>();
                        for (double[] q : pts) {
                            double[] acc = byX.computeIfAbsent(q[0], k -> new double[2]);
                            acc[0] += q[1];
                            acc[1]++;
                        }
                        p.line(set + " (mean)", byX.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                                byX.values().stream().mapToDouble(a -> a[0] / a[1]).toArray());
                    }
                }
                if (any) {
                    report.plot(measure + "_vs_" + axis, p, "Each point is one run (all seeds and all values of the other axis); lines join the means.");
                }
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (ScalingShape.Result s : r.scaling()) {
            rows.add(List.of(s.metric(), s.axis(), s.verdict(), s.shape().shape() == null ? "-" : s.shape().shape(), fmt(s.bestX()),
                    String.format(Locale.ROOT, "%.3f", s.test().statistic()), p(s.test()),
                    s.bestMinusLargest() == null ? "-" : ci(s.bestMinusLargest())));
        }
        report.table(List.of("metric", "axis", "verdict", "shape test", "best", "lead of a smaller size", "null p",
                "best − largest (95 % CI, ≥ 3 seeds)"), rows);
        report.heading("Alignment vs analogical accuracy");
        Plot a = Plot.of("Dirichlet energy of the input embedding over functor edges", "Dirichlet energy (L2-normalised; 2 = unrelated)",
                "accuracy on held-out analogies");
        alignment.forEach((run, pts) -> {
            double[] x = pts.stream().filter(v -> Double.isFinite(v[0]) && Double.isFinite(v[1])).mapToDouble(v -> v[0]).toArray();
            double[] y = pts.stream().filter(v -> Double.isFinite(v[0]) && Double.isFinite(v[1])).mapToDouble(v -> v[1]).toArray();
            if (x.length > 0) {
                a.points(run.substring(run.indexOf('/') + 1), x, y);
            }
        });
        report.plot("alignment_vs_analogy", a, "Every logged step of every run: lower energy = E1 entities closer to their images f(e).");
        report.heading("Detectors per cell");
        List<List<String>> det = new ArrayList<>();
        for (WorldAnalysis.Cell c : r.cells()) {
            for (int i = 0; i < c.emergence().size(); i++) {
                Emergence.Result e = c.emergence().get(i);
                Transience.Result t = c.transience().get(i);
                det.add(List.of("w" + c.width() + " d" + c.depth(), e.evalSet(), String.valueOf(t.seeds().get(0).examples()), e.verdict(),
                        p(e.test()), e.step() == null ? "-" : fmt(e.step()), e.stepCi95() == null ? "-" : ci(e.stepCi95()), t.verdict(),
                        String.format(Locale.ROOT, "%.2f", t.drop().mean()), interval(t.drop()), p(t.test())));
            }
        }
        report.table(List.of("cell", "split", "examples", "emergence", "null p", "step", "step 95 % CI", "transience", "drop", "drop 95 % CI",
                "null p"), det);
        List<List<String>> runs = new ArrayList<>();
        for (WorldAnalysis.RunSummary s : r.runs()) {
            runs.add(List.of(s.run(), s.status(), String.format(Locale.ROOT, "%,d", s.parameters()), String.valueOf(s.step()),
                    String.format(Locale.ROOT, "%.0f", s.seconds()), fmt(s.finalAccuracy().get("atomic_id")),
                    fmt(s.finalAccuracy().get("compositional_near_ood")), fmt(s.finalAccuracy().get("analogical_ood")),
                    fmt(s.peakAccuracy().get("analogical_ood"))));
        }
        report.heading("Runs");
        report.table(List.of("run", "status", "parameters", "steps", "seconds", "atomic", "near OOD", "analogy OOD", "analogy peak"), runs);
    }

    /** Mean over a cell's seeds at the steps all of them logged, or over every run (c null) at the steps half of them logged. */
    static double[][] meanCurve(WorldAnalysis.Result r, Map<String, Map<String, Curve>> curves, WorldAnalysis.Cell c, String set) {
        TreeMap<Long, double[]> sum = new TreeMap<>();
        int k = 0;
        for (WorldAnalysis.RunSummary s : r.runs()) {
            if (c != null && (s.width() != c.width() || s.depth() != c.depth())) {
                continue;
            }
            Curve cv = curves.get(s.run()).get(set);
            if (cv == null) {
                continue;
            }
            k++;
            for (int i = 0; i < cv.size(); i++) {
                double[] acc = sum.computeIfAbsent(cv.steps()[i], x -> new double[2]);
                acc[0] += cv.values()[i];
                acc[1]++;
            }
        }
        if (k == 0) {
            return null;
        }
        int seeds = k;
        List<double[]> pts = new ArrayList<>();
        // A cell's curve needs every seed at a step; the pooled curve (c == null) keeps a step that at
        // least half the runs logged, so one run that diverged early does not cut it short.
        double need = c == null ? Math.ceil(seeds / 2.0) : seeds;
        sum.forEach((step, acc) -> {
            if (acc[1] >= need) {
                pts.add(new double[] {step, acc[0] / acc[1]});
            }
        });
        return new double[][] {pts.stream().mapToDouble(x -> x[0]).toArray(), pts.stream().mapToDouble(x -> x[1]).toArray()};
    }

    private static String fmt(Double v) {
        return v == null || !Double.isFinite(v) ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String p(BinomialNull.Test t) {
        return String.format(Locale.ROOT, "%.3f", t.pValue());
    }

    /** A 95 % interval, or the range with the reason there is none (fewer than 3 seeds). */
    private static String interval(SeedInterval s) {
        if (s.ci95() != null) {
            return ci(s.ci95());
        }
        return s.range() == null ? "-" : String.format(Locale.ROOT, "range %.3g … %.3g (%s)", s.range().get(0), s.range().get(1), s.noCi());
    }

    private static String ci(List<Double> c) {
        return String.format(Locale.ROOT, "[%.3g, %.3g]", c.get(0), c.get(1));
    }
}
