package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Squared euclidean distances between the rows of a held sample and streamed rows, one tile of at
 * most {@value #TILE} × {@value #TILE} at a time, so memory does not grow with the stream. As in
 * {@link SquaredDistances}, rows are centred before the cross term is formed (on the sample's float64
 * mean: any centre near the data works, and the sample's is known before the stream starts), and
 * ‖x'‖² + ‖y'‖² − 2 x'·y' is clipped at 0; the cross term comes from {@code cblas_sgemm} on float32
 * centred rows (whose error {@link Float32Bound} bounds, for the metrics that then measure their
 * candidates exactly) or from {@code cblas_dgemm} on float64 ones. A tile's distances are formed on the
 * common pool's threads, or on the calling thread alone ({@code parallel} false: an engine that runs
 * one task per core, see {@link NeighbourTiles}).
 */
final class SampleDistances {
    /** Rows per side of a tile. */
    static final int TILE = 1024;

    private final int s;
    private final int d;
    private final boolean single;
    private final boolean parallel;
    private final double[] mean;
    private final double[] sampleNorms; // ‖x'_i‖² of the float64 centred sample rows
    private final FloatBuffer sampleF; // centred sample [s, d]
    private final DoubleBuffer sampleD;
    private final FloatBuffer columnsF;
    private final DoubleBuffer columnsD;
    private final FloatBuffer productsF;
    private final DoubleBuffer productsD;
    private final double[] columnNorms = new double[TILE];
    private final double[] out;
    private final double[] centred;
    private final float[] narrow;
    private int loaded;

    /** @param single float32 cross terms (sgemm) rather than float64 (dgemm) */
    SampleDistances(float[] sample, int s, int d, boolean single) {
        this(sample, s, d, single, true);
    }

    /** @param parallel form each tile's distances on the common pool (else on the calling thread) */
    SampleDistances(float[] sample, int s, int d, boolean single, boolean parallel) {
        this.s = s;
        this.d = d;
        this.single = single;
        this.parallel = parallel;
        int rows = Math.max(1, Math.min(s, TILE)); // a tile's sample rows: few for k-means' centres
        this.out = new double[rows * TILE];
        this.mean = new double[d];
        for (int i = 0; i < s; i++) {
            for (int c = 0; c < d; c++) {
                mean[c] += sample[i * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= s;
        }
        this.centred = new double[d];
        this.narrow = new float[d];
        this.sampleNorms = new double[s];
        this.sampleF = single ? Blas.floats((long) s * d) : null;
        this.sampleD = single ? null : Blas.doubles((long) s * d);
        for (int i = 0; i < s; i++) {
            sampleNorms[i] = centre(sample, i * d);
            put(sampleF, sampleD, i);
        }
        this.columnsF = single ? Blas.floats((long) TILE * d) : null;
        this.columnsD = single ? null : Blas.doubles((long) TILE * d);
        this.productsF = single ? Blas.floats((long) rows * TILE) : null;
        this.productsD = single ? null : Blas.doubles((long) rows * TILE);
    }

    /** Centres row values[at .. at + d) into {@link #centred} (and {@link #narrow}); returns its squared norm. */
    private double centre(float[] values, int at) {
        double norm = 0;
        for (int c = 0; c < d; c++) {
            double v = values[at + c] - mean[c];
            centred[c] = v;
            narrow[c] = (float) v;
            norm += v * v;
        }
        return norm;
    }

    private void put(FloatBuffer f, DoubleBuffer dd, int row) {
        if (f != null) {
            f.put(row * d, narrow, 0, d);
        } else {
            dd.put(row * d, centred, 0, d);
        }
    }

    /** Loads {@code count} ≤ {@value #TILE} streamed rows, values[offset·d ..], as the columns of the next tiles. */
    void load(float[] values, int offset, int count) {
        if (count > TILE) {
            throw new IllegalArgumentException(count + " rows is more than a tile of " + TILE);
        }
        for (int j = 0; j < count; j++) {
            columnNorms[j] = centre(values, (offset + j) * d);
            put(columnsF, columnsD, j);
        }
        loaded = count;
    }

    /**
     * Squared distances [ns, loaded] (row-major, ns ≤ {@value #TILE}) of sample rows s0 .. s0 + ns to
     * the loaded rows; the array is reused by the next call.
     */
    double[] tile(int s0, int ns) {
        int nj = loaded;
        if (single) {
            Blas.productNTf(sampleF.slice(s0 * d, ns * d), ns, columnsF, nj, d, -2f, productsF);
        } else {
            Blas.productNT(sampleD.slice(s0 * d, ns * d), ns, columnsD, nj, d, -2.0, productsD);
        }
        IntStream range = IntStream.range(0, ns);
        (parallel ? range.parallel() : range).forEach(i -> {
            double own = sampleNorms[s0 + i];
            int base = i * nj;
            for (int j = 0; j < nj; j++) {
                double p = single ? productsF.get(base + j) : productsD.get(base + j);
                double v = own + columnNorms[j] + p;
                out[base + j] = v > 0 ? v : 0;
            }
        });
        return out;
    }

    /** ‖x'_i − μ‖ of sample row i (the norm {@link Float32Bound} takes). */
    double sampleNorm(int i) {
        return Math.sqrt(sampleNorms[i]);
    }

    /** ‖y'_j − μ‖ of loaded row j. */
    double columnNorm(int j) {
        return Math.sqrt(columnNorms[j]);
    }

    int sampleSize() {
        return s;
    }
}
