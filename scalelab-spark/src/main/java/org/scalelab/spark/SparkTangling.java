package org.scalelab.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.scalelab.geometry.TrajectoryTangling;

/**
 * Trajectory tangling exactly as {@link TrajectoryTangling} defines it (Russo et al. 2018):
 * Q(t) = max over every other time t' of ‖ẋ_t − ẋ_t'‖² / (‖x_t − x_t'‖² + ε), ẋ_t = x_{t+1} − x_t
 * (float32, as in memory), over the times that have a next step in their trajectory; ε defaults to
 * 0.1 × the total variance of all states. As a blocked job: the times (state and derivative side by
 * side) are built block by block — a block's last row takes its successor from the first row of the
 * next block, collected once — then the times are broadcast a chunk at a time and every block of times
 * returns each query time's largest ratio among its own, reduced by the maximum. Both squared
 * distances are Σ (a_c − b_c)² in float64 over the float32 rows, the arithmetic in which the in-memory
 * engine measures each time's best candidates, so Q(t) has the same bits there.
 *
 * <p>Cost: m² pairs of two d-column distances for m times, as in memory; above {@code maxTimes} the
 * summary is null with the in-memory engine's reason.
 */
public final class SparkTangling {
    private SparkTangling() {}

    /**
     * The tangling summary of one group's blocks (ε null: 0.1 × the states' total variance), or null
     * with the reason in {@code reason[0]}; above {@code maxTimes} times, null with a reason, as in memory.
     */
    public static TrajectoryTangling.Summary of(JavaRDD<RowBlock> blocks, Double epsilon, int maxTimes, String[] reason) {
        return of(blocks, epsilon, maxTimes, reason, 0);
    }

