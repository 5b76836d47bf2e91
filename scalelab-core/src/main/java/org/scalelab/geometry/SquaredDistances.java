package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Blocks of pairwise squared euclidean distances ‖a‖² + ‖b‖² − 2 a·b on mean-centred rows (distances
 * are shift-invariant; centring shrinks the norms the cross term cancels against). The cross term is
 * one GEMM per block: {@code cblas_dgemm} on float64 copies (default; agrees with scikit-learn's
 * float64 distances to ~1e-12) or {@code cblas_sgemm} ({@link DistancePrecision#FLOAT32}). Only the
 * upper block triangle is visited: a symmetric consumer updates both the rows and the columns of
 * each block, so every distance is computed once.
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
    private final boolean single;
    private final double[] mean;
    private final double[] norms;
    private final int block;
    private final DoubleBuffer a;
    private final DoubleBuffer b;
    private final DoubleBuffer c;
    private final FloatBuffer af;
    private final FloatBuffer bf;
    private final FloatBuffer cf;
    private final double[] out;
    private final float[] staging;
    private final double[] widened;
    private final float[] narrowed;
    private final float[] products;

    SquaredDistances(FloatBuffer rows, int n, int d) {
        this(rows, n, d, DEFAULT_BLOCK, DistancePrecision.FLOAT64);
    }

    SquaredDistances(FloatBuffer rows, int n, int d, DistancePrecision precision) {
        this(rows, n, d, DEFAULT_BLOCK, precision);
    }

    SquaredDistances(FloatBuffer rows, int n, int d, int blockSize, DistancePrecision precision) {
        this.rows = rows;
        this.n = n;
        this.d = d;
        this.single = precision == DistancePrecision.FLOAT32;
        this.block = Math.max(1, Math.min(n, blockSize));
        this.mean = new double[d];
        int parts = Math.max(1, (n + block - 1) / block);
        double[][] partial = new double[parts][];
        IntStream.range(0, parts).parallel().forEach(part -> {
            double[] sum = new double[d];
            float[] row = new float[d];
            for (int i = part * block; i < Math.min(n, (part + 1) * block); i++) {
                rows.get(i * d, row, 0, d);
                for (int j = 0; j < d; j++) {
                    sum[j] += row[j];
                }
            }
            partial[part] = sum;
        });
        for (double[] sum : partial) {
            for (int j = 0; j < d; j++) {
                mean[j] += sum[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= Math.max(1, n);
        }
        this.staging = new float[block * d];
        this.widened = single ? null : new double[block * d];
        this.narrowed = single ? new float[block * d] : null;
        this.norms = new double[n];
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[] row = new float[d];
            for (int i = part * block; i < Math.min(n, (part + 1) * block); i++) {
                rows.get(i * d, row, 0, d);
                double s = 0;
                for (int j = 0; j < d; j++) {
                    // The norm of exactly the values the GEMM will see (float32-rounded when single).
                    double v = row[j] - mean[j];
                    if (single) {
                        v = (float) v;
                    }
                    s += v * v;
                }
                norms[i] = s;
            }
        });
        this.a = single ? null : Blas.doubles((long) block * d);
        this.b = single ? null : Blas.doubles((long) block * d);
        this.c = single ? null : Blas.doubles((long) block * block);
        this.af = single ? Blas.floats((long) block * d) : null;
        this.bf = single ? Blas.floats((long) block * d) : null;
        this.cf = single ? Blas.floats((long) block * block) : null;
        this.out = new double[block * block];
        this.products = single ? new float[block * block] : null;
    }

    int blockSize() {
        return block;
    }

    /**
     * Receives one block of raw GEMM products p_ij = −2 (x_i − μ)·(x_j − μ), row-major [ni, nj], in
     * {@code pf} (float32 distances) or {@code pd} (float64), the other null; the squared distance
     * is p_ij + {@link #norm}(i) + {@link #norm}(j), to be clipped at 0 — left to a consumer that fuses it
     * with its own pass over the block.
     */
    interface ProductVisitor {
        void visit(int i0, int ni, int j0, int nj, float[] pf, double[] pd, boolean diagonal);
    }

    /** ‖x_i − μ‖² as the GEMM sees it (float32-rounded rows when single). */
    double norm(int i) {
        return norms[i];
    }

    /** Above this size the centred copy is not made and blocks are centred as they are loaded. */
    static final long MAX_CENTRED_COPY_BYTES = 2_000_000_000L;

    /**
     * As {@link #visitUpper} but hands over the raw products, without the norm and clipping passes.
     * With float32 distances the rows are centred once into one float32 copy (when it fits under
     * {@link #MAX_CENTRED_COPY_BYTES}), so every block's GEMM reads zero-copy slices of it instead of
     * re-centring the right-hand rows of every block (about 5 % less CPU). A float64 copy would
     * save as much but double the input's memory (655 MB more at 20,000 × 4,096, above numpy's
     * peak), so float64 blocks are still widened as they are loaded.
     */
    void visitUpperProducts(ProductVisitor visitor) {
        long bytes = (long) n * d * Float.BYTES;
        FloatBuffer all = single && bytes <= MAX_CENTRED_COPY_BYTES ? centredCopy() : null;
        for (int i0 = 0; i0 < n; i0 += block) {
            int ni = Math.min(block, n - i0);
            if (all == null) {
                loadLeft(i0, ni);
            }
            for (int j0 = i0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                boolean same = j0 == i0;
                if (single) {
                    FloatBuffer left = all == null ? af : all.slice(i0 * d, ni * d);
                    FloatBuffer right = all == null ? bf : all.slice(j0 * d, nj * d);
                    if (all == null && !same) {
                        load(j0, nj, bf, null);
                    }
                    Blas.productNTf(left, ni, same ? left : right, nj, d, -2f, cf);
                    cf.get(0, products, 0, ni * nj);
                    visitor.visit(i0, ni, j0, nj, products, null, same);
                } else {
                    if (!same) {
                        load(j0, nj, null, b);
                    }
                    Blas.productNT(a, ni, same ? a : b, nj, d, -2.0, c);
                    c.get(0, out, 0, ni * nj);
                    visitor.visit(i0, ni, j0, nj, null, out, same);
                }
            }
        }
    }

    /** All rows minus the mean, as float32 [n, d], filled in parallel. */
    private FloatBuffer centredCopy() {
        FloatBuffer all = Blas.floats((long) n * d);
        int parts = (n + block - 1) / block;
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[] row = new float[d];
            for (int i = part * block; i < Math.min(n, (part + 1) * block); i++) {
                rows.get(i * d, row, 0, d);
                for (int j = 0; j < d; j++) {
                    row[j] = (float) (row[j] - mean[j]);
                }
                all.put(i * d, row, 0, d);
            }
        });
        return all;
    }

    /** Visits every block (I, J) with J ≥ I once; the array passed is reused between calls. */
    void visitUpper(BlockVisitor visitor) {
        for (int i0 = 0; i0 < n; i0 += block) {
            int ni = Math.min(block, n - i0);
            loadLeft(i0, ni);
            for (int j0 = i0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                compute(i0, ni, j0, nj);
                visitor.visit(i0, ni, j0, nj, out, j0 == i0);
            }
        }
    }

    /**
     * One block whose rows are {@code left[l0 .. l0 + ni)} (any row indices, e.g. a sample) and whose
     * columns are rows j0 .. j0 + nj; a row meeting itself is not zeroed here.
     */
    double[] block(int[] left, int l0, int ni, int j0, int nj) {
        int len = ni * d;
        for (int r = 0; r < ni; r++) {
            rows.get(left[l0 + r] * d, staging, r * d, d);
        }
        centre(ni, single ? af : null, single ? null : a, len);
        leftIndex = left;
        leftOffset = l0;
        try {
            compute(-1, ni, j0, nj);
        } finally {
            leftIndex = null;
        }
        return out;
    }

    private int[] leftIndex;
    private int leftOffset;

    private double leftNorm(int i0, int i) {
        return leftIndex == null ? norms[i0 + i] : norms[leftIndex[leftOffset + i]];
    }

    /** Computes one block into the shared array and returns it (rows i0.., columns j0..). */
    double[] block(int i0, int ni, int j0, int nj) {
        loadLeft(i0, ni);
        compute(i0, ni, j0, nj);
        return out;
    }

    private void loadLeft(int start, int count) {
        if (single) {
            load(start, count, af, null);
        } else {
            load(start, count, null, a);
        }
    }

    private void compute(int i0, int ni, int j0, int nj) {
        boolean same = leftIndex == null && j0 == i0;
        if (single) {
            if (!same) {
                load(j0, nj, bf, null);
            }
            Blas.productNTf(af, ni, same ? af : bf, nj, d, -2f, cf);
            cf.get(0, products, 0, ni * nj);
            IntStream.range(0, ni).parallel().forEach(i -> {
                for (int k = i * nj; k < (i + 1) * nj; k++) {
                    out[k] = products[k];
                }
            });
        } else {
            if (!same) {
                load(j0, nj, null, b);
            }
            Blas.productNT(a, ni, same ? a : b, nj, d, -2.0, c);
            c.get(0, out, 0, ni * nj);
        }
        IntStream.range(0, ni).parallel().forEach(i -> {
            double ni2 = leftNorm(i0, i);
            int base = i * nj;
            for (int j = 0; j < nj; j++) {
                double v = out[base + j] + ni2 + norms[j0 + j];
                out[base + j] = v > 0 ? v : 0;
            }
        });
        if (same) {
            for (int i = 0; i < ni; i++) {
                out[i * nj + i] = 0;
            }
        }
    }

    /** Centred rows [start, start + count) into the float or double GEMM buffer, via bulk copies. */
    private void load(int start, int count, FloatBuffer toFloat, DoubleBuffer toDouble) {
        int len = count * d;
        rows.get(start * d, staging, 0, len);
        centre(count, toFloat, toDouble, len);
    }

    /** The staged rows minus the mean into the float or double GEMM buffer. */
    private void centre(int count, FloatBuffer toFloat, DoubleBuffer toDouble, int len) {
        IntStream.range(0, count).parallel().forEach(r -> {
            int base = r * d;
            if (toFloat != null) {
                for (int j = 0; j < d; j++) {
                    narrowed[base + j] = (float) (staging[base + j] - mean[j]);
                }
            } else {
                for (int j = 0; j < d; j++) {
                    widened[base + j] = staging[base + j] - mean[j];
                }
            }
        });
        if (toFloat != null) {
            toFloat.put(0, narrowed, 0, len);
        } else {
            toDouble.put(0, widened, 0, len);
        }
    }
}
