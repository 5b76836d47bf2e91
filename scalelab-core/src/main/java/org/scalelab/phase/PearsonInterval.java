package org.scalelab.phase;

/**
 * Pearson's r with its confidence interval by Fisher's z transformation (Fisher 1921): z = atanh r is
 * close to normal with standard error 1/√(n−3), so the interval is tanh(z ± q/√(n−3)) with q the
 * normal quantile of the level. The interval assumes roughly bivariate-normal pairs drawn
 * independently; it needs n ≥ 4 (with n ≤ 3 the standard error is undefined and the interval is left
 * out, with that reason).
 *
 * @param r        Pearson's r, NaN when a column has no variance or n &lt; 2
 * @param ci       [lo, hi] at the level, or null (see {@code note})
 * @param note     why r or its interval is absent, else null
 */
public record PearsonInterval(double r, double[] ci, int n, String note) {

    public static PearsonInterval of(double[] x, double[] y, double level) {
        int n = x.length;
        double r = pearson(x, y);
        if (Double.isNaN(r)) {
            return new PearsonInterval(r, null, n, n < 2 ? "fewer than 2 models" : "a score does not vary across the models");
        }
        if (n <= 3) {
            return new PearsonInterval(r, null, n, "n = " + n + " ≤ 3: the Fisher-z interval needs at least 4 models");
        }
        double q = normalQuantile(0.5 + level / 2);
        double z = atanh(Math.max(-1 + 1e-15, Math.min(1 - 1e-15, r)));
        double half = q / Math.sqrt(n - 3);
        return new PearsonInterval(r, new double[] {Math.tanh(z - half), Math.tanh(z + half)}, n, null);
    }

    /** Pearson's product-moment correlation, two-pass; NaN when either column is constant. */
    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (!(sxx > 0) || !(syy > 0)) {
            return Double.NaN;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }

    static double atanh(double r) {
        return 0.5 * Math.log((1 + r) / (1 - r));
    }

    /** The standard normal quantile (Hipparchus' inverse CDF). */
    static double normalQuantile(double p) {
        return new org.hipparchus.distribution.continuous.NormalDistribution(0, 1).inverseCumulativeProbability(p);
    }
}
