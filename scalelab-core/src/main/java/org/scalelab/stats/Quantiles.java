package org.scalelab.stats;

import java.util.Arrays;

/**
 * Sample quantiles with linear interpolation between order statistics — numpy's default
 * {@code "linear"} method (Hyndman &amp; Fan 1996, definition 7) — and the percentile intervals built
 * from them.
 */
public final class Quantiles {
    private Quantiles() {}

    /** Quantile q ∈ [0, 1] of sorted data: position q·(n−1), interpolated between its neighbours. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }

    /**
     * Percentile interval [q(α/2), q(1−α/2)] of the finite samples at confidence {@code level} = 1 − α
     * (the bootstrap percentile interval, Efron &amp; Tibshirani 1993, ch. 13). Returns {NaN, NaN} when
     * no sample is finite.
     */
    public static double[] percentileInterval(double[] samples, double level) {
        double[] s = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double tail = (1 - level) / 2;
        return new double[] {quantile(s, tail), quantile(s, 1 - tail)};
    }
}
