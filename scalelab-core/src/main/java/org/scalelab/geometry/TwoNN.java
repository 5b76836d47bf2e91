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
 * neighbours come from symmetric distance blocks ({@link SquaredDistances}): with
 * {@link DistancePrecision#AUTO} a float32 pass keeps each point's {@value #CANDIDATES} nearest
 * candidates, whose distances are then recomputed exactly in float64 (see {@link #filteredRatios});
 * FLOAT64 and FLOAT32 compute every distance in that arithmetic.
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
     * μ_i = r2/r1 of every point (NaN for a point with an exact duplicate, r1 = 0). Needs n ≥ 3. Above
     * 4·{@value #CANDIDATES} points, AUTO and FLOAT64 measure each point's nearest candidates exactly
     * ({@link #filteredRatios}); FLOAT32 takes its float32 distances as they are.
     */
    static double[] ratios(PointSet points, DistancePrecision precision) {
        if (precision != DistancePrecision.FLOAT32 && points.size() > 4 * CANDIDATES) {
            return filteredRatios(points, precision == DistancePrecision.AUTO ? DistancePrecision.FLOAT32 : DistancePrecision.FLOAT64, null);
        }
        int n = points.size();
        double[] first = new double[n];
        double[] second = new double[n];
        Arrays.fill(first, Double.POSITIVE_INFINITY);
        Arrays.fill(second, Double.POSITIVE_INFINITY);
        SquaredDistances distances = new SquaredDistances(points.buffer(), n, points.dimension(), precision.forNeighbours());
        visitPairs(distances, (row, other, v) -> offer(first, second, row, v));
        double[] mu = new double[n];
        for (int i = 0; i < n; i++) {
            mu[i] = first[i] > 0 ? Math.sqrt(second[i] / first[i]) : Double.NaN;
        }
        return mu;
    }

    /** Nearest candidates per point kept by the float32 pass of {@link #filteredRatios}. */
    static final int CANDIDATES = 8;

    /**
     * Exact r1, r2 from a float32 pass. The pass keeps each point's {@value #CANDIDATES} smallest
     * float32 squared distances a_1 ≤ … ≤ a_K; those candidates' distances are then recomputed in
     * float64 from the rows themselves (Σ (x_ik − x_jk)²). A float32 squared distance is off by at most
     * {@link Float32Bound} E, so every point outside the candidates is at least a_K − E_max(i) away. When
     * that is no less than the exact second-nearest candidate, r1 and r2 are exact; otherwise the
     * point's candidates are chosen again from float64 distance blocks (dgemm, as with
     * {@link DistancePrecision#FLOAT64}) against all points and measured exactly. The float32 GEMM runs
     * at about twice the float64 rate.
     *
     * @param fallbacks when not null, receives the number of points recomputed in full (tests)
     */
    static double[] filteredRatios(PointSet points, int[] fallbacks) {
        return filteredRatios(points, DistancePrecision.FLOAT32, fallbacks);
    }

    /**
     * As above with the candidates from a {@code pass} of that arithmetic; a FLOAT64 pass is trusted to
     * hold the true nearest neighbours among its candidates (its error is ~1e-16 of the squared norms) and
     * only refined, so that an exact duplicate far from the mean still gives r1 = 0.
     */
    static double[] filteredRatios(PointSet points, DistancePrecision pass, int[] fallbacks) {
        int n = points.size();
        int d = points.dimension();
        int k = CANDIDATES;
        double[] best = new double[n * k];
        int[] who = new int[n * k];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        Arrays.fill(who, -1);
        SquaredDistances distances = new SquaredDistances(points.buffer(), n, d, pass);
        visitPairs(distances, (row, other, v) -> keep(best, who, k, row, other, v));
        Float32Bound bound = new Float32Bound(points.buffer(), n, d);
        double top = bound.maxNorm();
        int[] full = new int[1];
        double[] mu = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] r = nearestTwo(points, i, who, i * k, k);
            double r1 = r[0];
            double r2 = r[1];
            double slack = bound.forNorms(bound.norm[i], top);
            if (pass == DistancePrecision.FLOAT64 || best[i * k + k - 1] - slack >= r2) {
                mu[i] = r1 > 0 ? Math.sqrt(r2 / r1) : Double.NaN;
            } else {
                mu[i] = Double.POSITIVE_INFINITY; // decided below, against every point
            }
        });
        int[] unresolved = IntStream.range(0, n).filter(i -> mu[i] == Double.POSITIVE_INFINITY).toArray();
        if (unresolved.length > 0) {
            // Those points against all points with the float64 distance blocks (dgemm), as --distances float64 does,
            // keeping their nearest candidates, which are then measured exactly as above.
            SquaredDistances exact = new SquaredDistances(points.buffer(), n, d, DistancePrecision.FLOAT64);
            int block = SquaredDistances.DEFAULT_BLOCK;
            for (int l0 = 0; l0 < unresolved.length; l0 += block) {
                int ni = Math.min(block, unresolved.length - l0);
                double[] near = new double[ni * k];
                int[] nearWho = new int[ni * k];
                Arrays.fill(near, Double.POSITIVE_INFINITY);
                Arrays.fill(nearWho, -1);
                int from = l0;
                for (int j0 = 0; j0 < n; j0 += block) {
                    int nj = Math.min(block, n - j0);
                    double[] d2 = exact.block(unresolved, l0, ni, j0, nj);
                    int columns = j0;
                    IntStream.range(0, ni).parallel().forEach(r -> {
                        int self = unresolved[from + r];
                        for (int j = 0; j < nj; j++) {
                            if (columns + j != self) {
                                keep(near, nearWho, k, r, columns + j, d2[r * nj + j]);
                            }
                        }
                    });
                }
                // The float64 candidates' distances once more from the rows themselves: an exact duplicate
                // is then exactly 0 (the Gram form leaves ~1e-16 of the squared norms far from the mean).
                IntStream.range(0, ni).parallel().forEach(r -> {
                    double[] near2 = nearestTwo(points, unresolved[from + r], nearWho, r * k, k);
                    mu[unresolved[from + r]] = near2[0] > 0 ? Math.sqrt(near2[1] / near2[0]) : Double.NaN;
                });
            }
        }
        full[0] = unresolved.length;
        if (fallbacks != null) {
            fallbacks[0] = full[0];
        }
        return mu;
    }

    /** {r1², r2²}: the two smallest exact squared distances of row i to the candidates who[at .. at + k) (−1: none). */
    private static double[] nearestTwo(PointSet points, int i, int[] who, int at, int k) {
        int d = points.dimension();
        float[] xi = new float[d];
        float[] xj = new float[d];
        points.row(i, xi);
        double r1 = Double.POSITIVE_INFINITY;
        double r2 = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            int j = who[at + c];
            if (j < 0) {
                continue;
            }
            points.row(j, xj);
            double e = exactSquared(xi, xj);
            if (e < r1) {
                r2 = r1;
                r1 = e;
            } else if (e < r2) {
                r2 = e;
            }
        }
        return new double[] {r1, r2};
    }

    @FunctionalInterface
    private interface PairSink {
        void accept(int row, int other, double squaredDistance);
    }

    /**
     * Every pair of distinct points from the upper distance blocks, handed to {@code sink} both ways,
     * (i, j) and (j, i); in parallel, but no row is ever updated by two threads at once.
     */
    private static void visitPairs(SquaredDistances distances, PairSink sink) {
        distances.visitUpper((i0, ni, j0, nj, d2, diagonal) -> {
            IntStream.range(0, ni).parallel().forEach(i -> {
                int base = i * nj;
                for (int j = 0; j < nj; j++) {
                    if (!(diagonal && i == j)) {
                        sink.accept(i0 + i, j0 + j, d2[base + j]);
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
                            sink.accept(j0 + j, i0 + i, d2[base + j]);
                        }
                    }
                });
            }
        });
    }

    /** Σ (a_c − b_c)² in float64 (float32 values are exact in float64). */
    private static double exactSquared(float[] a, float[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            double v = (double) a[c] - b[c];
            s += v * v;
        }
        return s;
    }

    /** Row {@code row}'s K smallest (value, index) pairs, ascending; a larger value than the K-th is dropped. */
    private static void keep(double[] best, int[] who, int k, int row, int other, double v) {
        int base = row * k;
        if (!(v < best[base + k - 1])) {
            return;
        }
        int at = base + k - 1;
        while (at > base && best[at - 1] > v) {
            best[at] = best[at - 1];
            who[at] = who[at - 1];
            at--;
        }
        best[at] = v;
        who[at] = other;
    }

    /**
     * The fit on the finite ratios (points with a duplicate left out); missing when fewer than 3 remain.
     * Public for engines that find the nearest neighbours elsewhere (Spark) and fit here.
     */
    public static MetricValue estimate(double[] ratios, double discardFraction) {
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
