package org.scalelab.geometry;

import java.nio.FloatBuffer;
import org.scalelab.InputException;

/**
 * Rows of a {@link PointBlocks} held in memory by the sampled metrics: a seeded simple random sample
 * of rows ({@link #of}), or every row when the set is small enough to be analysed exactly by the
 * in-memory engine ({@link #whole}). Either takes one pass over the blocks.
 */
final class PointSample {
    /** Rows of the sample, increasing. */
    final int[] rows;
    /** Their values, [rows.length, d] row-major. */
    final float[] values;
    final int dimension;

    private PointSample(int[] rows, float[] values, int dimension) {
        this.rows = rows;
        this.values = values;
        this.dimension = dimension;
    }

    /**
     * {@code s} of {@code n} indices drawn without replacement, in increasing order: the draw of the
     * in-memory silhouette's sample ({@link Silhouette#sample}), so the same seed picks the same points.
     */
    static int[] draw(long n, int s, long seed, String source) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new InputException(source + ": " + n + " rows is above the " + (Integer.MAX_VALUE - 8)
                    + " a sampled metric can draw from; analyse the rows in several groups");
        }
        return Silhouette.sample((int) n, s, seed);
    }

    /** The rows {@code rows} (increasing) of {@code points}, copied in one pass over blocks of {@code blockRows}. */
    static PointSample of(PointBlocks points, int[] rows, int blockRows) {
        int d = points.dimension();
        float[] values = new float[Math.multiplyExact(rows.length, d)];
        int[] next = {0};
        points.forEachBlock(blockRows, (first, count, block) -> {
            while (next[0] < rows.length && rows[next[0]] < first + count) {
                int r = (int) (rows[next[0]] - first);
                System.arraycopy(block, r * d, values, next[0] * d, d);
                next[0]++;
            }
        });
        if (next[0] != rows.length) {
            throw new IllegalStateException(points.source() + ": the blocks ended at a row before " + rows[next[0]]
                    + " of the " + points.size() + " announced");
        }
        return new PointSample(rows, values, d);
    }

    /** Sample row i into dst. */
    void row(int i, float[] dst) {
        System.arraycopy(values, i * dimension, dst, 0, dimension);
    }

    /**
     * Every row in memory with its trajectories and labels, as the in-memory engine takes them: for
     * sets at most the exact size of a sampled metric. Rows are checked finite as {@link PointSet#of}.
     */
    static PointSet whole(PointBlocks points, int blockRows) {
        long n = points.size();
        int d = points.dimension();
        FloatBuffer data = PointSet.allocate(n * d);
        points.forEachBlock(blockRows, (first, count, block) -> data.put((int) (first * d), block, 0, count * d));
        PointSet p = PointSet.of(data, (int) n, d, points.source());
        long[] starts = points.trajectoryStarts();
        if (starts.length > 0) {
            p = p.withTrajectories(starts, points.source() + " (trajectory starts)");
        }
        int[] labels = points.labels();
        return labels == null ? p : p.withLabels(labels);
    }
}
