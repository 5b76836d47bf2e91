package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Sample covariance (denominator n − 1, as numpy.cov) of a point set from one streaming pass:
 * rows are shifted by the mean of the first chunk of rows (covariance is shift-invariant; centring
 * close to the mean keeps the float32 sums of products small and free of cancellation when the mean
 * is large), chunks of rows go through {@code cblas_ssyrk}, which accumulates them in float32 over at
 * most 32,768 rows (as numpy's float32 {@code x.T @ x} does over all of them) before the sum is added
 * into float64. Memory is O(d²) plus two 64 MB row buffers, independent of n.
 */
final class Covariance {
    static final int CHUNK_FLOATS = 1 << 24; // 64 MB of rows per ssyrk call (two such buffers)
    static final int FLUSH_ROWS = 1 << 15; // float32 Gram sums over ≤ 32,768 rows, then added into float64

    final int n;
    final int d;
    final double[] mean;
    final double[] matrix; // [d, d] row-major; only the upper triangle (c ≥ r) is set

    Covariance(int n, int d, double[] mean, double[] matrix) {
        this.n = n;
        this.d = d;
        this.mean = mean;
        this.matrix = matrix;
    }

    static Covariance of(PointSet p) {
        return of(p, CHUNK_FLOATS / p.dimension(), FLUSH_ROWS);
    }

    /** With {@code chunkRows} rows per ssyrk call and float32 sums over at least {@code flushRows} rows (tests vary both). */
    static Covariance of(PointSet p, int chunkRows, int flushRows) {
        int n = p.size();
        int d = p.dimension();
        if (n < 2) {
            throw new IllegalArgumentException("covariance needs at least 2 points, got " + n);
        }
        int chunk = Math.max(1, Math.min(n, chunkRows));
        float[] shift = firstRowsMean(p, Math.min(n, chunk));
        int chunks = (n + chunk - 1) / chunk;
        FloatBuffer[] rows = {Blas.floats((long) chunk * d), chunks > 1 ? Blas.floats((long) chunk * d) : null};
        FloatBuffer gram = Blas.floats((long) d * d);
        double[] acc = new double[d * d];
        double[] sum = new double[d];
        FloatBuffer src = p.buffer();
        // While ssyrk (on every core) works on one chunk, a helper thread shifts the next one into the other
        // buffer: the copy is memory-bound and short, so it hides behind the product instead of adding to it.
        ExecutorService copier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "covariance-rows");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<double[]> next = copier.submit(() -> shiftInto(src, 0, Math.min(chunk, n), d, shift, rows[0]));
            int inGram = 0;
            for (int c = 0; c < chunks; c++) {
                int start = c * chunk;
                int k = Math.min(chunk, n - start);
                double[] partial = await(next);
                if (c + 1 < chunks) {
                    int nextStart = start + chunk;
                    FloatBuffer into = rows[(c + 1) % 2];
                    next = copier.submit(() -> shiftInto(src, nextStart, Math.min(chunk, n - nextStart), d, shift, into));
                }
                for (int j = 0; j < d; j++) {
                    sum[j] += partial[j];
                }
                Blas.gramUpper(rows[c % 2], k, d, gram, inGram > 0);
                inGram += k;
                if (inGram >= flushRows || c == chunks - 1) {
                    IntStream.range(0, d).parallel().forEach(r -> {
                        float[] g = new float[d - r];
                        gram.get(r * d + r, g, 0, d - r);
                        int base = r * d + r;
                        for (int col = 0; col < g.length; col++) {
                            acc[base + col] += g[col];
                        }
                    });
                    inGram = 0;
                }
            }
        } finally {
            copier.shutdownNow();
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

    /** The mean of rows [0, k), rounded to float32: the shift that centres every row close to zero. */
    private static float[] firstRowsMean(PointSet p, int k) {
        int d = p.dimension();
        double[] sum = new double[d];
        float[] row = new float[d];
        for (int i = 0; i < k; i++) {
            p.row(i, row);
            for (int j = 0; j < d; j++) {
                sum[j] += row[j];
            }
        }
        float[] shift = new float[d];
        for (int j = 0; j < d; j++) {
            shift[j] = (float) (sum[j] / k);
        }
        return shift;
    }

    /** Rows [start, start + k) minus {@code shift} into {@code into}; returns their column sums. */
    private static double[] shiftInto(FloatBuffer src, int start, int k, int d, float[] shift, FloatBuffer into) {
        double[] sums = new double[d];
        float[] row = new float[d];
        for (int i = 0; i < k; i++) {
            src.get((start + i) * d, row, 0, d);
            for (int j = 0; j < d; j++) {
                row[j] -= shift[j];
                sums[j] += row[j];
            }
            into.put(i * d, row, 0, d);
        }
        return sums;
    }

    private static double[] await(Future<double[]> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading rows", e);
        }
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
