package org.scalelab.phase;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.Comparator;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * The critical size N_c at which two capabilities stop competing, estimated two ways and reported side
 * by side, each with a bootstrap percentile interval (Efron &amp; Tibshirani 1993, ch. 13) and the number
 * of replicates that gave an estimate.
 *
 * <ul>
 * <li><b>quadratic_vertex</b> — the study "Lying Is Just a Phase" (arXiv 2605.18838, §"Bootstrap
 *     confidence intervals") places N_c at the minimum of a parabola fitted to the second score against
 *     x = log10 N over all models pooled: N_c = 10^(−b / 2a). Its bootstrap resamples the models with
 *     replacement and keeps a replicate only when the parabola has a minimum (a &gt; 0) and the vertex lies
 *     strictly inside [10^lo, 10^hi] (the study: 10^7–10^12). The published figure is the replicates'
 *     median. This is the turning point of one score, not a zero of any measured coupling.
 * <li><b>gamma_zero</b> — where the measured coupling γ12 itself changes sign. Each within-family step
 *     is a point (log10 of the pair's geometric-mean size, γ12), pooled over families. By default
 *     ({@link GammaZero#INTERPOLATE}) the points are ordered by size and N_c is the linear interpolation
 *     between the last point with γ12 &lt; 0 and the point after it — the size above which every pooled
 *     step has γ12 ≥ 0 (steps at identical sizes enter as their mean); with no negative point, or a
 *     negative last point, there is no crossing.
 *     {@link GammaZero#FIT} instead fits γ12 = s·x + c by least squares (the study's eq. 2) and takes
 *     x = −c/s, valid when s &gt; 0 and inside the same range. The bootstrap resamples the steps; a
 *     replicate without a crossing is not valid.
 * </ul>
 */
public final class CriticalSize {
    private CriticalSize() {}

    /** How the γ12 zero is located. */
    public enum GammaZero {
        INTERPOLATE, FIT;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One estimate of N_c.
     *
     * @param method           "quadratic_vertex" or "gamma_zero"
     * @param value            the estimate on all the data (parameters), null when there is none (see note)
     * @param median           median of the valid bootstrap replicates, null when none is valid
     * @param ci95             95 % percentile interval of the valid replicates, or null
     * @param validReplicates  replicates that gave an estimate (passed the filters)
     * @param replicates       replicates drawn
     * @param fit              the fitted coefficients in x = log10 N: {a, b, c} of the parabola, {s, c} of the
     *                         line, null for interpolation
     * @param points           models (quadratic) or steps (γ12) used
     * @param procedure        the procedure in words, with its filters
     * @param note             why value or interval is absent, else null
     * @param replicateLog10   log10 of the valid replicates (for a histogram; not stored)
     */
    public record Estimate(String method, Double value, Double median, double[] ci95, int validReplicates, int replicates,
            double[] fit, int points, String procedure, String note, @JsonIgnore double[] replicateLog10) {}

    /** The quadratic-vertex estimate from sizes {@code params} and scores {@code y}. Needs ≥ 3 distinct sizes. */
    public static Estimate quadraticVertex(double[] params, double[] y, int replicates, long seed, double lo, double hi) {
        int n = params.length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.log10(params[i]);
        }
        String procedure = "quadratic fit of the second score against log10 N over " + n + " models; bootstrap over models ("
                + replicates + " resamples), keeping fits with a > 0 and vertex in (10^" + num(lo) + ", 10^" + num(hi) + ")";
        QuadraticFit full = QuadraticFit.of(x, y);
        Double value = null;
        String note = null;
        double[] coef = null;
        if (full == null) {
            note = "fewer than 3 distinct sizes: the parabola is undetermined";
        } else {
            coef = new double[] {full.a(), full.b(), full.c()};
            if (full.a() > 0) {
                value = Math.pow(10, full.vertex());
                if (!(full.vertex() > lo && full.vertex() < hi)) {
                    note = "the vertex of the fit on all models lies outside (10^" + num(lo) + ", 10^" + num(hi) + ")";
                }
            } else {
                note = "the fit on all models has no minimum (a = " + num(full.a()) + " ≤ 0): the score is not U-shaped in log size";
            }
        }
        double[] kept = new double[replicates];
        int valid = 0;
        double[] xb = new double[n];
        double[] yb = new double[n];
        for (int rep = 0; rep < replicates; rep++) {
            int[] idx = Bootstrap.resample(n, seed, rep);
            for (int i = 0; i < n; i++) {
                xb[i] = x[idx[i]];
                yb[i] = y[idx[i]];
            }
            QuadraticFit f = QuadraticFit.of(xb, yb);
            if (f == null || !(f.a() > 0)) {
                continue;
            }
            double v = f.vertex();
            if (v > lo && v < hi) {
                kept[valid++] = v;
            }
        }
        return summarise("quadratic_vertex", value, Arrays.copyOf(kept, valid), replicates, coef, n, procedure, note);
    }

    /**
     * The γ12 zero from pooled steps at sizes {@code logSize} (log10 of each step's geometric-mean size)
     * with couplings {@code gamma}.
     */
    public static Estimate gammaZero(double[] logSize, double[] gamma, GammaZero how, int replicates, long seed,
            double lo, double hi) {
        int n = gamma.length;
        String procedure = how == GammaZero.INTERPOLATE
                ? "linear interpolation between the last pooled step with γ12 < 0 and the next (steps ordered by geometric-mean size); "
                        + "bootstrap over " + n + " steps (" + replicates + " resamples), replicates without a crossing not valid"
                : "least-squares line γ12 = s·log10 N + c over " + n + " pooled steps, N_c = 10^(−c/s) with s > 0 inside (10^"
                        + num(lo) + ", 10^" + num(hi) + "); bootstrap over steps (" + replicates + " resamples)";
        double[] coef = null;
        Double value = null;
        String note = null;
        if (how == GammaZero.FIT) {
            double[] line = line(logSize, gamma);
            if (line == null) {
                note = "fewer than 2 distinct step sizes: no line";
            } else {
                coef = line;
                double z = zeroOfLine(line, lo, hi);
                if (Double.isNaN(z)) {
                    note = line[0] > 0 ? "the line's zero lies outside (10^" + num(lo) + ", 10^" + num(hi) + ")"
                            : "the fitted γ12 does not rise with size (s = " + num(line[0]) + " ≤ 0): no tax-to-bonus crossing";
                } else {
                    value = Math.pow(10, z);
                }
            }
        } else {
            double z = lastCrossing(logSize, gamma);
            if (Double.isNaN(z)) {
                note = n < 2 ? "fewer than 2 steps" : "the pooled γ12 has no crossing from < 0 to ≥ 0 that it stays above";
            } else {
                value = Math.pow(10, z);
            }
        }
        double[] kept = new double[replicates];
        int valid = 0;
        double[] xb = new double[n];
        double[] gb = new double[n];
        for (int rep = 0; rep < replicates && n > 0; rep++) {
            int[] idx = Bootstrap.resample(n, seed ^ 0x5DEECE66DL, rep); // a stream apart from the models' resamples
            for (int i = 0; i < n; i++) {
                xb[i] = logSize[idx[i]];
                gb[i] = gamma[idx[i]];
            }
            double z;
            if (how == GammaZero.FIT) {
                double[] l = line(xb, gb);
                z = l == null ? Double.NaN : zeroOfLine(l, lo, hi);
            } else {
                z = lastCrossing(xb, gb);
            }
            if (!Double.isNaN(z)) {
                kept[valid++] = z;
            }
        }
        return summarise("gamma_zero", value, Arrays.copyOf(kept, valid), replicates, coef, n, procedure, note);
    }

    /**
     * log10 size where the pooled γ12, ordered by size, last rises from &lt; 0 to ≥ 0 and stays there
     * (linear interpolation between the two steps); NaN without such a crossing. Steps at exactly the
     * same size (two families with the same pair of sizes) count as one point, their mean γ12, so the
     * answer does not depend on the order of families in the table.
     */
    static double lastCrossing(double[] logSize, double[] gamma) {
        int n = gamma.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> logSize[i]));
        double[] xs = new double[n];
        double[] gs = new double[n];
        int m = 0;
        for (int k = 0; k < n; ) {
            double x = logSize[order[k]];
            double sum = 0;
            int count = 0;
            for (; k < n && logSize[order[k]] == x; k++) {
                sum += gamma[order[k]];
                count++;
            }
            xs[m] = x;
            gs[m++] = sum / count;
        }
        int last = -1;
        for (int k = 0; k < m; k++) {
            if (gs[k] < 0) {
                last = k;
            }
        }
        if (last < 0 || last == m - 1) {
            return Double.NaN;
        }
        double x0 = xs[last], g0 = gs[last];
        double x1 = xs[last + 1], g1 = gs[last + 1];
        return x0 + (0 - g0) * (x1 - x0) / (g1 - g0);
    }

    /** Least-squares {slope, intercept}; null with fewer than 2 distinct x. */
    static double[] line(double[] x, double[] y) {
        int n = x.length;
        if (QuadraticFit.distinct(x) < 2) {
            return null;
        }
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double s = sxy / sxx;
        return new double[] {s, my - s * mx};
    }

    private static double zeroOfLine(double[] line, double lo, double hi) {
        if (!(line[0] > 0)) {
            return Double.NaN;
        }
        double z = -line[1] / line[0];
        return z > lo && z < hi ? z : Double.NaN;
    }

    private static Estimate summarise(String method, Double value, double[] keptLog10, int replicates, double[] coef, int points,
            String procedure, String note) {
        Double median = null;
        double[] ci = null;
        if (keptLog10.length > 0) {
            double[] sizes = new double[keptLog10.length];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = Math.pow(10, keptLog10[i]);
            }
            double[] sorted = sizes.clone();
            Arrays.sort(sorted);
            median = Quantiles.quantile(sorted, 0.5);
            ci = Quantiles.percentileInterval(sizes, 0.95);
        } else if (replicates > 0) {
            note = (note == null ? "" : note + "; ") + "no bootstrap replicate passed the filters";
        }
        return new Estimate(method, value, median, ci, keptLog10.length, replicates, coef, points, procedure, note, keptLog10);
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
