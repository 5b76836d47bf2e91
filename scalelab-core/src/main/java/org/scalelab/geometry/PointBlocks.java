package org.scalelab.geometry;

/**
 * Points read block by block, in a fixed order, as many passes as an analysis needs, so that a set
 * larger than memory can be analysed: only one block of rows is held at a time (plus what the
 * analysis itself keeps). Trajectory starts and labels are per row and small (8 and 4 bytes a row),
 * so they are held whole.
 */
public interface PointBlocks {
    /** Width of every row. */
    int dimension();

    /** Number of rows. */
    long size();

    /** Where each trajectory starts (ascending, the first 0), or an empty array when rows are not trajectories. */
    long[] trajectoryStarts();

    /** Each row's label (codes 0..k-1), or null when rows are unlabelled. */
    int[] labels();

    /** Where the points come from, for messages. */
    String source();

    /**
     * Visits every row once, in order, in blocks of at most {@code maxRows} rows. The array a block
     * arrives in is row-major ({@code count × dimension()} values from index 0) and is valid only
     * during the call: a visitor that keeps rows copies them.
     */
    void forEachBlock(int maxRows, Block visitor);

    /** One block of consecutive rows. */
    @FunctionalInterface
    interface Block {
        void accept(long firstRow, int count, float[] rows);
    }

    /** The rows of an in-memory point set, in blocks. */
    static PointBlocks of(PointSet points) {
        return new PointBlocks() {
            @Override
            public int dimension() {
                return points.dimension();
            }

            @Override
            public long size() {
                return points.size();
            }

            @Override
            public long[] trajectoryStarts() {
                if (!points.hasTrajectories()) {
                    return new long[0];
                }
                long[] s = new long[points.trajectoryCount()];
                for (int k = 0; k < s.length; k++) {
                    s[k] = points.trajectoryStart(k);
                }
                return s;
            }

            @Override
            public int[] labels() {
                return points.hasLabels() ? points.labels().clone() : null;
            }

            @Override
            public String source() {
                return points.source();
            }

            @Override
            public void forEachBlock(int maxRows, Block visitor) {
                if (maxRows < 1) {
                    throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
                }
                int d = points.dimension();
                int n = points.size();
                float[] block = new float[Math.min(maxRows, Math.max(n, 1)) * d];
                for (int first = 0; first < n; first += maxRows) {
                    int count = Math.min(maxRows, n - first);
                    points.buffer().get(first * d, block, 0, count * d);
                    visitor.accept(first, count, block);
                }
            }
        };
    }
}
