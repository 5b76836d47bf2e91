package org.scalelab.spark;

import java.io.Serializable;
import java.util.Arrays;

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

    /** The rows whose ids are in {@code selected} (ascending), in their order here. */
    IndexedRows only(long[] selected) {
        int m = 0;
        int[] keep = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (Arrays.binarySearch(selected, ids[i]) >= 0) {
                keep[m++] = i;
            }
        }
        long[] i2 = new long[m];
        int[] t2 = tags == null ? null : new int[m];
        float[] v2 = new float[m * width];
        for (int r = 0; r < m; r++) {
            i2[r] = ids[keep[r]];
            if (t2 != null) {
                t2[r] = tags[keep[r]];
            }
            System.arraycopy(values, keep[r] * width, v2, r * width, width);
        }
        return new IndexedRows(i2, t2, width, v2);
    }
}
