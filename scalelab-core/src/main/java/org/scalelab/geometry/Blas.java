package org.scalelab.geometry;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;
import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.scalelab.ScaleLabException;

/**
 * The few BLAS/LAPACK calls geometry needs, through bytedeco's OpenBLAS (it picks the CPU's kernel
 * and uses every core). All buffers are direct, so nothing is copied across JNI. Dense linear
 * algebra goes here, never into hand-written loops; the few calls other analyses need (phase's
 * logistic probe) are public.
 */
public final class Blas {
    private Blas() {}

    public static FloatBuffer floats(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public static DoubleBuffer doubles(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(count * Double.BYTES)).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /** c[d, d] (upper triangle) = a[k, d]ᵀ a[k, d], or += when {@code accumulate} (cblas_ssyrk, beta 1). */
    public static void gramUpper(FloatBuffer a, int k, int d, FloatBuffer c, boolean accumulate) {
        openblas.cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, d, k, 1f, a, d, accumulate ? 1f : 0f, c, d);
    }

    /** c[m, m] (upper triangle) = alpha · a[m, k] a[m, k]ᵀ (cblas_ssyrk, row-major, beta 0). */
    static void gramRowsUpperf(FloatBuffer a, int m, int k, float alpha, FloatBuffer c) {
        openblas.cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, m, k, alpha, a, k, 0f, c, m);
    }

    /** c[m, m] (upper triangle) = alpha · a[m, k] a[m, k]ᵀ (cblas_dsyrk, row-major, beta 0). */
    static void gramRowsUpper(DoubleBuffer a, int m, int k, double alpha, DoubleBuffer c) {
        openblas.cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, m, k, alpha, a, k, 0.0, c, m);
    }

    /**
     * OpenBLAS's thread count (for a pass that runs several single-threaded calls at once): the last
     * one set, else OpenBLAS's own default: OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS
     * (first set, as OpenBLAS reads them), at most one per core.
     */
    static int threads() {
        int set = openblas_nolapack.blas_get_num_threads(); // bytedeco reports -1 until a count is set
        if (set >= 1) {
            return set;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (String name : new String[] {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
            try {
                int env = Integer.parseInt(System.getenv().getOrDefault(name, "").trim());
                if (env >= 1) {
                    return Math.min(env, cores);
                }
            } catch (NumberFormatException e) {
                // unset or not a number: OpenBLAS goes on to the next variable, then to one thread per core
            }
        }
        return cores;
    }

    private static int singleThreadedPasses;
    private static int savedThreads;

    /**
     * Runs {@code pass} with OpenBLAS set to one thread (the count is global: a pass that makes
     * single-threaded calls from several Java threads at once), then restores the count; overlapping
     * passes restore it when the last one ends.
     */
    static void singleThreaded(Runnable pass) {
        synchronized (Blas.class) {
            if (singleThreadedPasses++ == 0) {
                savedThreads = threads();
                openblas_nolapack.blas_set_num_threads(1);
            }
        }
        try {
            pass.run();
        } finally {
            synchronized (Blas.class) {
                if (--singleThreadedPasses == 0) {
                    openblas_nolapack.blas_set_num_threads(savedThreads);
                }
            }
        }
    }

    /** c[m, n] = alpha · a[m, k] b[n, k]ᵀ (cblas_dgemm, row-major). */
    public static void productNT(DoubleBuffer a, int m, DoubleBuffer b, int n, int k, double alpha, DoubleBuffer c) {
        openblas.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, k, b, k, 0.0, c, n);
    }

    /** c[m, n] = alpha · a[m, k] b[n, k]ᵀ in float32 (cblas_sgemm, row-major). */
    static void productNTf(FloatBuffer a, int m, FloatBuffer b, int n, int k, float alpha, FloatBuffer c) {
        openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, k, b, k, 0f, c, n);
    }

    /** c[m, n] = a[m, k] b[k, n] in float32 (cblas_sgemm, row-major). */
    static void productNN(FloatBuffer a, int m, FloatBuffer b, int n, int k, FloatBuffer c) {
        openblas.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1f, a, k, b, n, 0f, c, n);
    }

    /** c[m, n] = a[m, k] b[k, n] in float64 (cblas_dgemm, row-major): phase's class contrasts. */
    public static void productNNd(DoubleBuffer a, int m, DoubleBuffer b, int n, int k, DoubleBuffer c) {
        openblas.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
    }

    /** c[d, d] (upper) += alpha · a[k, d]ᵀ a[k, d] in float64 (cblas_dsyrk, beta 1). */
    public static void gramUpperAdd(DoubleBuffer a, int k, int d, DoubleBuffer c) {
        openblas.cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, k, 1.0, a, d, 1.0, c, d);
    }

    /**
     * Solves a x = b for a symmetric positive definite a[d, d] given by its upper triangle (row-major),
     * by Cholesky (LAPACKE_dposv); x overwrites b, the factor overwrites a. False when a is not
     * positive definite.
     */
    public static boolean solvePositiveDefinite(DoubleBuffer a, int d, DoubleBuffer b) {
        return openblas.LAPACKE_dposv(LAPACK_ROW_MAJOR, (byte) 'U', d, 1, a, d, b, 1) == 0;
    }

    /** Solves a x = b again with the Cholesky factor {@link #solvePositiveDefinite} left in a (LAPACKE_dpotrs); x overwrites b. */
    public static void solveWithFactor(DoubleBuffer factor, int d, DoubleBuffer b) {
        int info = openblas.LAPACKE_dpotrs(LAPACK_ROW_MAJOR, (byte) 'U', d, 1, factor, d, b, 1);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_dpotrs failed (info " + info + ") on a " + d + " × " + d + " factor");
        }
    }

    /**
     * The eigenvector of the largest eigenvalue of a symmetric matrix given by its upper triangle
     * (row-major; overwritten), by LAPACKE_dsyevr with an index range of one. Returns {eigenvalue,
     * then the d components}.
     */
    public static double[] topEigenpair(DoubleBuffer upper, int d) {
        DoubleBuffer w = doubles(d);
        DoubleBuffer z = doubles(d);
        IntBuffer found = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
        IntBuffer support = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asIntBuffer();
        int info = openblas.LAPACKE_dsyevr(LAPACK_ROW_MAJOR, (byte) 'V', (byte) 'I', (byte) 'U', d, upper, d, 0.0, 0.0,
                d, d, 0.0, found, w, z, 1, support);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_dsyevr failed (info " + info + ") on a " + d + " × " + d + " matrix");
        }
        double[] out = new double[d + 1];
        out[0] = w.get(0);
        for (int i = 0; i < d; i++) {
            out[1 + i] = z.get(i);
        }
        return out;
    }

    /** c[d2, d1] += b[k, d2]ᵀ a[k, d1] in float64 (cblas_dgemm, beta 1). */
    static void crossAdd(DoubleBuffer b, int d2, DoubleBuffer a, int d1, int k, DoubleBuffer c) {
        openblas.cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d2, d1, k, 1.0, b, d2, a, d1, 1.0, c, d1);
    }

    /**
     * Eigenvalues of a symmetric matrix given by its upper triangle (LAPACKE_ssyevd, values only),
     * in descending order. The input buffer is overwritten.
     */
    static double[] eigenvaluesDescending(FloatBuffer upper, int d) {
        FloatBuffer w = floats(d);
        // A row-major upper triangle is, byte for byte, a column-major lower one: asking LAPACKE for
        // that saves the transposed copy (64 MB at d = 4,096) it makes for row-major input.
        int info = openblas.LAPACKE_ssyevd(LAPACK_COL_MAJOR, (byte) 'N', (byte) 'L', d, upper, d, w);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_ssyevd failed (info " + info + ") on a " + d + " × " + d + " covariance");
        }
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            out[i] = w.get(d - 1 - i);
        }
        return out;
    }

    /**
     * All eigenpairs of a symmetric matrix (LAPACKE_ssyevd with vectors): values ascending into
     * {@code w}, vectors overwrite {@code upper} as columns (row-major [d, d]).
     */
    static void eigenDecompose(FloatBuffer upper, int d, FloatBuffer w) {
        int info = openblas.LAPACKE_ssyevd(LAPACK_ROW_MAJOR, (byte) 'V', (byte) 'U', d, upper, d, w);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_ssyevd failed (info " + info + ") on a " + d + " × " + d + " covariance");
        }
    }

    /** {@link #eigenDecompose(FloatBuffer, int, FloatBuffer)} in float64 (LAPACKE_dsyevd). */
    static void eigenDecompose(DoubleBuffer upper, int d, DoubleBuffer w) {
        int info = openblas.LAPACKE_dsyevd(LAPACK_ROW_MAJOR, (byte) 'V', (byte) 'U', d, upper, d, w);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_dsyevd failed (info " + info + ") on a " + d + " × " + d + " matrix");
        }
    }

    /**
     * The top {@code k} eigenvectors of a symmetric matrix (LAPACKE_ssyevr, index range), as columns of
     * a row-major [d, k] buffer, largest eigenvalue first.
     */
    static FloatBuffer topEigenvectors(FloatBuffer upper, int d, int k) {
        FloatBuffer w = floats(d);
        FloatBuffer z = floats((long) d * k);
        IntBuffer found = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
        IntBuffer support = ByteBuffer.allocateDirect(8 * Math.max(1, k)).order(ByteOrder.nativeOrder()).asIntBuffer();
        int info = openblas.LAPACKE_ssyevr(LAPACK_ROW_MAJOR, (byte) 'V', (byte) 'I', (byte) 'U', d, upper, d, 0f, 0f,
                d - k + 1, d, 0f, found, w, z, k, support);
        if (info != 0) {
            throw new ScaleLabException("LAPACKE_ssyevr failed (info " + info + ") on a " + d + " × " + d + " covariance");
        }
        // ssyevr returns ascending order; flip columns so the largest comes first.
        FloatBuffer out = floats((long) d * k);
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < k; c++) {
                out.put(r * k + c, z.get(r * k + (k - 1 - c)));
            }
        }
        return out;
    }
}