    /** As above with {@code chunkRows} query times broadcast at a time (0: by their width). */
    static TrajectoryTangling.Summary of(JavaRDD<RowBlock> blocks, Double epsilon, int maxTimes, String[] reason, int chunkRows) {
        BlockShape shape = BlockShape.of(blocks);
        if (shape.trajectories() == 0) {
            reason[0] = "no trajectories given (no row belongs to a trajectory)";
            return null;
        }
        int d = shape.dimension();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.context());
        Map<Long, Head> heads = new HashMap<>();
        for (Head h : blocks.map(SparkTangling::head).collect()) {
            heads.put(h.row(), h);
        }
        Broadcast<Map<Long, Head>> next = sc.broadcast(heads);
        JavaRDD<IndexedRows> times = QueryPasses.cached(blocks.map(b -> times(b, next.value())));
        try {
            long m = times.map(t -> (long) t.count()).fold(0L, Long::sum);
            if (m < 2) {
                reason[0] = "tangling needs at least 2 times with a next step, got " + m;
                return null;
            }
            if (m > maxTimes) {
                reason[0] = "tangling compares all " + m + " times pairwise, above the limit of " + maxTimes
                        + "; raise it (--tangling-max-times) or analyse fewer trajectories";
                return null;
            }
            double eps = epsilon != null ? epsilon : TrajectoryTangling.DEFAULT_EPSILON_FRACTION * totalVariance(blocks, shape);
            if (!(eps > 0)) {
                reason[0] = "epsilon must be positive (the states have zero variance?), got " + eps;
                return null;
            }
            long[] ids = new long[(int) m];
            int[] owner = new int[(int) m];
            double[] q = new double[(int) m];
            int[] filled = {0};
            double e = eps;
            QueryPasses.forEachChunk(times, null, chunkRows > 0 ? chunkRows : QueryPasses.chunkRows(2 * d), chunk -> {
                double[] best = QueryPasses.pass(times, chunk, (qs, b) -> highestRatios(qs, b, e), SparkTangling::max);
                for (int i = 0; i < chunk.count(); i++) {
                    ids[filled[0]] = chunk.ids()[i];
                    owner[filled[0]] = chunk.tags()[i];
                    q[filled[0]] = best[i];
                    filled[0]++;
                }
            });
            // Times in row order, as the in-memory engine lists them.
            Integer[] order = new Integer[(int) m];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
            double[] qs = new double[(int) m];
            int[] owners = new int[(int) m];
            for (int i = 0; i < m; i++) {
                qs[i] = q[order[i]];
                owners[i] = owner[order[i]];
            }
            return TrajectoryTangling.summary(qs, owners, shape.trajectories(), eps);
        } finally {
            times.unpersist(false);
            next.destroy();
        }
    }

    /** A block's first row and its trajectory: the successor of the previous block's last row. */
    record Head(long row, int trajectory, float[] values) implements Serializable {}

    static Head head(RowBlock b) {
        return new Head(b.firstRow(), b.count() == 0 ? -1 : b.trajectory()[0], Arrays.copyOf(b.rows(), b.count() == 0 ? 0 : b.dimension()));
    }

    /**
     * The block's times: rows whose next row is in the same trajectory (the block's last row looks its
     * successor up in {@code heads}), as [state | derivative] rows of width 2d, tagged with their trajectory.
     */
    static IndexedRows times(RowBlock b, Map<Long, Head> heads) {
        int d = b.dimension();
        int c = b.count();
        long[] ids = new long[c];
        int[] tags = new int[c];
        float[] values = new float[c * 2 * d];
        int m = 0;
        for (int i = 0; i < c; i++) {
            int t = b.trajectory()[i];
            if (t < 0) {
                continue;
            }
            float[] nextRows;
            int nextAt;
            if (i + 1 < c) {
                if (b.trajectory()[i + 1] != t) {
                    continue;
                }
                nextRows = b.rows();
                nextAt = (i + 1) * d;
            } else {
                Head h = heads.get(b.firstRow() + c);
                if (h == null || h.trajectory() != t) {
                    continue;
                }
                nextRows = h.values();
                nextAt = 0;
            }
            ids[m] = b.firstRow() + i;
            tags[m] = t;
            int at = m * 2 * d;
            for (int j = 0; j < d; j++) {
                float x = b.rows()[i * d + j];
                values[at + j] = x;
                values[at + d + j] = nextRows[nextAt + j] - x;
            }
            m++;
        }
        return new IndexedRows(Arrays.copyOf(ids, m), Arrays.copyOf(tags, m), 2 * d, Arrays.copyOf(values, m * 2 * d));
    }

    /** Each query time's largest ratio against the block's times (0 when none), the time itself left out. */
    static double[] highestRatios(IndexedRows queries, IndexedRows block, double eps) {
        int d = queries.width() / 2;
        int w = queries.width();
        double[] out = new double[queries.count()];
        float[] a = queries.values();
        float[] b = block.values();
        for (int q = 0; q < queries.count(); q++) {
            long self = queries.ids()[q];
            double top = 0;
            for (int j = 0; j < block.count(); j++) {
                if (block.ids()[j] == self) {
                    continue;
                }
                // ‖Δx‖² and ‖Δẋ‖² column by column in float64, as the in-memory engine's exact ratio.
                double ds = 0;
                double dv = 0;
                for (int c = 0; c < d; c++) {
                    double x = (double) a[q * w + c] - b[j * w + c];
                    double v = (double) a[q * w + d + c] - b[j * w + d + c];
                    ds += x * x;
                    dv += v * v;
                }
                top = Math.max(top, dv / (ds + eps));
            }
            out[q] = top;
        }
        return out;
    }

    static double[] max(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(a[i], b[i]);
        }
        return a;
    }

    /**
     * Σ_j var(x_j) = Σ_i ‖x_i − x̄‖² / (n − 1) over every row (the in-memory engine's two passes: the
     * mean, then the centred squares), each pass a tree reduction of per-block float64 sums.
     */
    static double totalVariance(JavaRDD<RowBlock> blocks, BlockShape shape) {
        int d = shape.dimension();
        long n = shape.rows();
        double[] sum = blocks.map(b -> {
            double[] s = new double[d];
            for (int i = 0; i < b.count(); i++) {
                for (int j = 0; j < d; j++) {
                    s[j] += b.rows()[i * d + j];
                }
            }
            return s;
        }).treeReduce(SparkTangling::plus);
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = sum[j] / n;
        }
        double squares = blocks.map(b -> {
            double s = 0;
            for (int i = 0; i < b.count(); i++) {
                for (int j = 0; j < d; j++) {
                    double v = b.rows()[i * d + j] - mean[j];
                    s += v * v;
                }
            }
            return s;
        }).treeReduce(Double::sum);
        return squares / (n - 1);
    }

    private static double[] plus(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }
}
