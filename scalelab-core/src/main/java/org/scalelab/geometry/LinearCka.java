package org.scalelab.geometry;

import java.nio.DoubleBuffer;
import org.scalelab.InputException;

/**
 * Linear centered kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019, ICML, eq. 5) between two
 * representations of the same n inputs: with column-centred X [n, d1] and Y [n, d2],
 * CKA = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F). The three feature-space products are accumulated over row
 * chunks with BLAS (dsyrk, dgemm), so memory is O(d1² + d2² + d1 d2), independent of n.
 */
public final class LinearCka {
    private LinearCka() {}

    private static final int CHUNK_ROWS = 512;

    public static MetricValue of(PointSet x, PointSet y) {
        if (x.size() != y.size()) {
            throw new InputException("CKA compares matched points: " + x.source() + " has " + x.size() + " rows, "
                    + y.source() + " has " + y.size());
        }
        int n = x.size();
        if (n < 2) {
            return MetricValue.missing("CKA needs at least 2 matched points, got " + n);
        }
        int d1 = x.dimension();
        int d2 = y.dimension();
        double[] mx = mean(x);
        double[] my = mean(y);
        DoubleBuffer xx = Blas.doubles((long) d1 * d1);
        DoubleBuffer yy = Blas.doubles((long) d2 * d2);
        DoubleBuffer yx = Blas.doubles((long) d2 * d1);
        DoubleBuffer cx = Blas.doubles((long) CHUNK_ROWS * d1);
        DoubleBuffer cy = Blas.doubles((long) CHUNK_ROWS * d2);
        for (int start = 0; start < n; start += CHUNK_ROWS) {
            int k = Math.min(CHUNK_ROWS, n - start);
            centre(x, start, k, mx, cx);
            centre(y, start, k, my, cy);
            Blas.gramUpperAdd(cx, k, d1, xx);
            Blas.gramUpperAdd(cy, k, d2, yy);
            Blas.crossAdd(cy, d2, cx, d1, k, yx);
        }
        double hsic = 0;
        for (int i = 0; i < d2 * d1; i++) {
            hsic += yx.get(i) * yx.get(i);
        }
        double nx = Math.sqrt(upperFrobeniusSquared(xx, d1));
        double ny = Math.sqrt(upperFrobeniusSquared(yy, d2));
        if (!(nx > 0) || !(ny > 0)) {
            return MetricValue.missing("one representation has zero variance; CKA is undefined");
        }
        return MetricValue.of(hsic / (nx * ny));
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
