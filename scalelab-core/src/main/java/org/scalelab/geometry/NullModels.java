package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * The two null models every geometry metric is compared with (issue 5):
 * (i) Gaussian points with the sample mean and covariance of the data, keeping the row structure
 * (trajectory offsets and labels stay on the same rows), so any metric value it reproduces is what
 * second-order statistics alone give; (ii) each trajectory rebuilt from its own steps in a shuffled
 * order (same start, same end point, same step lengths), which destroys temporal structure only.
 */
final class NullModels {
    private NullModels() {}

    private static final int CHUNK_ROWS = 1024;

    /** Factor L = V diag(√λ) of the covariance (LAPACKE_ssyevd), stored transposed: Lᵀ [d, d]. */
    static FloatBuffer covarianceFactorTransposed(Covariance c) {
        int d = c.d;
        FloatBuffer v = c.toFloat();
        FloatBuffer w = Blas.floats(d);
        Blas.eigenDecompose(v, d, w);
        FloatBuffer lt = Blas.floats((long) d * d);
        for (int k = 0; k < d; k++) {
            float s = (float) Math.sqrt(Math.max(0, w.get(k)));
            for (int j = 0; j < d; j++) {
                lt.put(k * d + j, v.get(j * d + k) * s); // Lᵀ[k][j] = V[j][k] √λ_k
            }
        }
        return lt;
    }

    /** x = μ + L z with z ~ N(0, I), row by row, seeded; the products by sgemm in row chunks. */
    static PointSet gaussian(PointSet p, Covariance c, FloatBuffer factorT, long seed) {
        int n = p.size();
        int d = p.dimension();
        SplittableRandom random = new SplittableRandom(seed);
        FloatBuffer out = PointSet.allocate((long) n * d);
        FloatBuffer z = Blas.floats((long) Math.min(n, CHUNK_ROWS) * d);
        FloatBuffer x = Blas.floats((long) Math.min(n, CHUNK_ROWS) * d);
        for (int start = 0; start < n; start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, n - start);
            for (int i = 0; i < k * d; i++) {
                z.put(i, (float) random.nextGaussian());
            }
            Blas.productNN(z, k, factorT, d, d, x);
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
