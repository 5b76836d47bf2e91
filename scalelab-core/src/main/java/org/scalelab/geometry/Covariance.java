package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Sample covariance (denominator n − 1, as numpy.cov) of a point set from one streaming pass:
 * rows are shifted by the first row (covariance is shift-invariant; the shift keeps float32
 * products away from catastrophic cancellation when the mean is large), chunks of rows go through
 * {@code cblas_ssyrk} and each chunk's Gram matrix is accumulated in float64. Memory is O(d²),
 * independent of n.
 */
final class Covariance {
    private static final int CHUNK_FLOATS = 1 << 24; // 64 MB of rows per ssyrk call, float32 sums over ≤ 4,096 rows

    final int n;
    final int d;
    final double[] mean;
    final double[] matrix; // [d, d] row-major; only the upper triangle (c ≥ r) is set

    private Covariance(int n, int d, double[] mean, double[] matrix) {
        this.n = n;
        this.d = d;
        this.mean = mean;
        this.matrix = matrix;
    }

    static Covariance of(PointSet p) {
        int n = p.size();
        int d = p.dimension();
        if (n < 2) {
            throw new IllegalArgumentException("covariance needs at least 2 points, got " + n);
        }
        float[] shift = new float[d];
        p.row(0, shift);
        int chunk = Math.max(1, Math.min(n, CHUNK_FLOATS / d));
        FloatBuffer rows = Blas.floats((long) chunk * d);
        FloatBuffer gram = Blas.floats((long) d * d);
        double[] acc = new double[d * d];
        double[] sum = new double[d];
        FloatBuffer src = p.buffer();
        int slabs = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int start = 0; start < n; start += chunk) {
            int k = Math.min(chunk, n - start);
            int first = start;
            // Shift the chunk's rows into the BLAS buffer, in parallel slabs of rows, each with its own
            // column sums (merged below in slab order, so the result does not depend on scheduling).
            double[][] partial = new double[slabs][];
            IntStream.range(0, slabs).parallel().forEach(s -> {
                double[] ps = new double[d];
                float[] row = new float[d];
                for (int i = s * k / slabs; i < (s + 1) * k / slabs; i++) {
                    src.get((first + i) * d, row, 0, d);
                    for (int j = 0; j < d; j++) {
                        row[j] -= shift[j];
                        ps[j] += row[j];
                    }
                    rows.put(i * d, row, 0, d);
                }
                partial[s] = ps;
            });
            for (double[] ps : partial) {
                for (int j = 0; j < d; j++) {
                    sum[j] += ps[j];
                }
            }
            Blas.gramUpper(rows, k, d, gram);
            IntStream.range(0, d).parallel().forEach(r -> {
                float[] g = new float[d - r];
                gram.get(r * d + r, g, 0, d - r);
                int base = r * d + r;
                for (int c = 0; c < g.length; c++) {
                    acc[base + c] += g[c];
                }
            });
        }
        double[] ybar = new double[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            ybar[j] = sum[j] / n;
            mean[j] = shift[j] + ybar[j];
        }
        // C = (Σ y yᵀ − n ȳ ȳᵀ) / (n − 1), upper triangle only: every consumer reads the upper triangle
        // (LAPACK with uplo 'U' row-major, trace, the Frobenius norm), so no mirrored copy is made.
        IntStream.range(0, d).parallel().forEach(r -> {
            for (int c = r; c < d; c++) {
                acc[r * d + c] = (acc[r * d + c] - n * ybar[r] * ybar[c]) / (n - 1);
            }
        });
        return new Covariance(n, d, mean, acc);
    }

    double trace() {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += matrix[i * d + i];
        }
        return t;
    }

    /** ‖C‖²_F = Σ λ² for symmetric C: the diagonal once, the upper triangle twice. */
    double frobeniusSquared() {
        double diagonal = 0;
        double off = 0;
        for (int r = 0; r < d; r++) {
            diagonal += matrix[r * d + r] * matrix[r * d + r];
            for (int c = r + 1; c < d; c++) {
                off += matrix[r * d + c] * matrix[r * d + c];
            }
        }
        return diagonal + 2 * off;
    }

    /** The upper triangle as a float32 row-major buffer for LAPACK with uplo 'U' (which overwrites it). */
    FloatBuffer toFloat() {
        FloatBuffer f = Blas.floats((long) d * d);
        IntStream.range(0, d).parallel().forEach(r -> {
            for (int c = r; c < d; c++) {
                f.put(r * d + c, (float) matrix[r * d + c]);
            }
        });
        return f;
    }

    /** Eigenvalues, descending (LAPACKE_ssyevd); tiny negative round-off clipped to 0. */
    double[] eigenvalues() {
        double[] w = Blas.eigenvaluesDescending(toFloat(), d);
        for (int i = 0; i < d; i++) {
            w[i] = Math.max(0, w[i]);
        }
        return w;
    }
}
