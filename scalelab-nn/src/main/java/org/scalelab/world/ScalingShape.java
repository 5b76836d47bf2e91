package org.scalelab.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hipparchus.distribution.continuous.TDistribution;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.laws.ShapeTest;

/**
 * Does final (or peak) accuracy scale non-monotonically in width, depth or data? The law engine's
 * {@link ShapeTest} (quadratic in log x plus Simonsohn's two-lines test, same JSON as
 * {@code scalelab fit shape}) runs on every run's value. Sweeps have few sizes (e.g. depths 1, 2, 4),
 * too few for two lines of 3 points a side, so two descriptive seed-level comparisons come with it:
 * whether the best size is an interior one and beats the largest, and whether the largest is worse
 * than the smallest, each by a Welch interval (Welch 1947) over seeds; a falling linear trend of all
 * runs in log x (ShapeTest's trend test) also counts as "decreasing" (bigger is worse).
 */
public final class ScalingShape {
    private ScalingShape() {}

    /** One size: its value across seeds. */
    public record Level(double x, SeedInterval value) {}

    /**
     * @param axis          "width", "depth" or "data"
     * @param metric        what y is, e.g. "final_accuracy.analogical_ood"
     * @param levels        y per distinct x, ascending
     * @param shape         {@link ShapeTest}'s result on all runs
     * @param bestX         the x with the highest mean
     * @param bestMinusLargest Welch 95 % interval of mean(best x) − mean(largest x) (null when not computable)
     * @param largestMinusSmallest Welch 95 % interval of mean(largest x) − mean(smallest x)
     * @param verdict       "non_monotonic" (ShapeTest: U or inverted U), "interior_best" (an interior size beats the
     *                      largest, interval above 0), "decreasing" (the largest is worse than the smallest, interval
     *                      below 0, or ShapeTest's linear trend in log x falls with p &lt; α), else "monotone"
     */
    public record Result(String axis, String metric, List<Level> levels, ShapeTest.Result shape, double bestX,
                         List<Double> bestMinusLargest, List<Double> largestMinusSmallest, String verdict) {}

    public static Result analyze(String axis, String metric, double[] x, double[] y, ShapeTest.Options options) {
        if (x.length != y.length || x.length == 0) {
            throw new InputException(axis + ": " + x.length + " sizes but " + y.length + " values");
        }
        TreeMap<Double, List<Double>> byX = new TreeMap<>();
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] > 0)) {
                throw new InputException(axis + " " + x[i] + ": sizes must be positive");
            }
            byX.computeIfAbsent(x[i], k -> new ArrayList<>()).add(y[i]);
        }
        List<Level> levels = new ArrayList<>();
        byX.forEach((k, v) -> levels.add(new Level(k, SeedInterval.of(v.stream().mapToDouble(Double::doubleValue).toArray()))));
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("axis", axis);
        opts.put("metric", metric);
        opts.put("alpha", options.alpha());
        opts.put("bootstrap", options.bootstrap());
        ShapeTest.Result shape = ShapeTest.test(x, y, options, Provenance.of("world scaling shape", List.of(), opts, options.seed()));
        Level best = levels.get(0);
        for (Level l : levels) {
            if (l.value().mean() > best.value().mean()) {
                best = l;
            }
        }
        Level smallest = levels.get(0);
        Level largest = levels.get(levels.size() - 1);
        boolean interior = best != smallest && best != largest;
        List<Double> bestGap = interior ? welch(best.value(), largest.value()) : null;
        List<Double> endGap = levels.size() > 1 ? welch(largest.value(), smallest.value()) : null;
        String verdict;
        if ("U".equals(shape.shape()) || "inverted_U".equals(shape.shape())) {
            verdict = "non_monotonic";
        } else if (bestGap != null && bestGap.get(0) > 0) {
            verdict = "interior_best";
        } else if ((endGap != null && endGap.get(1) < 0) || ("monotone_decreasing".equals(shape.shape())
                && shape.trendPValue() != null && shape.trendPValue() < options.alpha())) {
            verdict = "decreasing";
        } else {
            verdict = "monotone";
        }
        return new Result(axis, metric, levels, shape, best.x(), bestGap, endGap, verdict);
    }

    /**
     * 95 % Welch interval for mean(a) − mean(b): se = √(s_a²/n_a + s_b²/n_b), degrees of freedom by
     * the Welch–Satterthwaite formula. Null when either side has fewer than 2 seeds. Zero variance on
     * both sides gives the point difference as a zero-width interval.
     */
    static List<Double> welch(SeedInterval a, SeedInterval b) {
        if (a.n() < 2 || b.n() < 2) {
            return null;
        }
        double va = variance(a) / a.n();
        double vb = variance(b) / b.n();
        double diff = a.mean() - b.mean();
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            return List.of(diff, diff);
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.n() - 1) + vb * vb / (b.n() - 1));
        double half = new TDistribution(df).inverseCumulativeProbability(0.975) * se;
        return List.of(diff - half, diff + half);
    }

    private static double variance(SeedInterval s) {
        double ss = 0;
        for (double v : s.values()) {
            ss += (v - s.mean()) * (v - s.mean());
        }
        return ss / (s.n() - 1);
    }
}
