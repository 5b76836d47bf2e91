package org.scalelab.stats;

import java.util.Arrays;

/**
 * Spearman's rank correlation and the partial rank correlation of two variables given a third.
 *
 * <p>Ranks are fractional: tied values share the mean of the ranks they span (scipy's
 * {@code rankdata(method="average")}), and Spearman's ρ is Pearson's correlation of the ranks, as
 * {@code scipy.stats.spearmanr} computes it. The partial rank correlation of x and y given z is
 * Pearson's correlation of the residuals of rank(x) and rank(y) after a least-squares line on rank(z)
 * (Kendall &amp; Stuart, <i>The Advanced Theory of Statistics</i> vol. 2, §27.22), computed in its closed
 * form (ρ_xy − ρ_xz ρ_yz) / √((1 − ρ_xz²)(1 − ρ_yz²)). A correlation a constant variable enters is NaN.
 */
public final class RankCorrelation {
    private RankCorrelation() {}

    /** Average ranks 1..n of {@code v} (ties share the mean of their ranks); NaN has no rank and is refused. */
    public static double[] ranks(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                throw new IllegalArgumentException("NaN at " + i + " has no rank");
            }
            int first = lowerBound(sorted, v[i]);
            int last = lowerBound(sorted, Math.nextUp(v[i])) - 1;
            r[i] = (first + last) / 2.0 + 1;
        }
        return r;
    }

    /** The first index of {@code sorted} whose value is at least {@code x}. */
    private static int lowerBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Spearman's ρ of paired samples; NaN when either is constant or fewer than 2 pairs. */
    public static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    /** The partial Spearman correlation of x and y given z (see the class comment); NaN when undefined. */
    public static double partialSpearman(double[] x, double[] y, double[] z) {
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double[] rz = ranks(z);
        return partial(pearson(rx, ry), pearson(rx, rz), pearson(ry, rz));
    }

    /** The partial correlation of x and y given z from the three pairwise correlations. */
    public static double partial(double xy, double xz, double yz) {
        double denominator = Math.sqrt((1 - xz * xz) * (1 - yz * yz));
        if (!(denominator > 1e-12)) {
            return Double.NaN;
        }
        return Math.max(-1, Math.min(1, (xy - xz * yz) / denominator));
    }

    /** Pearson's correlation, in two passes (centred sums); NaN when a variable is constant. */
    public static double pearson(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " values paired with " + y.length);
        }
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double a = x[i] - mx;
            double b = y[i] - my;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        if (!(sxx > 0) || !(syy > 0)) {
            return Double.NaN;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }
}
