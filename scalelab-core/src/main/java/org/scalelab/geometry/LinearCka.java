package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import org.scalelab.InputException;

/**
 * Linear centered kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019, ICML, eq. 5) between two
 * representations of the same n inputs: with column-centred X [n, d1] and Y [n, d2],
 * CKA = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F). The feature-space products are accumulated over row chunks
 * with BLAS (dsyrk, dgemm), so memory is O(d1² + d2² + d1 d2), independent of n.
 *
 * <p>The denominator's factors belong to one representation each: {@link #side} computes a
 * representation's column means and ‖Xᵀ X‖_F once, so that comparing it with several others (a layer
 * with the one before and the one after it) costs one cross product per pair instead of three
 * products.
 */
public final class LinearCka {
    private LinearCka() {}

    private static final int CHUNK_ROWS = 512;

    /**
     * One representation ready for CKA: its points, their column means and the Frobenius norm of its
     * centred Gram matrix ‖Xᵀ X‖_F (float64 sums over the rows, in chunks of 512).
     */
    public static final class Side {
        private final PointSet points;
        private final double[] mean;
        private final double gramNorm;

        private Side(PointSet points, double[] mean, double gramNorm) {
            this.points = points;
            this.mean = mean;
            this.gramNorm = gramNorm;
        }
    }

    /** The means and ‖Xᵀ X‖_F of {@code p}: one pass of dsyrk over its rows. */
    public static Side side(PointSet p) {
        int d = p.dimension();
        double[] m = mean(p);
        if (p.size() < 2) {
            return new Side(p, m, 0);
        }
        DoubleBuffer gram = Blas.doubles((long) d * d);
        DoubleBuffer rows = Blas.doubles((long) Math.min(CHUNK_ROWS, p.size()) * d);
        for (int start = 0; start < p.size(); start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, p.size() - start);
            centre(p, start, k, m, rows);
            Blas.gramUpperAdd(rows, k, d, gram);
        }
        return new Side(p, m, Math.sqrt(upperFrobeniusSquared(gram, d)));
    }

    public static MetricValue of(PointSet x, PointSet y) {
        checkMatched(x, y);
        return x.size() < 2 ? of(new Side(x, null, 0), new Side(y, null, 0)) : of(side(x), side(y));
    }

    /** CKA of two prepared representations of the same points: one pass of dgemm for ‖Yᵀ X‖²_F. */
    public static MetricValue of(Side sx, Side sy) {
        PointSet x = sx.points;
        PointSet y = sy.points;
        checkMatched(x, y);
        int n = x.size();
        if (n < 2) {
            return MetricValue.missing("CKA needs at least 2 matched points, got " + n);
        }
        if (!(sx.gramNorm > 0) || !(sy.gramNorm > 0)) {
            return MetricValue.missing("one representation has zero variance; CKA is undefined");
        }
        int d1 = x.dimension();
        int d2 = y.dimension();
        DoubleBuffer yx = Blas.doubles((long) d2 * d1);
        int chunk = Math.min(CHUNK_ROWS, n);
        DoubleBuffer cx = Blas.doubles((long) chunk * d1);
        DoubleBuffer cy = Blas.doubles((long) chunk * d2);
        for (int start = 0; start < n; start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, n - start);
            centre(x, start, k, sx.mean, cx);
            centre(y, start, k, sy.mean, cy);
            Blas.crossAdd(cy, d2, cx, d1, k, yx);
        }
        double hsic = 0;
        for (int i = 0; i < d2 * d1; i++) {
            hsic += yx.get(i) * yx.get(i);
        }
        return MetricValue.of(hsic / (sx.gramNorm * sy.gramNorm));
    }

    private static void checkMatched(PointSet x, PointSet y) {
        if (x.size() != y.size()) {
            throw new InputException("CKA compares matched points: " + x.source() + " has " + x.size() + " rows, "
                    + y.source() + " has " + y.size());
        }
    }

    private static double[] mean(PointSet p) {
        int d = p.dimension();
        double[] m = new double[d];
        for (int i = 0; i < p.size(); i++) {
            for (int j = 0; j < d; j++) {
                m[j] += p.get(i, j);
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= p.size();
        }
        return m;
    }

    private static void centre(PointSet p, int start, int k, double[] mean, DoubleBuffer out) {
        int d = p.dimension();
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < d; j++) {
                out.put(i * d + j, p.get(start + i, j) - mean[j]);
            }
        }
    }

    /** ‖S‖²_F of a symmetric matrix stored in its upper triangle. */
    private static double upperFrobeniusSquared(DoubleBuffer s, int d) {
        double total = 0;
        for (int r = 0; r < d; r++) {
            total += s.get(r * d + r) * s.get(r * d + r);
            for (int c = r + 1; c < d; c++) {
                total += 2 * s.get(r * d + c) * s.get(r * d + c);
            }
        }
        return total;
    }
}
