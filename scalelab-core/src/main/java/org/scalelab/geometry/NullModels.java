package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * The two null models every geometry metric is compared with. Each is built so that, when the null
 * hypothesis holds, the observed points and every replicate are exchangeable — draws from one and
 * the same distribution — so the observed metric is just one more replicate and its z-score and
 * rank p-value are calibrated (checked on data drawn from each null in {@code NullCalibrationTest}).
 * <ul>
 *   <li>{@link #gaussian}: H0 = the rows are i.i.d. Gaussian with unknown mean and covariance. A
 *   replicate is drawn from that model conditional on its sufficient statistics, the sample mean and
 *   covariance: it has <em>exactly</em> the data's mean and covariance. Drawing instead from
 *   N(sample mean, sample covariance) would add a second round of estimation noise that the data
 *   did not have (the replicates' spectra spread further than the data's, a bias that grows with
 *   d/n and dwarfs the replicates' spread). Row structure (trajectory offsets, labels) is kept.</li>
 *   <li>{@link #shuffledSteps}: H0 = the order of each trajectory's steps carries no information.
 *   A replicate is each trajectory rebuilt from its own steps in a random order (same start, same
 *   end, same step lengths): an exact permutation null.</li>
 * </ul>
 */
final class NullModels {
    private NullModels() {}

    private static final int CHUNK_ROWS = 1024;
    /** Principal components below this fraction of the largest variance are taken as absent (rank-deficient data). */
    private static final double RANK_TOLERANCE = 1e-6;

    /**
     * Gaussian points with exactly the sample mean and covariance {@code c} of {@code p}. Under H0 the
     * centred data are X − x̄ = U S^½ · √(n−1) where, given (x̄, S), the frame U is uniform over the
     * orthonormal frames orthogonal to the ones vector: the conditional law is unchanged by any
     * rotation of the rows that fixes the ones vector (i.i.d. Gaussian rows), and the uniform law is
     * the only such law on those frames. So a replicate is x̄ + U* S^½ · √(n−1) with a fresh uniform U*,
     * and it is exchangeable with the data given their mean and covariance, whatever the true ones. Here U* comes from whitening a Gaussian draw Z [n, r] by its own sample covariance:
     * x = x̄ + (z − z̄) C_Z^{−½} B, with B [r, d] = diag(√λ) Vᵀ from the r principal components of S
     * (r = its numerical rank, at most n − 1). Z is generated twice from the seed (once for C_Z,
     * once for the rows), so memory stays O(d² + chunk · d).
     */
    static PointSet gaussian(PointSet p, Covariance c, long seed) {
        return gaussian(p, c, Loadings.of(c, p.size()), seed);
    }

    /**
     * Bᵀ [d, r] of a covariance: column a is its a-th principal direction times √λ_a, over its r
     * numerical principal components (at most n − 1); computed once for all replicates.
     */
    record Loadings(int rank, DoubleBuffer transposed) {
        static Loadings of(Covariance c, int n) {
            int d = c.d;
            DoubleBuffer v = Blas.doubles((long) d * d);
            for (int i = 0; i < d * d; i++) {
                v.put(i, c.matrix[i]);
            }
            DoubleBuffer lambda = Blas.doubles(d);
            Blas.eigenDecompose(v, d, lambda); // ascending; eigenvectors are v's columns
            double largest = Math.max(0, lambda.get(d - 1));
            int rank = 0;
            while (rank < Math.min(d, n - 1) && lambda.get(d - 1 - rank) > RANK_TOLERANCE * largest) {
                rank++;
            }
            DoubleBuffer loadingsT = Blas.doubles((long) d * Math.max(1, rank));
            for (int j = 0; j < d; j++) {
                for (int a = 0; a < rank; a++) {
                    int col = d - 1 - a;
                    loadingsT.put(j * rank + a, v.get(j * d + col) * Math.sqrt(lambda.get(col)));
                }
            }
            return new Loadings(rank, loadingsT);
        }
    }

    /** {@link #gaussian(PointSet, Covariance, long)} with the covariance's loadings already computed. */
    static PointSet gaussian(PointSet p, Covariance c, Loadings loadings, long seed) {
        int n = p.size();
        int d = p.dimension();
        FloatBuffer out = PointSet.allocate((long) n * d);
        if (loadings.rank() == 0) { // every point is the mean
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    out.put(i * d + j, (float) c.mean[j]);
                }
            }
            return p.withData(out);
        }
        int r = loadings.rank();
        // Pass 1: mean and covariance of the Gaussian draw.
        DoubleBuffer z = Blas.doubles((long) Math.min(n, CHUNK_ROWS) * r);
        DoubleBuffer gram = Blas.doubles((long) r * r);
        double[] zMean = new double[r];
        SplittableRandom random = new SplittableRandom(seed);
        for (int start = 0; start < n; start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, n - start);
            for (int i = 0; i < k; i++) {
                for (int a = 0; a < r; a++) {
                    double g = random.nextGaussian();
                    z.put(i * r + a, g);
                    zMean[a] += g;
                }
            }
            Blas.gramUpperAdd(z, k, r, gram);
        }
        for (int a = 0; a < r; a++) {
            zMean[a] /= n;
        }
        for (int a = 0; a < r; a++) {
            for (int b = a; b < r; b++) {
                gram.put(a * r + b, (gram.get(a * r + b) - n * zMean[a] * zMean[b]) / (n - 1));
            }
        }
        // C_Z^{−½} = U diag(γ^{−½}) Uᵀ.
        DoubleBuffer gamma = Blas.doubles(r);
        Blas.eigenDecompose(gram, r, gamma);
        DoubleBuffer scaled = Blas.doubles((long) r * r);
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                scaled.put(a * r + b, gram.get(a * r + b) / Math.sqrt(gamma.get(b)));
            }
        }
        DoubleBuffer whiten = Blas.doubles((long) r * r);
        Blas.productNT(scaled, r, gram, r, r, 1.0, whiten);
        // Mᵀ [d, r] = Bᵀ C_Z^{−½} (C_Z^{−½} is symmetric), so x − x̄ = (z − z̄) M.
        DoubleBuffer mapT = Blas.doubles((long) d * r);
        Blas.productNT(loadings.transposed(), d, whiten, r, r, 1.0, mapT);
        // Pass 2: the same draw, centred and mapped.
        DoubleBuffer x = Blas.doubles((long) Math.min(n, CHUNK_ROWS) * d);
        random = new SplittableRandom(seed);
        for (int start = 0; start < n; start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, n - start);
            for (int i = 0; i < k; i++) {
                for (int a = 0; a < r; a++) {
                    z.put(i * r + a, random.nextGaussian() - zMean[a]);
                }
            }
            Blas.productNT(z, k, mapT, d, r, 1.0, x);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < d; j++) {
                    out.put((start + i) * d + j, (float) (x.get(i * d + j) + c.mean[j]));
                }
            }
        }
        return p.withData(out);
    }

    /** Each trajectory's steps in a seeded random order, re-accumulated from its first point. */
    static PointSet shuffledSteps(PointSet p, long seed) {
        int n = p.size();
        int d = p.dimension();
        SplittableRandom random = new SplittableRandom(seed);
        FloatBuffer out = PointSet.allocate((long) n * d);
        float[] a = new float[d];
        float[] b = new float[d];
        double[] pos = new double[d];
        for (int k = 0; k < p.trajectoryCount(); k++) {
            int start = p.trajectoryStart(k);
            int end = p.trajectoryEnd(k);
            int steps = end - start - 1;
            int[] order = new int[Math.max(0, steps)];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            p.row(start, a);
            for (int j = 0; j < d; j++) {
                pos[j] = a[j];
                out.put(start * d + j, a[j]);
            }
            for (int s = 0; s < steps; s++) {
                int from = start + order[s];
                p.row(from, a);
                p.row(from + 1, b);
                int row = start + 1 + s;
                for (int j = 0; j < d; j++) {
                    pos[j] += (double) b[j] - a[j];
                    out.put(row * d + j, (float) pos[j]);
                }
            }
        }
        return p.withData(out);
    }
}
