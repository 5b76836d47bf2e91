package org.scalelab.geometry;

/**
 * Covariance eigenvalues (descending) and the number of principal components needed to explain a
 * fraction of the variance: d_q = min { k : Σ_{i≤k} λ_i ≥ q Σ λ } (the "d90"/"d95" of PCA
 * dimensionality, e.g. Ansuini et al. 2019), the same as
 * {@code np.searchsorted(np.cumsum(lam) / lam.sum(), q) + 1} on numpy's {@code eigvalsh}.
 */
public record VarianceSpectrum(double[] eigenvalues) {

    public static VarianceSpectrum of(PointSet points) {
        if (points.size() < 2) {
            throw new IllegalArgumentException("a spectrum needs at least 2 points, got " + points.size());
        }
        return of(Covariance.of(points));
    }

    static VarianceSpectrum of(Covariance c) {
        return new VarianceSpectrum(c.eigenvalues());
    }

    public double total() {
        double s = 0;
        for (double v : eigenvalues) {
            s += v;
        }
        return s;
    }

    /** Components needed for fraction {@code q} of the variance; missing when the variance is zero. */
    public MetricValue componentsFor(double q) {
        double total = total();
        if (!(total > 0)) {
            return MetricValue.missing("all points are identical (zero variance)");
        }
        double cum = 0;
        for (int k = 0; k < eigenvalues.length; k++) {
            cum += eigenvalues[k];
            if (cum / total >= q) {
                return MetricValue.of(k + 1);
            }
        }
        return MetricValue.of(eigenvalues.length);
    }

    /** Fraction of variance of each of the first {@code k} components (a scree plot). */
    public double[] explainedFractions(int k) {
        double total = total();
        double[] f = new double[Math.min(k, eigenvalues.length)];
        for (int i = 0; i < f.length; i++) {
            f[i] = total > 0 ? eigenvalues[i] / total : 0;
        }
        return f;
    }
}
