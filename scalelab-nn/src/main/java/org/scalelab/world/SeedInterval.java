package org.scalelab.world;

import java.util.Arrays;
import java.util.List;
import org.hipparchus.distribution.continuous.TDistribution;

/**
 * A mean across seeds with its 95 % Student-t interval, mean ± t(0.975, n−1)·s/√n (the runs of a
 * sweep cell differ only in their seed, so they are independent replicates). With one seed the
 * interval is null: a single run says nothing about seed-to-seed variation.
 *
 * @param n      replicates
 * @param mean   their mean
 * @param ci95   [low, high], or null when n &lt; 2
 * @param values the replicates, in seed order
 */
public record SeedInterval(int n, double mean, List<Double> ci95, List<Double> values) {
    public static SeedInterval of(double[] values) {
        int n = values.length;
        double mean = n == 0 ? Double.NaN : Arrays.stream(values).average().orElseThrow();
        List<Double> ci = null;
        if (n >= 2) {
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
            ci = List.of(mean - half, mean + half);
        }
        return new SeedInterval(n, mean, ci, Arrays.stream(values).boxed().toList());
    }

    /** True when the whole interval lies above {@code x} (with one seed: the value does). */
    public boolean above(double x) {
        return ci95 == null ? n == 1 && mean > x : ci95.get(0) > x;
    }
}
