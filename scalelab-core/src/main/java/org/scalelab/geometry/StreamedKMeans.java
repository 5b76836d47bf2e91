package org.scalelab.geometry;

import java.nio.FloatBuffer;

/**
 * {@link KMeans} of a point set read in blocks ({@link PointBlocks}), for sets too large to hold:
 * the same greedy k-means++ seeding and Lloyd steps, in the same mean-centred float32 coordinates,
 * chunk by chunk of {@value KMeans#CHUNK_ROWS} rows as in memory, so on the same rows and seed it gives
 * the same labels, centroids and inertia, bit for bit (same BLAS calls on the same values), whatever the
 * block size. Only one chunk of rows is held at a time, plus per-point numbers (each point's label,
 * squared norm and distance to its centre, 8 + 8 + 4 bytes; during seeding 8 bytes per point per
 * candidate, 2 + ⌊ln k⌋ candidates).
 *
 * <p>Passes over the blocks: 2 for the mean and the norms; seeding, 2 per centre (fetch the candidates,
 * then every point's distance to them); one per Lloyd step (distances and the centroid sums in one
 * read), one more for the final assignment when it stops on the centre shift, one for the inertia,
 * and one per empty cluster refilled (rare). Restarts repeat the seeding and the steps.
 */
public final class StreamedKMeans {
    private StreamedKMeans() {}

    /** The fit of {@link KMeans#fit(PointSet, int, long, KMeans.Options)} on these points, reading blocks of at most {@code blockRows} rows. */
    public static KMeans.Fit fit(PointBlocks points, int k, long seed, KMeans.Options o, int blockRows) {
        long n = points.size();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-means needs 1 ≤ k ≤ n = " + n + ", got k = " + k);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new org.scalelab.InputException(points.source() + ": " + n + " rows is above the " + (Integer.MAX_VALUE - 8)
                    + " k-means can label; analyse the rows in several groups");
        }
        return KMeans.fit(new StreamedRows(points, blockRows), k, seed, o);
    }

    /** Rows read from blocks and centred as they arrive, regrouped into k-means' chunks. */
    private static final class StreamedRows extends KMeans.Rows {
        private final PointBlocks points;
        private final int blockRows;
        private final float[] staged;
        private final FloatBuffer chunk;

        StreamedRows(PointBlocks points, int blockRows) {
            super((int) points.size(), points.dimension());
            this.points = points;
            this.blockRows = blockRows;
            int rows = Math.min(n, KMeans.CHUNK_ROWS);
            this.staged = new float[rows * d];
            this.chunk = Blas.floats((long) rows * d);
            // The mean as in memory: each chunk's column sums row by row, the chunks' sums / n added in order.
            double[] mean = new double[d];
            double[] sum = new double[d];
            points.forEachBlock(blockRows, (first, count, block) -> {
                for (int r = 0; r < count; r++) {
                    long i = first + r;
                    for (int j = 0; j < d; j++) {
                        sum[j] += block[r * d + j];
                    }
                    if ((i + 1) % KMeans.CHUNK_ROWS == 0 || i + 1 == n) {
                        for (int j = 0; j < d; j++) {
                            mean[j] += sum[j] / n;
                            sum[j] = 0;
                        }
                    }
                }
            });
            this.mean = mean;
            double[] norms = new double[n];
            float[] row = new float[d];
            points.forEachBlock(blockRows, (first, count, block) -> {
                for (int r = 0; r < count; r++) {
                    centre(block, r, row);
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += (double) row[j] * row[j];
                    }
                    norms[(int) (first + r)] = s;
                }
            });
            this.norms = norms;
            measureSpread();
        }

        /** Row r of a block minus the mean, rounded to float32, into dst (as the held copy). */
        private void centre(float[] block, int r, float[] dst) {
            for (int j = 0; j < d; j++) {
                dst[j] = (float) (block[r * d + j] - mean[j]);
            }
        }

        @Override
        void forEachChunk(KMeans.ChunkVisitor visitor) {
            float[] row = new float[d];
            int[] filled = {0};
            points.forEachBlock(blockRows, (first, count, block) -> {
                for (int r = 0; r < count; r++) {
                    centre(block, r, row);
                    System.arraycopy(row, 0, staged, filled[0] * d, d);
                    long i = first + r;
                    if (++filled[0] == KMeans.CHUNK_ROWS || i + 1 == n) {
                        int m = filled[0];
                        chunk.put(0, staged, 0, m * d);
                        visitor.visit((int) (i + 1 - m), m, chunk.slice(0, m * d));
                        filled[0] = 0;
                    }
                }
            });
        }

        @Override
        void rows(int[] which, float[] dst) {
            float[] row = new float[d];
            points.forEachBlock(blockRows, (first, count, block) -> {
                for (int w = 0; w < which.length; w++) {
                    if (which[w] >= first && which[w] < first + count) {
                        centre(block, (int) (which[w] - first), row);
                        System.arraycopy(row, 0, dst, w * d, d);
                    }
                }
            });
        }
    }
}
