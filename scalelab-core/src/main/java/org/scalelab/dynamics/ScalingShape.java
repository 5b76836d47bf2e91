package org.scalelab.dynamics;

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
 * {@code scalelab fit shape}) runs on every run's value, and per size a Welch interval (Welch 1947)
 * over seeds compares the best size with the largest and the largest with the smallest (from 3 seeds
 * a size; descriptive).
 *
 * <p>A call is made only against {@link BinomialNull}: the statistic is how much the best smaller
 * size beats the largest, max over x &lt; largest of mean(x) − mean(largest); under the monotone
 * null the level means are the non-decreasing (isotonic, pool-adjacent-violators) fit of the
 * observed ones, and each run's value is redrawn on its own examples — the final accuracy as one
 * Binomial(n, p)/n, the peak accuracy as the maximum of as many draws as the run had evaluations,
 * with p chosen so that the expected maximum equals the fitted level (max-selection included).
 * Verdict when the statistic is beyond the null at α: "non_monotonic" (ShapeTest also finds an
 * inverted U), "interior_best" (the best size is an interior one) or "decreasing" (the smallest
 * is best: bigger is worse); else "monotone". The binomial null has no seed-to-seed variation in
 * it, so when every size has at least 3 seeds the Welch interval (best − largest, or largest −
 * smallest) must also exclude 0; with fewer seeds the call rests on the binomial null alone. A
 * valley (U) is reported in {@code shape} only.
 */
public final class ScalingShape {
    private ScalingShape() {}

    /** One size: its value across seeds. */
    public record Level(double x, SeedInterval value) {}

    /**
     * How one run's value arises from noise: accuracy on {@code examples} examples, the maximum over
     * {@code evaluations} of them (1: a single evaluation, e.g. the final accuracy).
     */
    public record Noise(int examples, int evaluations) {
        public Noise {
            if (examples < 1 || evaluations < 1) {
                throw new InputException("a run's value needs at least one example and one evaluation, got " + examples + " and " + evaluations);
            }
        }
    }

    /**
     * @param axis          "width", "depth" or "data"
     * @param metric        what y is, e.g. "final_accuracy.analogical_ood"
     * @param levels        y per distinct x, ascending
     * @param shape         {@link ShapeTest}'s result on all runs
     * @param bestX         the x with the highest mean
     * @param bestMinusLargest Welch 95 % interval of mean(best x) − mean(largest x) (null when not computable: fewer than 3 seeds a size)
     * @param largestMinusSmallest Welch 95 % interval of mean(largest x) − mean(smallest x)
     * @param test          the best smaller size's lead over the largest against the monotone binomial null
     * @param verdict       "non_monotonic", "interior_best", "decreasing" or "monotone" (see the class comment)
     */
    public record Result(String axis, String metric, List<Level> levels, ShapeTest.Result shape, double bestX,
                         List<Double> bestMinusLargest, List<Double> largestMinusSmallest, BinomialNull.Test test, String verdict) {}

    /**
     * One measure of runs against one size axis.
     *
     * @param axis   "width", "depth" or "data"
     * @param metric what y is, e.g. "final_accuracy.analogical_ood"
     * @param x      each run's size
     * @param y      each run's value
     * @param noise  how each run's value arises from noise
     */
    public record Input(String axis, String metric, double[] x, double[] y, Noise[] noise) {
        public Input {
            x = x.clone();
            y = y.clone();
            noise = noise.clone();
        }
    }

    /**
     * @param shape the shape test's options (its α is the level of every call)
     * @param test  replicates and seed of the monotone binomial null
     */
    public record Options(ShapeTest.Options shape, BinomialNull.Options test) {
        public static Options defaults() {
            return new Options(ShapeTest.Options.defaults(), BinomialNull.Options.defaults());
        }
    }

