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
}
