package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * The covariance of {@link Covariance#of(PointSet)} built from rows that arrive in blocks of any
 * size, with the same arithmetic in the same order: rows are gathered into the same chunks
 * ({@code CHUNK_FLOATS / d} rows), shifted by the float32 mean of the first chunk, each chunk's
 * Gram sum taken by {@code cblas_ssyrk} in float32 and added into float64 every
 * {@code FLUSH_ROWS} rows, the column sums taken per chunk in float64. So the result does not
 * depend on how the rows were blocked, and equals the in-memory covariance of the same rows.
 * Holds d² float64 sums, a d² float32 Gram block and one chunk of rows ({@link MemoryBound#covarianceBytes}).
 */
final class StreamingCovariance {
    private final long n;
    private final int d;
    private final int chunk;
    private final int flushRows;
    private final FloatBuffer rows;
    private final FloatBuffer gram;
    private final double[] acc;
    private final double[] sum;
    private float[] shift;
    private int inChunk;
    private int inGram;
    private long seen;

    /** For {@code n} rows of width {@code d}, chunked exactly as the in-memory covariance of n rows is. */
    StreamingCovariance(long n, int d) {
        this(n, d, Covariance.CHUNK_FLOATS / d, Covariance.FLUSH_ROWS);
    }

    /** With {@code chunkRows} rows per ssyrk call and float32 sums over at least {@code flushRows} rows (as {@link Covariance#of(PointSet, int, int)}). */
    StreamingCovariance(long n, int d, int chunkRows, int flushRows) {
        if (n < 2) {
            throw new IllegalArgumentException("covariance needs at least 2 points, got " + n);
        }
        this.n = n;
        this.d = d;
        this.chunk = (int) Math.max(1, Math.min(n, chunkRows));
        this.flushRows = flushRows;
        this.rows = Blas.floats((long) chunk * d);
        this.gram = Blas.floats((long) d * d);
        this.acc = new double[d * d];
        this.sum = new double[d];
    }

    /** Adds rows [0, count) of the row-major {@code block}. */
    void add(float[] block, int count) {
        for (int i = 0; i < count; i++) {
            rows.put(inChunk * d, block, i * d, d);
            inChunk++;
            seen++;
            if (inChunk == chunk || seen == n) {
                flushChunk(seen == n);
            }
        }
    }

    private void flushChunk(boolean last) {
        int k = inChunk;
        if (shift == null) {
            shift = firstChunkMean(k);
        }
        float[] row = new float[d];
        double[] partial = new double[d];
        for (int i = 0; i < k; i++) {
            rows.get(i * d, row, 0, d);
            for (int j = 0; j < d; j++) {
                row[j] -= shift[j];
                partial[j] += row[j];
            }
            rows.put(i * d, row, 0, d);
        }
        for (int j = 0; j < d; j++) {
            sum[j] += partial[j];
        }
        Blas.gramUpper(rows, k, d, gram, inGram > 0);
        inGram += k;
        if (inGram >= flushRows || last) {
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
        inChunk = 0;
    }

    /** The float32 mean of the first chunk's rows (still unshifted in the buffer). */
    private float[] firstChunkMean(int k) {
        double[] s = new double[d];
        float[] row = new float[d];
        for (int i = 0; i < k; i++) {
            rows.get(i * d, row, 0, d);
            for (int j = 0; j < d; j++) {
                s[j] += row[j];
            }
        }
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = (float) (s[j] / k);
        }
        return out;
    }

    /** The covariance once all {@code n} rows were added. */
    Covariance result() {
        if (seen != n) {
            throw new IllegalStateException(seen + " rows added, " + n + " expected");
        }
        double[] ybar = new double[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            ybar[j] = sum[j] / n;
            mean[j] = shift[j] + ybar[j];
        }
        IntStream.range(0, d).parallel().forEach(r -> {
            for (int c = r; c < d; c++) {
                acc[r * d + c] = (acc[r * d + c] - n * ybar[r] * ybar[c]) / (n - 1);
            }
        });
        return new Covariance(Math.toIntExact(n), d, mean, acc);
    }
}
