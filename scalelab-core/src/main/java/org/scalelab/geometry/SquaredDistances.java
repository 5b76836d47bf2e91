package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Blocks of pairwise squared euclidean distances ‖a‖² + ‖b‖² − 2 a·b, the cross term by
 * {@code cblas_dgemm} on float64 copies of row blocks (float64 so that distances agree with
 * scikit-learn's to ~1e-12, not float32's ~1e-4 cancellation). Only the upper block triangle is
 * visited: a symmetric consumer updates both the rows and the columns of each block, halving the work.
 */
final class SquaredDistances {
    /** Receives one block [ni, nj] of squared distances, row-major; rows i0.., columns j0... */
    interface BlockVisitor {
        void visit(int i0, int ni, int j0, int nj, double[] d2, boolean diagonal);
    }

    static final int DEFAULT_BLOCK = 1024;

    private final FloatBuffer rows;
    private final int n;
    private final int d;
    private final double[] norms;
    private final int block;
    private final DoubleBuffer a;
    private final DoubleBuffer b;
    private final DoubleBuffer c;
    private final double[] out;
    private float[] staging = new float[0];
    private double[] widened = new double[0];

    SquaredDistances(FloatBuffer rows, int n, int d) {
        this(rows, n, d, DEFAULT_BLOCK);
    }

    SquaredDistances(FloatBuffer rows, int n, int d, int blockSize) {
        this.rows = rows;
        this.n = n;
        this.d = d;
        this.block = Math.max(1, Math.min(n, blockSize));
        this.norms = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int base = i * d;
            for (int j = 0; j < d; j++) {
                double v = rows.get(base + j);
                s += v * v;
            }
            norms[i] = s;
        }
        this.a = Blas.doubles((long) block * d);
        this.b = Blas.doubles((long) block * d);
        this.c = Blas.doubles((long) block * block);
        this.out = new double[block * block];
    }

    int blockSize() {
        return block;
    }

    /** Visits every block (I, J) with J ≥ I once; the array passed is reused between calls. */
    void visitUpper(BlockVisitor visitor) {
        for (int i0 = 0; i0 < n; i0 += block) {
            int ni = Math.min(block, n - i0);
            load(i0, ni, a);
            for (int j0 = i0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                compute(i0, ni, j0, nj, j0 == i0);
                visitor.visit(i0, ni, j0, nj, out, j0 == i0);
            }
        }
    }

    /** Computes one block into the shared array and returns it (rows i0.., columns j0..). */
    double[] block(int i0, int ni, int j0, int nj) {
        load(i0, ni, a);
        compute(i0, ni, j0, nj, false);
        return out;
    }

    private void compute(int i0, int ni, int j0, int nj, boolean sameRows) {
        DoubleBuffer right = a;
        if (!sameRows) {
            load(j0, nj, b);
            right = b;
        }
        Blas.productNT(a, ni, right, nj, d, -2.0, c);
        c.get(0, out, 0, ni * nj);
        for (int i = 0; i < ni; i++) {
            double ni2 = norms[i0 + i];
            int base = i * nj;
            for (int j = 0; j < nj; j++) {
                double v = out[base + j] + ni2 + norms[j0 + j];
                out[base + j] = v > 0 ? v : 0;
            }
        }
        if (sameRows && i0 == j0) {
            for (int i = 0; i < ni; i++) {
                out[i * nj + i] = 0;
            }
        }
    }

    private void load(int start, int count, DoubleBuffer dst) {
        // Bulk copies through heap arrays: per-element buffer access would cost more than the widening.
        int len = count * d;
        if (staging.length < len) {
            staging = new float[len];
            widened = new double[len];
        }
        rows.get(start * d, staging, 0, len);
        for (int k = 0; k < len; k++) {
            widened[k] = staging[k];
        }
        dst.put(0, widened, 0, len);
    }
}
