package org.scalelab.dynamics;

import java.util.Arrays;
import java.util.List;
import org.hipparchus.distribution.continuous.TDistribution;

/**
 * A mean across seeds with its 95 % Student-t interval, mean ± t(0.975, n−1)·s/√n (the runs of a
 * sweep cell differ only in their seed, so they are independent replicates). With fewer than
 * {@link #MIN_SEEDS} seeds there is no interval: two seeds that happen to agree give a zero-width
 * "interval" that says nothing about seed-to-seed variation, so only their range is given, with the
 * reason in {@code noCi}.
 *
 * @param n      replicates
 * @param mean   their mean
 * @param ci95   [low, high], or null when n &lt; 3
 * @param noCi   why there is no interval ("n seeds < 3, no CI"), or null when there is one
 * @param range  [min, max] of the replicates (null when n = 0)
 * @param values the replicates, in seed order
 */
public record SeedInterval(int n, double mean, List<Double> ci95, String noCi, List<Double> range, List<Double> values) {
    /** Fewest seeds for which a t-interval is given. */
    public static final int MIN_SEEDS = 3;

    public static SeedInterval of(double[] values) {
        int n = values.length;
        double mean = n == 0 ? Double.NaN : Arrays.stream(values).average().orElseThrow();
        List<Double> ci = null;
        if (n >= MIN_SEEDS) {
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
            ci = List.of(mean - half, mean + half);
        }
        List<Double> range = n == 0 ? null : List.of(Arrays.stream(values).min().orElseThrow(), Arrays.stream(values).max().orElseThrow());
        return new SeedInterval(n, mean, ci, ci == null ? "n seeds " + n + " < " + MIN_SEEDS + ", no CI" : null, range,
                Arrays.stream(values).boxed().toList());
    }

    /** True when the whole interval lies above {@code x}; false without an interval. */
    public boolean above(double x) {
        return ci95 != null && ci95.get(0) > x;
    }

    /** True when the whole interval lies below {@code x}; false without an interval. */
    public boolean below(double x) {
        return ci95 != null && ci95.get(1) < x;
    }

    /** " [95 % CI a, b]" with an interval, else " (range a … b; n seeds &lt; 3, no CI)": for findings and tables. */
    public String describe(String format) {
        if (ci95 != null) {
            return " [95 % CI " + String.format(java.util.Locale.ROOT, format, ci95.get(0)) + ", "
                    + String.format(java.util.Locale.ROOT, format, ci95.get(1)) + "]";
        }
        if (range == null) {
            return "";
        }
        return " (range " + String.format(java.util.Locale.ROOT, format, range.get(0)) + " … "
                + String.format(java.util.Locale.ROOT, format, range.get(1)) + "; " + noCi + ")";
    }
}