    public static Result analyze(Input input, Options o) {
        String axis = input.axis();
        String metric = input.metric();
        double[] x = input.x();
        double[] y = input.y();
        Noise[] noise = input.noise();
        ShapeTest.Options options = o.shape();
        BinomialNull.Options nullOptions = o.test();
        if (x.length != y.length || x.length == 0 || noise.length != x.length) {
            throw new InputException(axis + ": " + x.length + " sizes but " + y.length + " values and " + noise.length + " noise models");
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
        BinomialNull.Test test = monotoneNullTest(x, y, noise, byX, nullOptions);
        // The binomial null knows nothing of seed-to-seed variation; where every size has 3 seeds, the
        // seeds' own Welch interval must agree as well.
        boolean seedsAllow = true;
        if (levels.stream().allMatch(l -> l.value().n() >= SeedInterval.MIN_SEEDS)) {
            seedsAllow = interior ? bestGap.get(0) > 0 : endGap != null && endGap.get(1) < 0;
        }
        String verdict;
        if (!test.significant() || !seedsAllow || best == largest) {
            verdict = "monotone";
        } else if (interior && "inverted_U".equals(shape.shape())) {
            verdict = "non_monotonic";
        } else if (interior) {
            verdict = "interior_best";
        } else {
            verdict = "decreasing";
        }
        return new Result(axis, metric, levels, shape, best.x(), bestGap, endGap, test, verdict);
    }

    /** max over levels below the largest of mean(level) − mean(largest); 0 with one level. */
    static double leadOverLargest(double[] x, double[] y, List<Double> sizes) {
        int m = sizes.size();
        double[] sum = new double[m];
        int[] count = new int[m];
        for (int i = 0; i < x.length; i++) {
            int l = java.util.Collections.binarySearch(sizes, x[i]);
            sum[l] += y[i];
            count[l]++;
        }
        double last = sum[m - 1] / count[m - 1];
        double lead = 0;
        for (int l = 0; l < m - 1; l++) {
            lead = Math.max(lead, sum[l] / count[l] - last);
        }
        return lead;
    }

    private static BinomialNull.Test monotoneNullTest(double[] x, double[] y, Noise[] noise, TreeMap<Double, List<Double>> byX,
                                                      BinomialNull.Options o) {
        List<Double> sizes = new ArrayList<>(byX.keySet());
        double[] means = new double[sizes.size()];
        int[] counts = new int[sizes.size()];
        for (int l = 0; l < sizes.size(); l++) {
            List<Double> v = byX.get(sizes.get(l));
            means[l] = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            counts[l] = v.size();
        }
        double[] fitted = isotonic(means, counts);
        BinomialNull.Sampler[] samplers = new BinomialNull.Sampler[x.length];
        for (int i = 0; i < x.length; i++) {
            double level = fitted[sizes.indexOf(x[i])];
            samplers[i] = new BinomialNull.Sampler(noise[i].examples(), pForExpectedMax(level, noise[i]));
        }
        double observed = leadOverLargest(x, y, sizes);
        return BinomialNull.test(observed, rng -> {
            double[] sim = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double best = 0;
                for (int e = 0; e < noise[i].evaluations(); e++) {
                    best = Math.max(best, samplers[i].draw(rng));
                }
                sim[i] = best;
            }
            return leadOverLargest(x, sim, sizes);
        }, o, "monotone non-decreasing in " + sizes.size() + " sizes (isotonic fit of the level means), each run redrawn on its own"
                + " examples" + (noise[0].evaluations() > 1 ? " as the maximum over its evaluations" : ""));
    }

    /** Pool-adjacent-violators: the non-decreasing sequence closest to {@code v} in weighted least squares. */
    static double[] isotonic(double[] v, int[] w) {
        int m = v.length;
        double[] val = new double[m];
        double[] wt = new double[m];
        int[] len = new int[m];
        int blocks = 0;
        for (int i = 0; i < m; i++) {
            val[blocks] = v[i];
            wt[blocks] = w[i];
            len[blocks] = 1;
            blocks++;
            while (blocks > 1 && val[blocks - 2] > val[blocks - 1]) {
                double tw = wt[blocks - 2] + wt[blocks - 1];
                val[blocks - 2] = (val[blocks - 2] * wt[blocks - 2] + val[blocks - 1] * wt[blocks - 1]) / tw;
                wt[blocks - 2] = tw;
                len[blocks - 2] += len[blocks - 1];
                blocks--;
            }
        }
        double[] out = new double[m];
        int at = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < len[b]; j++) {
                out[at++] = val[b];
            }
        }
        return out;
    }

    /**
     * The p at which the maximum of {@code evaluations} Binomial(n, p)/n draws has expectation
     * {@code level} (p = level for one evaluation), by bisection: E[max] = Σ_{k=1..n} (1 − F(k−1)^T) / n
     * increases with p.
     */
    static double pForExpectedMax(double level, Noise noise) {
        if (noise.evaluations() == 1 || level <= 0 || level >= 1) {
            return Math.min(1, Math.max(0, level));
        }
        double lo = 0;
        double hi = level;
        for (int it = 0; it < 50; it++) {
            double mid = (lo + hi) / 2;
            if (expectedMax(mid, noise) < level) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    private static double expectedMax(double p, Noise noise) {
        int n = noise.examples();
        BinomialNull.Sampler b = new BinomialNull.Sampler(n, p);
        double e = 0;
        for (int k = 1; k <= n; k++) {
            e += 1 - Math.pow(b.cdf(k - 1), noise.evaluations());
        }
        return e / n;
    }

    /**
     * 95 % Welch interval for mean(a) − mean(b): se = √(s_a²/n_a + s_b²/n_b), degrees of freedom by
     * the Welch–Satterthwaite formula. Null when either side has fewer than 3 seeds (no interval from fewer). Zero variance on
     * both sides gives the point difference as a zero-width interval.
     */
    static List<Double> welch(SeedInterval a, SeedInterval b) {
        if (a.n() < SeedInterval.MIN_SEEDS || b.n() < SeedInterval.MIN_SEEDS) {
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
