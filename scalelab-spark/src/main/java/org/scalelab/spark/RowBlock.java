package org.scalelab.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.geometry.PointBlocks;

/**
 * Consecutive rows of one group of points, the unit Spark's geometry jobs pass around: rows
 * {@code [firstRow, firstRow + count)} of {@code group}, row-major float32 in {@code rows}, with each
 * row's trajectory index (into the group's trajectories, or -1) and label (or -1).
 */
public record RowBlock(String group, long firstRow, int count, int dimension, float[] rows, int[] trajectory, int[] label)
        implements Serializable {
    public RowBlock {
        if (rows.length != (long) count * dimension || trajectory.length != count || label.length != count) {
            throw new IllegalArgumentException("a block of " + count + " rows × " + dimension + " holds " + rows.length
                    + " values, " + trajectory.length + " trajectory indices and " + label.length + " labels");
        }
    }

    /** The blocks of an in-memory or streamed point set, each at most {@code maxRows} rows (for tests and small sets). */
    public static List<RowBlock> of(String group, PointBlocks points, int maxRows) {
        long[] starts = points.trajectoryStarts();
        int[] labels = points.labels();
        int d = points.dimension();
        List<RowBlock> out = new ArrayList<>();
        points.forEachBlock(maxRows, (first, count, rows) -> {
            int[] t = new int[count];
            int[] l = new int[count];
            for (int i = 0; i < count; i++) {
                long row = first + i;
                t[i] = trajectoryOf(starts, row);
                l[i] = labels == null ? -1 : labels[(int) row];
            }
            float[] copy = new float[count * d];
            System.arraycopy(rows, 0, copy, 0, copy.length);
            out.add(new RowBlock(group, first, count, d, copy, t, l));
        });
        return out;
    }

    /**
     * The mean of every column over all rows of {@code blocks} ({@code rows} of width {@code d}): per-block
     * float64 sums, tree-reduced, divided by the row count.
     */
    static double[] columnMeans(org.apache.spark.api.java.JavaRDD<RowBlock> blocks, int d, long rows) {
        double[] sum = blocks.map(b -> {
            double[] s = new double[d];
            for (int i = 0; i < b.count(); i++) {
                for (int j = 0; j < d; j++) {
                    s[j] += b.rows()[i * d + j];
                }
            }
            return s;
        }).treeReduce((a, b) -> {
            for (int j = 0; j < a.length; j++) {
                a[j] += b[j];
            }
            return a;
        });
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = sum[j] / rows;
        }
        return mean;
    }

    private static int trajectoryOf(long[] starts, long row) {
        if (starts.length == 0) {
            return -1;
        }
        int k = java.util.Arrays.binarySearch(starts, row);
        return k >= 0 ? k : -k - 2;
    }
}
