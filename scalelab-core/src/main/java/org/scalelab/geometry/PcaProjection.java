package org.scalelab.geometry;

import java.nio.FloatBuffer;

/**
 * Coordinates of every point on the top principal components (eigenvectors of the covariance with
 * the largest eigenvalues, LAPACKE_ssyevr for just those), after centring: for plots of trajectories.
 */
public final class PcaProjection {
    private PcaProjection() {}

    /** [n][k] coordinates; k is capped at d. Needs at least 2 points. */
    public static double[][] of(PointSet p, int components) {
        if (p.size() < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 points, got " + p.size());
        }
        Covariance c = Covariance.of(p);
        int d = p.dimension();
        int k = Math.min(components, d);
        FloatBuffer v = Blas.topEigenvectors(c.toFloat(), d, k); // [d, k]
        int n = p.size();
        int chunk = Math.max(1, Math.min(n, (1 << 22) / d));
        FloatBuffer rows = Blas.floats((long) chunk * d);
        FloatBuffer out = Blas.floats((long) chunk * k);
        double[][] coords = new double[n][k];
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < d; j++) {
                    rows.put(i * d + j, (float) (p.get(start + i, j) - c.mean[j]));
                }
            }
            Blas.productNN(rows, m, v, k, d, out);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    coords[start + i][j] = out.get(i * k + j);
                }
            }
        }
        return coords;
    }
}
