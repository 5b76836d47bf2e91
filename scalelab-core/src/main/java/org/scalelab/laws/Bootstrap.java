package org.scalelab.laws;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Nonparametric (pairs) bootstrap helpers shared by every law: seeded index resampling, percentile
 * confidence intervals and standard errors. Replicate {@code i} of seed {@code s} always draws the
 * same indices, whatever the thread that runs it, so parallel bootstraps are reproducible.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /** Indices of replicate {@code replicate}: {@code n} draws with replacement from 0..n-1. */
    public static int[] resample(int n, long seed, int replicate) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + replicate);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rng.nextInt(n);
        }
        return idx;
    }

    /** How often each of 0..n−1 occurs in {@code idx} (a resample's multiplicities). */
    public static int[] counts(int[] idx, int n) {
        int[] count = new int[n];
        for (int i : idx) {
            count[i]++;
        }
        return count;
    }

    /** Gathers {@code values[idx[i]]}. */
    public static double[] take(double[] values, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = values[idx[i]];
        }
        return out;
    }

    /**
     * Percentile interval [q(α/2), q(1−α/2)] of the finite samples, with linear interpolation between
     * order statistics (numpy's default "linear" method). Returns {NaN, NaN} when no sample is finite.
     */
    public static double[] percentileInterval(double[] samples, double level) {
        double[] s = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double tail = (1 - level) / 2;
        return new double[] {quantile(s, tail), quantile(s, 1 - tail)};
    }

    /** Quantile of sorted data, numpy "linear" interpolation: position q·(n−1). */
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

    /** Sample standard deviation (n−1) of the finite samples: the bootstrap standard error. */
    public static double standardError(double[] samples) {
        double[] s = Arrays.stream(samples).filter(Double::isFinite).toArray();
        if (s.length < 2) {
            return Double.NaN;
        }
        double mean = Arrays.stream(s).average().orElse(Double.NaN);
        double ss = 0;
        for (double v : s) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / (s.length - 1));
    }
}
