package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Blocks of pairwise squared euclidean distances, with the rows centred before the cross term is
 * formed (distances are shift-invariant; centring shrinks the norms the cross term cancels against).
 * The cross term is one GEMM per block: {@code cblas_dgemm} on float64 copies (default; agrees with
 * scikit-learn's float64 distances to ~1e-12) or {@code cblas_sgemm} ({@link DistancePrecision#FLOAT32}).
 * Only the upper block triangle is visited: a symmetric consumer updates both the rows and the
 * columns of each block, so every distance is computed once.
 *
 * <p><b>Centring on groups.</b> Rows may be centred on the mean of their own group (the silhouette's
 * clusters) instead of the global mean. With x_i = x'_i + μ_a (row i in group a) and
 * x_j = x'_j + μ_b, expanding ‖x'_i − x'_j + (μ_a − μ_b)‖² gives
 * <pre>
 *   ‖x_i − x_j‖² = ‖x'_i‖² + ‖x'_j‖² − 2 x'_i·x'_j + 2 (P_ia − P_ib) − 2 (P_ja − P_jb) + ‖μ_a − μ_b‖²,
 * </pre>
 * with P_ic = x'_i·μ_c. Only x'_i·x'_j comes from the (possibly float32) GEMM; the means, P (dgemm of
 * chunks of the centred rows, widened, against the means), ‖x'_i‖² and ‖μ_a − μ_b‖² are float64. The GEMM's rounding error (and the float32 rounding of x'_i itself) is then relative to
 * the spread of the groups, ‖x'‖², not to the groups' distance from the common centre: tight clusters
 * far apart no longer lose their within- and between-cluster distances to cancellation. Each pair's
 * correction is stored as a row term T_i(b) = ‖x'_i‖² + 2 (P_ia − P_ib) + ‖μ_a − μ_b‖² and a column
 * term U_j(a) = ‖x'_j‖² − 2 (P_ja − P_jb), so a squared distance is p_ij + T_i(g_j) + U_j(g_i) with
 * p_ij = −2 x'_i·x'_j (one group: T_i = ‖x'_i‖², U_j = ‖x'_j‖², the plain global centring). The
 * tables hold 2 n k doubles; above {@link #MAX_GROUP_TABLE_BYTES} (or an eighth of the rows' float32
 * size, whichever is larger) the rows are centred on the global mean instead.
 */
final class SquaredDistances {
    /** Receives one block [ni, nj] of squared distances, row-major; rows i0.., columns j0... */
    interface BlockVisitor {
        void visit(int i0, int ni, int j0, int nj, double[] d2, boolean diagonal);
    }

    static final int DEFAULT_BLOCK = 1024;
    /** Largest size of the group-centring tables always allowed (see the class comment). */
    static final long MAX_GROUP_TABLE_BYTES = 64L << 20;
    /** Rows per dgemm of the centred rows against the centred group means. */
    private static final int PROJECTION_CHUNK = 256;

    private final FloatBuffer rows;
    private final int n;
    private final int d;
    private final boolean single;
    private final int k;
    private final int[] group;
    private final double[][] means;
    private final double[] rowTerms; // [n, k]: T_i(c)
    private final double[] columnTerms; // [k, n]: U_j(c)
    private final int block;
    // Buffers of the sequential paths (visitUpper, block), made on their first use: the parallel
    // product pass has per-worker buffers and never allocates these (about 64 MB at 1,024 × 4,096).
    private DoubleBuffer a;
    private DoubleBuffer b;
    private DoubleBuffer c;
    private FloatBuffer af;
    private FloatBuffer bf;
    private FloatBuffer cf;
    private double[] out;
    private float[] staging;
    private double[] widened;
    private float[] narrowed;
    private float[] products;

    SquaredDistances(FloatBuffer rows, int n, int d) {
        this(rows, n, d, DEFAULT_BLOCK, DistancePrecision.FLOAT64, null, 1);
    }

    SquaredDistances(FloatBuffer rows, int n, int d, DistancePrecision precision) {
        this(rows, n, d, DEFAULT_BLOCK, precision, null, 1);
    }

    SquaredDistances(FloatBuffer rows, int n, int d, int blockSize, DistancePrecision precision) {
        this(rows, n, d, blockSize, precision, null, 1);
    }

    /**
     * Distances between the rows [n, d] of {@code rows}, each row centred on the mean of its group
     * ({@code groups[i]} in 0 .. groupCount − 1; null: one group, the global mean), unless the group
     * tables exceed their budget ({@link #groupTablesFit}), then on the global mean.
     */
    SquaredDistances(FloatBuffer rows, int n, int d, int blockSize, DistancePrecision precision, int[] groups, int groupCount) {
        this.rows = rows;
        this.n = n;
        this.d = d;
        this.single = precision == DistancePrecision.FLOAT32;
        this.block = Math.max(1, Math.min(n, blockSize));
        boolean grouped = groups != null && groupCount > 1 && groupTablesFit(n, d, groupCount);
        this.k = grouped ? groupCount : 1;
        this.group = grouped ? groups : new int[n];
        this.means = groupMeans();
        this.rowTerms = new double[n * k];
        this.columnTerms = new double[k * n];
        correctionTerms();
    }

    /** The buffers of the sequential paths: blocks centred as they are loaded, GEMM output, distances. */
    private void loadBuffers() {
        if (staging == null) {
            staging = new float[block * d];
            out = new double[block * block];
            if (single) {
                narrowed = new float[block * d];
                af = Blas.floats((long) block * d);
                bf = Blas.floats((long) block * d);
                cf = Blas.floats((long) block * block);
                products = new float[block * block];
            } else {
                widened = new double[block * d];
                a = Blas.doubles((long) block * d);
                b = Blas.doubles((long) block * d);
                c = Blas.doubles((long) block * block);
            }
        }
    }

    /** Whether group centring's tables (2 n k + k d + k² doubles) fit the budget of the class comment. */
    static boolean groupTablesFit(int n, int d, int groupCount) {
        long bytes = (2L * n + d + groupCount) * groupCount * Double.BYTES;
        return bytes <= Math.max(MAX_GROUP_TABLE_BYTES, (long) n * d * Float.BYTES / 8);
    }

    /** Float64 mean of each group's rows; parallel over column ranges, so no per-thread copies. */
    private double[][] groupMeans() {
        double[][] sum = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < n; i++) {
            count[group[i]]++;
        }
        int parts = Math.max(1, Math.min(d, Runtime.getRuntime().availableProcessors() * 4));
        IntStream.range(0, parts).parallel().forEach(part -> {
            int c0 = (int) ((long) d * part / parts);
            int c1 = (int) ((long) d * (part + 1) / parts);
            float[] row = new float[c1 - c0];
            for (int i = 0; i < n; i++) {
                rows.get(i * d + c0, row, 0, c1 - c0);
                double[] s = sum[group[i]];
                for (int j = c0; j < c1; j++) {
                    s[j] += row[j - c0];
                }
            }
        });
        for (int g = 0; g < k; g++) {
            for (int j = 0; j < d; j++) {
                sum[g][j] /= Math.max(1, count[g]);
            }
        }
        return sum;
    }

    /** Row i centred on its group's mean, exactly as the GEMM sees it (float32-rounded when single). */
    private void centredRow(int i, float[] raw, double[] into) {
        rows.get(i * d, raw, 0, d);
        double[] mu = means[group[i]];
        for (int j = 0; j < d; j++) {
            double v = raw[j] - mu[j];
            into[j] = single ? (float) v : v;
        }
    }

    /**
     * T_i(c) and U_j(c) of the class comment. ‖x'_i‖² in float64 from the values the GEMM sees; with
     * groups, P = X' Mᵀ by dgemm on chunks of widened centred rows against the means minus their
     * weighted average (a common shift of the means cancels in P_ia − P_ib and keeps P small).
     */
    private void correctionTerms() {
        if (k == 1) {
            forEachRow(0, n, (i, x) -> {
                double s = squaredNorm(x);
                rowTerms[i] = s;
                columnTerms[i] = s;
            });
            return;
        }
        double[] norms = new double[n];
        double[] centre = new double[d];
        int[] count = new int[k];
        for (int i = 0; i < n; i++) {
            count[group[i]]++;
        }
        for (int g = 0; g < k; g++) {
            for (int j = 0; j < d; j++) {
                centre[j] += means[g][j] * count[g] / n;
            }
        }
        DoubleBuffer shifted = Blas.doubles((long) k * d);
        for (int g = 0; g < k; g++) {
            for (int j = 0; j < d; j++) {
                shifted.put(g * d + j, means[g][j] - centre[j]);
            }
        }
        double[] between = new double[k * k]; // ‖μ_a − μ_b‖², from the differences themselves
        IntStream.range(0, k).parallel().forEach(p -> {
            for (int q = 0; q < k; q++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double v = means[p][j] - means[q][j];
                    s += v * v;
                }
                between[p * k + q] = s;
            }
        });
        int chunk = Math.min(n, PROJECTION_CHUNK);
        DoubleBuffer x = Blas.doubles((long) chunk * d);
        DoubleBuffer proj = Blas.doubles((long) chunk * k);
        double[] pr = new double[chunk * k];
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int m = Math.min(chunk, n - r0);
            int first = r0;
            forEachRow(first, m, (i, v) -> {
                norms[i] = squaredNorm(v);
                x.put((i - first) * d, v, 0, d);
            });
            Blas.productNT(x, m, shifted, k, d, 1.0, proj);
            proj.get(0, pr, 0, m * k);
            for (int r = 0; r < m; r++) {
                int i = first + r;
                int gi = group[i];
                double own = pr[r * k + gi];
                for (int q = 0; q < k; q++) {
                    double diff = own - pr[r * k + q]; // x'_i·(μ_gi − μ_q)
                    rowTerms[i * k + q] = norms[i] + 2 * diff + between[gi * k + q];
                    columnTerms[q * n + i] = norms[i] - 2 * (pr[r * k + q] - own);
                }
            }
        }
    }

    /** Receives centred row i (float64; reused between calls). */
    private interface RowConsumer {
        void accept(int i, double[] centred);
    }

    /** Rows [from, from + count) centred as {@link #centredRow}, in parallel parts with their own buffers. */
    private void forEachRow(int from, int count, RowConsumer consumer) {
        int parts = Math.max(1, Math.min(count, Runtime.getRuntime().availableProcessors() * 4));
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[] raw = new float[d];
            double[] x = new double[d];
            for (int i = from + (int) ((long) count * part / parts); i < from + (int) ((long) count * (part + 1) / parts); i++) {
                centredRow(i, raw, x);
                consumer.accept(i, x);
            }
        });
    }

    private static double squaredNorm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s;
    }

    int blockSize() {
        return block;
    }

    /**
     * Receives one block of raw products p_ij = −2 x'_i·x'_j, row-major [ni, nj], in {@code pf}
     * (float32 distances) or {@code pd} (float64), the other null; the squared distance is
     * p_ij + {@link #rowTerm}(i, group(j)) + {@link #columnTerm}(j, group(i)), to be clipped at 0 —
     * left to a consumer that fuses it with its own pass over the block. Blocks arrive concurrently
     * from {@link #workers()} threads, {@code worker} telling which (a consumer keeps per-worker
     * state). On a diagonal block (j0 == i0) only the strict upper triangle j > i is filled.
     */
    interface ProductVisitor {
        void visit(int worker, int i0, int ni, int j0, int nj, float[] pf, double[] pd, boolean diagonal);
    }

    private int maxWorkers = Integer.MAX_VALUE;

    /** Threads of {@link #visitUpperProducts}: one per core (at most one per block row, at most the limit set). */
    int workers() {
        return Math.max(1, Math.min(maxWorkers, Math.min(Runtime.getRuntime().availableProcessors(), (n + block - 1) / block)));
    }

    /**
     * This instance, with at most {@code max} workers (for consumers whose per-worker state is large;
     * one worker leaves OpenBLAS its own threads).
     */
    SquaredDistances limitWorkers(int max) {
        maxWorkers = Math.max(1, max);
        return this;
    }

    /** Number of centring groups (1: global centring). */
    int groupCount() {
        return k;
    }

    /** The centring group of row i (0 .. groupCount − 1). */
    int group(int i) {
        return group[i];
    }

    /** T_i(c) of the class comment: row i's share of its squared distance to a row of group c. */
    double rowTerm(int i, int c) {
        return rowTerms[i * k + c];
    }

    /** U_j(c) of the class comment: row j's share of its squared distance to a row of group c. */
    double columnTerm(int j, int c) {
        return columnTerms[c * n + j];
    }

    /** Above this size the centred copy is not made and blocks are centred as they are loaded. */
    static final long MAX_CENTRED_COPY_BYTES = 2_000_000_000L;

    private long maxCentredCopyBytes = MAX_CENTRED_COPY_BYTES;

    /** This instance, loading and centring float32 blocks as it goes instead of copying (as above the limit). */
    SquaredDistances withoutCentredCopy() {
        maxCentredCopyBytes = -1;
        return this;
    }

    /**
     * As {@link #visitUpper} but hands over the raw products, without the correction and clipping
     * passes, and in parallel: {@link #workers()} threads take block rows in turn (largest first, so
     * they finish together), each with its own buffers and single-threaded BLAS calls (OpenBLAS is
     * set to one thread for the pass): two single-threaded sgemms side by side do more work per
     * CPU-second than one two-threaded call on the same blocks (BENCHMARKS.md, "Reasoning geometry";
     * docs/development.md, "Numbers behind the code"), and each worker runs its consumer's pass over its
     * block right after its GEMM, so neither core waits for the other (nor spins in OpenBLAS). Diagonal
     * blocks take ssyrk (half the products).
     *
     * <p>With float32 distances the rows are centred once into one float32 copy (when it fits
     * under {@link #MAX_CENTRED_COPY_BYTES}), so every block's GEMM reads zero-copy slices of it
     * instead of re-centring the right-hand rows of every block. A float64 copy
     * would save as much but double the input's memory (655 MB more at 20,000 × 4,096, above numpy's
     * peak), so float64 blocks are still widened as they are loaded. Memory of the float32 pass at
     * 20,000 × 4,096: the touched input mapping (327 MB, file-backed), the copy (327 MB, freed when
     * the pass returns), each worker's block of products (8 MB) and the JVM (peak memory beside
     * scikit-learn's: BENCHMARKS.md, "Reasoning geometry").
     */
    void visitUpperProducts(ProductVisitor visitor) {
        long bytes = (long) n * d * Float.BYTES;
        if (single && bytes <= maxCentredCopyBytes) {
            // Native memory freed as soon as the pass ends (a direct ByteBuffer would wait for a GC:
            // two silhouettes in a row would hold two copies).
            try (FloatPointer copy = new FloatPointer((long) n * d)) {
                FloatBuffer all = copy.asBuffer();
                centredCopy(all);
                runWorkers(visitor, all);
            }
        } else {
            runWorkers(visitor, null);
        }
    }

    private void runWorkers(ProductVisitor visitor, FloatBuffer all) {
        int workers = workers();
        int blockRows = (n + block - 1) / block;
        AtomicInteger next = new AtomicInteger();
        Runnable pass = () -> IntStream.range(0, workers).parallel().forEach(w -> {
            Worker worker = new Worker(all == null);
            for (int r = next.getAndIncrement(); r < blockRows; r = next.getAndIncrement()) {
                worker.blockRow(w, r * block, all, visitor);
            }
        });
        if (workers > 1) {
            Blas.singleThreaded(pass);
        } else {
            pass.run();
        }
    }

    /** One thread's GEMM buffers; rows are loaded (centred, narrowed or widened) only without a copy. */
    private final class Worker {
        final FloatBuffer cf = single ? Blas.floats((long) block * block) : null;
        final float[] products = single ? new float[block * block] : null;
        final DoubleBuffer c = single ? null : Blas.doubles((long) block * block);
        final double[] out = single ? null : new double[block * block];
        final FloatBuffer af;
        final FloatBuffer bf;
        final DoubleBuffer a;
        final DoubleBuffer b;
        final float[] raw = new float[d];
        final double[] centred = new double[d];
        final float[] narrow = new float[d];

        Worker(boolean loads) {
            af = loads && single ? Blas.floats((long) block * d) : null;
            bf = loads && single ? Blas.floats((long) block * d) : null;
            a = loads && !single ? Blas.doubles((long) block * d) : null;
            b = loads && !single ? Blas.doubles((long) block * d) : null;
        }

        /** Rows [start, start + count) centred on their groups into a GEMM buffer, row by row. */
        void load(int start, int count, FloatBuffer toFloat, DoubleBuffer toDouble) {
            for (int r = 0; r < count; r++) {
                centredRow(start + r, raw, centred);
                if (toFloat != null) {
                    for (int j = 0; j < d; j++) {
                        narrow[j] = (float) centred[j];
                    }
                    toFloat.put(r * d, narrow, 0, d);
                } else {
                    toDouble.put(r * d, centred, 0, d);
                }
            }
        }

        void blockRow(int w, int i0, FloatBuffer all, ProductVisitor visitor) {
            int ni = Math.min(block, n - i0);
            if (all == null) {
                load(i0, ni, af, a);
            }
            for (int j0 = i0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                boolean same = j0 == i0;
                if (all == null && !same) {
                    load(j0, nj, bf, b);
                }
                if (single) {
                    FloatBuffer left = all == null ? af : all.slice(i0 * d, ni * d);
                    if (same) {
                        Blas.gramRowsUpperf(left, ni, d, -2f, cf);
                    } else {
                        Blas.productNTf(left, ni, all == null ? bf : all.slice(j0 * d, nj * d), nj, d, -2f, cf);
                    }
                    cf.get(0, products, 0, ni * nj);
                    visitor.visit(w, i0, ni, j0, nj, products, null, same);
                } else {
                    if (same) {
                        Blas.gramRowsUpper(a, ni, d, -2.0, c);
                    } else {
                        Blas.productNT(a, ni, b, nj, d, -2.0, c);
                    }
                    c.get(0, out, 0, ni * nj);
                    visitor.visit(w, i0, ni, j0, nj, null, out, same);
                }
            }
        }
    }

    /** All rows minus their group's mean, as float32 [n, d] into {@code all}, filled in parallel. */
    private void centredCopy(FloatBuffer all) {
        int parts = (n + block - 1) / block;
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[] row = new float[d];
            for (int i = part * block; i < Math.min(n, (part + 1) * block); i++) {
                rows.get(i * d, row, 0, d);
                double[] mu = means[group[i]];
                for (int j = 0; j < d; j++) {
                    row[j] = (float) (row[j] - mu[j]);
                }
                all.put(i * d, row, 0, d);
            }
        });
    }

    /** Visits every block (I, J) with J ≥ I once; the array passed is reused between calls. */
    void visitUpper(BlockVisitor visitor) {
        loadBuffers();
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
        loadBuffers();
        int len = ni * d;
        for (int r = 0; r < ni; r++) {
            rows.get(left[l0 + r] * d, staging, r * d, d);
        }
        centre(ni, r -> left[l0 + r], single ? af : null, single ? null : a, len);
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

    private int leftRow(int i0, int i) {
        return leftIndex == null ? i0 + i : leftIndex[leftOffset + i];
    }

    /** Computes one block into the shared array and returns it (rows i0.., columns j0..). */
    double[] block(int i0, int ni, int j0, int nj) {
        loadBuffers();
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
                for (int e = i * nj; e < (i + 1) * nj; e++) {
                    out[e] = products[e];
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
            int row = leftRow(i0, i);
            int rowBase = row * k;
            int colBase = group[row] * n + j0;
            int base = i * nj;
            for (int j = 0; j < nj; j++) {
                double v = out[base + j] + rowTerms[rowBase + group[j0 + j]] + columnTerms[colBase + j];
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
        centre(count, r -> start + r, toFloat, toDouble, len);
    }

    /** The staged rows (row r is data row {@code rowOf(r)}) minus their group's mean into the float or double GEMM buffer. */
    private void centre(int count, IntUnaryOperator rowOf, FloatBuffer toFloat, DoubleBuffer toDouble, int len) {
        IntStream.range(0, count).parallel().forEach(r -> {
            int base = r * d;
            double[] mu = means[group[rowOf.applyAsInt(r)]];
            if (toFloat != null) {
                for (int j = 0; j < d; j++) {
                    narrowed[base + j] = (float) (staging[base + j] - mu[j]);
                }
            } else {
                for (int j = 0; j < d; j++) {
                    widened[base + j] = staging[base + j] - mu[j];
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
