package org.scalelab.geometry;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * TwoNN intrinsic dimension (Facco, d'Errico, Rodriguez & Laio 2017, Sci. Rep. 7:12140): with r1, r2
 * the distances of a point to its first and second nearest neighbours, μ = r2/r1 follows
 * F(μ) = 1 − μ^(−d), so −log(1 − F(μ)) = d log μ. As in scikit-dimension's {@code TwoNN}
 * (discard_fraction 0.1): sort μ, keep the smallest m = ⌊0.9 N⌋, take the empirical F_i = i/N for
 * i = 0..m−1 and fit a line through the origin by least squares: d = Σ x y / Σ x², x = log μ_(i),
 * y = −log(1 − F_i).
 *
 * <p>Points with a duplicate (r1 = 0, μ undefined) are left out, and N counts only the rest. Nearest
 * neighbours come from symmetric float64 distance blocks ({@link SquaredDistances}).
 */
public final class TwoNN {
    private TwoNN() {}

    public static final double DEFAULT_DISCARD_FRACTION = 0.1;

    public static MetricValue of(PointSet points) {
        return of(points, DEFAULT_DISCARD_FRACTION);
    }

    public static MetricValue of(PointSet points, double discardFraction) {
        return of(points, discardFraction, DistancePrecision.AUTO);
    }

    public static MetricValue of(PointSet points, double discardFraction, DistancePrecision precision) {
        int n = points.size();
        if (n < 3) {
            return MetricValue.missing("TwoNN needs at least 3 points, got " + n);
        }
        return estimate(ratios(points, precision), discardFraction);
    }

    /**
     * μ_i = r2/r1 of every point (NaN for a point with an exact duplicate, r1 = 0). Needs n ≥ 3.
     */
    static double[] ratios(PointSet points, DistancePrecision precision) {
        int n = points.size();
        double[] first = new double[n];
        double[] second = new double[n];
        Arrays.fill(first, Double.POSITIVE_INFINITY);
        Arrays.fill(second, Double.POSITIVE_INFINITY);
        SquaredDistances distances = new SquaredDistances(points.buffer(), n, points.dimension(), precision.forNeighbours());
        distances.visitUpper((i0, ni, j0, nj, d2, diagonal) -> {
            IntStream.range(0, ni).parallel().forEach(i -> {
                int row = i0 + i;
                int base = i * nj;
                for (int j = 0; j < nj; j++) {
                    if (!(diagonal && i == j)) {
                        offer(first, second, row, d2[base + j]);
                    }
                }
            });
            if (!diagonal) {
                int parts = Math.min(nj, 4 * Runtime.getRuntime().availableProcessors());
                IntStream.range(0, parts).parallel().forEach(part -> {
                    int from = (int) ((long) nj * part / parts);
                    int to = (int) ((long) nj * (part + 1) / parts);
                    for (int i = 0; i < ni; i++) {
                        int base = i * nj;
                        for (int j = from; j < to; j++) {
                            offer(first, second, j0 + j, d2[base + j]);
                        }
                    }
                });
            }
        });
        double[] mu = new double[n];
        for (int i = 0; i < n; i++) {
            mu[i] = first[i] > 0 ? Math.sqrt(second[i] / first[i]) : Double.NaN;
        }
        return mu;
    }

    /** The fit on the finite ratios (points with a duplicate left out); missing when fewer than 3 remain. */
    static MetricValue estimate(double[] ratios, double discardFraction) {
        double[] mu = java.util.Arrays.stream(ratios).filter(Double::isFinite).toArray();
        int duplicates = ratios.length - mu.length;
        if (mu.length < 3) {
            return MetricValue.missing("TwoNN needs at least 3 points without an exact duplicate, got " + mu.length
                    + " (" + duplicates + " duplicated)");
        }
        return fit(mu, discardFraction);
    }

    /** The line fit of Facco et al. on the ratios μ (scikit-dimension's variant); sorts {@code mu}. */
    static MetricValue fit(double[] mu, double discardFraction) {
        int n = mu.length;
        Arrays.sort(mu);
        int m = (int) (n * (1 - discardFraction));
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < m; i++) {
            double x = Math.log(mu[i]);
            double y = -Math.log(1 - (double) i / n);
            sxy += x * y;
            sxx += x * x;
        }
        if (!(sxx > 0)) {
            return MetricValue.missing("all nearest-neighbour distance ratios are 1; TwoNN is undefined");
        }
        return MetricValue.of(sxy / sxx);
    }

    private static void offer(double[] first, double[] second, int row, double v) {
        if (v < first[row]) {
            second[row] = first[row];
            first[row] = v;
        } else if (v < second[row]) {
            second[row] = v;
        }
    }
}
