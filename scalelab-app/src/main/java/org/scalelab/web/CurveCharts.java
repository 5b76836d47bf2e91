package org.scalelab.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.curves.DebiasedEma;
import org.scalelab.curves.MinMaxDownsampling;
import org.scalelab.curves.SeedGroups;
import org.scalelab.curves.StepSeries;
import org.scalelab.store.LabStore;

/**
 * Training curves of some runs as a chart: each run × metric read from the store, optionally grouped
 * into seeds (mean line with its interval band) and smoothed, then reduced to at most {@code points}
 * points per curve with min/max-preserving buckets ({@link MinMaxDownsampling}), so a one-step spike is
 * always drawn.
 *
 * <p>Plain curves are reduced in the store ({@link LabStore#curve}), so a curve of millions of points
 * is never read whole. Smoothing and seed groups need every point (an average over a reduced curve
 * would average other numbers), so then the curves are read whole, smoothed or grouped, and reduced
 * after.
 */
final class CurveCharts {
    /** Points per curve unless the request says. */
    static final int DEFAULT_POINTS = 2_000;
    /** The most points per curve a request may ask for. */
    static final int MAX_POINTS = 100_000;

    /**
     * What a request asks for.
     *
     * @param runs    training runs, in the order given
     * @param metrics metrics to draw (empty: every metric the runs logged)
     * @param points  most points drawn per curve
     * @param smooth  smoothing weight, 0 (off) .. 0.99
     * @param seeds   group runs that differ only in their seed into a mean with its band
     * @param logX    start with a log step axis
     */
    record Request(List<String> runs, List<String> metrics, int points, double smooth, boolean seeds, boolean logX) {}

    /**
     * The answer of {@code GET /api/curves}.
     *
     * @param chart       what the page draws
     * @param points      points the drawn curves logged in all (before smoothing, grouping and reduction)
     * @param shown       points drawn (curve lines; a band's points are those of its mean line)
     * @param downsampled whether any curve was reduced
     */
    record Answer(ChartSpec chart, long points, long shown, boolean downsampled) {}

    private CurveCharts() {}

    /** Reads and draws {@code request}; throws {@link io.javalin.http.NotFoundResponse} for a run with no points. */
    static Answer chart(LabStore store, Request request) {
        List<String> metrics = request.metrics().isEmpty() ? store.curveMetrics(request.runs()) : request.metrics();
        int limit = request.smooth() > 0 || request.seeds() ? Integer.MAX_VALUE : request.points();
        Map<String, Map<String, LabStore.DownsampledCurve>> curves = store.curves(request.runs(), metrics, limit);
        for (String run : request.runs()) {
            if (curves.get(run).values().stream().allMatch(c -> c.total() == 0)) {
                throw new io.javalin.http.NotFoundResponse("run: no curve points of " + (metrics.isEmpty() ? "any metric" : String.join(", ", metrics))
                        + " logged for run " + run);
            }
        }
        List<ChartSpec.Series> series = new ArrayList<>();
        long total = 0;
        long shown = 0;
        boolean downsampled = false;
        List<List<String>> groups = request.seeds() ? seedGroups(store, request.runs()) : request.runs().stream().map(List::of).toList();
        for (List<String> group : groups) {
            for (String metric : metrics) {
                String label = label(request.seeds() && group.size() > 1 ? SeedGroups.name(group) : group.get(0), metric,
                        request.runs().size(), metrics.size());
                List<StepSeries> seeds = new ArrayList<>();
                for (String run : group) {
                    LabStore.DownsampledCurve c = curves.get(run).get(metric);
                    total += c.total();
                    downsampled |= c.downsampled();
                    if (c.total() > 0) {
                        seeds.add(c.series());
                    }
                }
                if (seeds.isEmpty()) {
                    continue;
                }
                List<String> runs = group.stream().filter(r -> curves.get(r).get(metric).total() > 0).toList();
                if (seeds.size() == 1) {
                    StepSeries s = request.smooth() > 0 ? DebiasedEma.smooth(seeds.get(0), request.smooth()) : seeds.get(0);
                    StepSeries drawn = MinMaxDownsampling.downsample(s, request.points());
                    downsampled |= drawn.size() < s.size();
                    shown += drawn.size();
                    series.add(line(label, drawn, runs.get(0)));
                    continue;
                }
                SeedGroups.Band band = SeedGroups.mean(label, runs, seeds);
                if (request.smooth() > 0) {
                    band = new SeedGroups.Band(band.name(), band.runs(), band.steps(), DebiasedEma.smooth(band.mean(), request.smooth()),
                            DebiasedEma.smooth(band.lo(), request.smooth()), DebiasedEma.smooth(band.hi(), request.smooth()), band.n());
                }
                SeedGroups.Band drawn = band.select(MinMaxDownsampling.keep(band.meanSeries(), request.points()));
                downsampled |= drawn.size() < band.size();
                shown += drawn.size();
                double[] x = steps(drawn.steps());
                series.add(new ChartSpec.Series(label + " 95% CI", "band", x, null, drawn.lo(), drawn.hi(), null, 0, null));
                series.add(line(label, drawn.meanSeries(), runs.get(0)));
            }
        }
        String title = String.join(", ", metrics) + (request.smooth() > 0 ? " (smoothed " + request.smooth() + ")" : "");
        ChartSpec chart = new ChartSpec(title, request.logX() ? ChartSpec.Axis.log("step") : ChartSpec.Axis.linear("step"),
                ChartSpec.Axis.linear(metrics.size() == 1 ? metrics.get(0) : "value"), series, List.of());
        return new Answer(chart, total, shown, downsampled);
    }

    /** The runs grouped by their settings without the seed (runs ScaleLab did not train stand alone). */
    private static List<List<String>> seedGroups(LabStore store, List<String> runs) {
        Map<String, String> configuration = new LinkedHashMap<>();
        for (String run : runs) {
            LabStore.TrainingRun t = store.trainingRun(run);
            configuration.put(run, t == null ? "run:" + run : SeedGroups.configuration(run, t.experiment(), t.specJson()));
        }
        return SeedGroups.group(configuration);
    }

    private static String label(String run, String metric, int runs, int metrics) {
        if (metrics == 1) {
            return run;
        }
        return runs == 1 ? metric : run + " · " + metric;
    }

    private static ChartSpec.Series line(String name, StepSeries s, String run) {
        // One link for the whole line: every point of a run's curve opens that run.
        List<String> links = List.of("/runs?run=" + URLEncoder.encode(run, StandardCharsets.UTF_8));
        return new ChartSpec.Series(name, "line", steps(s.steps()), s.values(), null, null, null, 0, links);
    }

    private static double[] steps(long[] steps) {
        double[] x = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            x[i] = steps[i];
        }
        return x;
    }
}
