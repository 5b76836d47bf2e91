package org.scalelab.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Nonparametric (pairs) bootstrap (Efron &amp; Tibshirani 1993, ch. 6 and 9): seeded index resampling and
 * the bootstrap standard error. Replicate {@code i} of seed {@code s} always draws the same indices,
 * whatever the thread that runs it, so parallel bootstraps are reproducible. Intervals over the
 * replicates are {@link Quantiles#percentileInterval percentile intervals}.
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
