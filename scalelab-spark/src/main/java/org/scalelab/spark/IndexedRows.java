package org.scalelab.spark;

import java.io.Serializable;

/**
 * Rows with their row numbers in the group: a block of data or a chunk of query rows broadcast to
 * every partition. {@code values} is row-major [ids.length, width]; {@code tags} holds one int per row
 * (a trajectory, or null when unused).
 */
record IndexedRows(long[] ids, int[] tags, int width, float[] values) implements Serializable {

    /** A block's rows, numbered from its first row. */
    static IndexedRows of(RowBlock b) {
        long[] ids = new long[b.count()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = b.firstRow() + i;
        }
        return new IndexedRows(ids, b.trajectory(), b.dimension(), b.rows());
    }

    int count() {
        return ids.length;
    }

    /**
     * Σ (a_c − b_c)² over {@code width} columns in float64, column by column in order: the exact
     * arithmetic the in-memory engine measures its nearest candidates with (float32 values are exact
     * in float64), so a neighbour's distance has the same bits in both engines.
     */
    static double squaredDistance(float[] a, int aFrom, float[] b, int bFrom, int width) {
        double s = 0;
        for (int c = 0; c < width; c++) {
            double v = (double) a[aFrom + c] - b[bFrom + c];
            s += v * v;
        }
        return s;
    }
}
