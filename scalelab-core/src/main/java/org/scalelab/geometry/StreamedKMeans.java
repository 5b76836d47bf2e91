package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link KMeans} of a point set read in blocks ({@link PointBlocks}), for sets too large to hold:
 * the same greedy k-means++ seeding and Lloyd steps, in the same mean-centred float32 coordinates,
 * chunk by chunk of {@value KMeans#CHUNK_ROWS} rows as in memory, so on the same rows and seed it gives
 * the same labels, centroids and inertia, bit for bit (same BLAS calls on the same values), whatever the
 * block size. Only one chunk of rows is held at a time, plus per-point numbers (each point's label,
 * squared norm and distance to its centre, 8 + 8 + 4 bytes; during seeding 8 bytes per point per
 * candidate, 2 + ⌊ln k⌋ candidates).
 *
 * <p>Passes over the blocks: 2 for the mean and the norms; seeding, 3 per centre (fetch the candidates,
 * bound their potentials, measure exactly the ones the bounds leave); one per Lloyd step (distances and the centroid sums in one
 * read), one more for the final assignment when it stops on the centre shift, one for the inertia,
 * and, when a step leaves a cluster empty (rare), one for every point's exact distance to its centre and
 * one per cluster refilled. Restarts repeat the seeding and the steps.
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

    /**
     * Several fits over the same points — {@code ks[f]} clusters from {@code seeds[f]}, each exactly
     * {@link #fit} — sharing their reads: the mean and norms are read once, and every pass serves all the
     * fits then waiting for one, so the reads are those of the longest fit (plus 2), not their sum. Each
     * fit runs on its own thread, blocked while others catch up; the arithmetic runs on the thread that
     * reads, one fit's chunk after another's.
     */
    public static KMeans.Fit[] fitAll(PointBlocks points, int[] ks, long[] seeds, KMeans.Options o, int blockRows) {
        long n = points.size();
        for (int k : ks) {
            if (k < 1 || k > n) {
                throw new IllegalArgumentException("k-means needs 1 ≤ k ≤ n = " + n + ", got k = " + k);
            }
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new org.scalelab.InputException(points.source() + ": " + n + " rows is above the " + (Integer.MAX_VALUE - 8)
                    + " k-means can label; analyse the rows in several groups");
        }
        SharedPasses shared = new SharedPasses(new StreamedRows(points, blockRows), ks.length);
        return KMeans.sideBySide(ks.length, f -> {
            try {
                return KMeans.fit(shared, ks[f], seeds[f], o);
            } finally {
                shared.finished();
            }
        });
    }

    /** A read some fit is waiting for: its chunks, or some of its rows. */
    private static final class Request {
        final KMeans.ChunkVisitor chunks;
        final int[] which;
        final float[] dst;
        RuntimeException failure;

        Request(KMeans.ChunkVisitor chunks, int[] which, float[] dst) {
            this.chunks = chunks;
            this.which = which;
            this.dst = dst;
        }
    }

    /**
     * The rows of {@link StreamedRows} shared by several fits on their own threads: a fit asking for a
     * pass waits until every running fit has asked for one (or finished); the last to ask reads the blocks
     * once for all of them.
     */
    private static final class SharedPasses extends KMeans.Rows {
        private final StreamedRows source;
        private final List<Request> waiting = new ArrayList<>();
        private int running;
        private long served;

        SharedPasses(StreamedRows source, int fits) {
            super(source.n, source.d);
            this.source = source;
            this.mean = source.mean;
            this.norms = source.norms;
            this.meanVariance = source.meanVariance;
            this.running = fits;
        }

        @Override
        void forEachChunk(KMeans.ChunkVisitor visitor) {
            submit(new Request(visitor, null, null));
        }

        @Override
        void rows(int[] which, float[] dst) {
            submit(new Request(null, which, dst));
        }

        private synchronized void submit(Request r) {
            waiting.add(r);
            long pass = served;
            if (waiting.size() == running) {
                serve();
            } else {
                while (served == pass) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("k-means interrupted", e);
                    }
                }
            }
            if (r.failure != null) {
                throw r.failure;
            }
        }

        synchronized void finished() {
            running--;
            if (running > 0 && waiting.size() == running) {
                serve();
            }
        }

        /** One read for every waiting request (called holding the lock). */
        private void serve() {
            List<Request> batch = new ArrayList<>(waiting);
            waiting.clear();
            try {
                source.serve(batch);
            } catch (RuntimeException e) {
                for (Request r : batch) {
                    r.failure = e;
                }
            }
            served++;
            notifyAll();
        }
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
            serve(List.of(new Request(visitor, null, null)));
        }

        @Override
        void rows(int[] which, float[] dst) {
            serve(List.of(new Request(null, which, dst)));
        }

        /** One read of the blocks serving every request: each chunk to every chunk visitor in turn, each row to whoever asked for it. */
        void serve(List<Request> requests) {
            boolean chunks = requests.stream().anyMatch(r -> r.chunks != null);
            float[] row = new float[d];
            int[] filled = {0};
            points.forEachBlock(blockRows, (first, count, block) -> {
                for (Request q : requests) {
                    if (q.which != null) {
                        for (int w = 0; w < q.which.length; w++) {
                            if (q.which[w] >= first && q.which[w] < first + count) {
                                centre(block, (int) (q.which[w] - first), row);
                                System.arraycopy(row, 0, q.dst, w * d, d);
                            }
                        }
                    }
                }
                if (!chunks) {
                    return;
                }
                for (int r = 0; r < count; r++) {
                    centre(block, r, row);
                    System.arraycopy(row, 0, staged, filled[0] * d, d);
                    long i = first + r;
                    if (++filled[0] == KMeans.CHUNK_ROWS || i + 1 == n) {
                        int m = filled[0];
                        chunk.put(0, staged, 0, m * d);
                        for (Request q : requests) {
                            if (q.chunks != null) {
                                q.chunks.visit((int) (i + 1 - m), m, chunk.slice(0, m * d));
                            }
                        }
                        filled[0] = 0;
                    }
                }
            });
        }
    }
}
