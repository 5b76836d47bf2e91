package org.scalelab.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.scalelab.InputException;
import org.scalelab.geometry.NeighbourTiles;
import org.scalelab.geometry.SampledMetric;
import org.scalelab.geometry.SampledTangling;
import org.scalelab.geometry.Silhouette;
import org.scalelab.geometry.TrajectoryTangling;

/**
 * Trajectory tangling exactly as {@link TrajectoryTangling} defines it (Russo et al. 2018):
 * Q(t) = max over every other time t' of ‖ẋ_t − ẋ_t'‖² / (‖x_t − x_t'‖² + ε), ẋ_t = x_{t+1} − x_t
 * (float32, as in memory), over the times that have a next step in their trajectory; ε defaults to
 * 0.1 × the total variance of all states. As a blocked job: the times (state and derivative side by
 * side) are built block by block — a block's last row takes its successor from the first row of the
 * next block, collected once — then the times are broadcast a chunk at a time and every block of times
 * returns each query time's largest ratio among its own, reduced by the maximum. Each task runs the
 * single machine's kernel ({@link NeighbourTiles#highestRatios}): float32 GEMM tiles with their error
 * bound, the pairs whose ratio could beat a time's current largest measured exactly — both squared
 * distances Σ (a_c − b_c)² in float64 over the float32 rows, the arithmetic in which the in-memory
 * engine measures each time's best candidates, so Q(t) has the same bits there.
 *
 * <p>Cost: m × q pairs of two d-column distances for m times and q query times (q = m when exact), as
 * float32 GEMM plus the few pairs measured in float64, as in memory; the exact form above {@code maxTimes} is null with the in-memory engine's reason, the
 * sampled form scores a seeded sample of times against all of them.
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
        SampledMetric<TrajectoryTangling.Summary> s = run(blocks, epsilon, maxTimes, Integer.MAX_VALUE, 0, 0L, reason, chunkRows);
        return s == null ? null : s.result();
    }

    /**
     * Tangling as the out-of-core engine defines it ({@link SampledTangling}): exact up to
     * {@code exactMax} times (or when {@code sample} ≥ the number of times); above it, Q(t) of
     * {@code sample} times drawn with {@code seed} ({@link Silhouette#sample} over the times in row
     * order: the same times for the same seed), each against all times, the summary over the sampled
     * times and a 95 % interval on the mean ({@link Silhouette#fromSample}). Null with the reason in
     * {@code reason[0]} when tangling is undefined here.
     */
    public static SampledMetric<TrajectoryTangling.Summary> of(JavaRDD<RowBlock> blocks, Double epsilon, int exactMax, int sample, long seed,
            String[] reason) {
        return run(blocks, epsilon, Integer.MAX_VALUE, exactMax, sample, seed, reason, 0);
    }

    /**
     * The streamed single machine's rule ({@code StreamedGeometry}): null with the in-memory engine's reason
     * above {@code maxTimes} times; below it exact up to {@code exactMax} times, a seeded sample of
     * {@code sample} times above, as {@link #of(JavaRDD, Double, int, int, long, String[])}.
     */
    public static SampledMetric<TrajectoryTangling.Summary> of(JavaRDD<RowBlock> blocks, Double epsilon, int maxTimes, int exactMax, int sample,
            long seed, String[] reason) {
        return run(blocks, epsilon, maxTimes, exactMax, sample, seed, reason, 0);
    }

    private static SampledMetric<TrajectoryTangling.Summary> run(JavaRDD<RowBlock> blocks, Double epsilon, int maxTimes, int exactMax, int sample,
            long seed, String[] reason, int chunkRows) {
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
            boolean exact = m <= exactMax || sample >= m;
            if (!exact && sample < 2) {
                reason[0] = m + " times is above the exact limit of " + exactMax + " and the sample size " + sample + " is below 2";
                return null;
            }
            if (m > Integer.MAX_VALUE - 8) {
                throw new InputException("group " + InputException.quote(shape.group()) + " has " + m + " times, above the "
                        + (Integer.MAX_VALUE - 8) + " tangling indexes; analyse the trajectories in several groups");
            }
            double eps = epsilon != null ? epsilon : TrajectoryTangling.DEFAULT_EPSILON_FRACTION * totalVariance(blocks, shape);
            if (!(eps > 0)) {
                reason[0] = "epsilon must be positive (the states have zero variance?), got " + eps;
                return null;
            }
            int[] picked = null;
            long[] selected = null;
            if (!exact) {
                long[] timeRows = times.map(IndexedRows::ids).collect().stream().flatMapToLong(Arrays::stream).sorted().toArray();
                picked = Silhouette.sample((int) m, sample, seed);
                selected = new long[picked.length];
                for (int i = 0; i < picked.length; i++) {
                    selected[i] = timeRows[picked[i]];
                }
            }
            int scored = exact ? (int) m : picked.length;
            long[] ids = new long[scored];
            int[] owner = new int[scored];
            double[] q = new double[scored];
            int[] filled = {0};
            double e = eps;
            QueryPasses.forEachChunk(times, selected, chunkRows > 0 ? chunkRows : QueryPasses.chunkRows(2 * d), chunk -> {
                double[] best = QueryPasses.pass(times, chunk, (qs, b) -> highestRatios(qs, b, e), SparkTangling::max);
                for (int i = 0; i < chunk.count(); i++) {
                    ids[filled[0]] = chunk.ids()[i];
                    owner[filled[0]] = chunk.tags()[i];
                    q[filled[0]] = best[i];
                    filled[0]++;
                }
            });
            // Times in row order, as the in-memory engine lists them (and as the sample is drawn).
            Integer[] order = new Integer[scored];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
            double[] qs = new double[scored];
            int[] owners = new int[scored];
            for (int i = 0; i < scored; i++) {
                qs[i] = q[order[i]];
                owners[i] = owner[order[i]];
            }
            TrajectoryTangling.Summary summary = TrajectoryTangling.summary(qs, owners, shape.trajectories(), eps);
            if (exact) {
                return new SampledMetric<>(summary, true, scored, m, null, null, seed);
            }
            Silhouette.Estimate mean = Silhouette.fromSample(qs, m, picked);
            return new SampledMetric<>(summary, false, scored, m, mean.ciLow(), mean.ciHigh(), seed);
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

    /**
     * Each query time's largest ratio against the block's times (0 when none), the time itself left out:
     * the single machine's kernel ({@link NeighbourTiles#highestRatios}), float32 GEMM tiles of the states
     * and of the steps with their error bounds, the pairs whose ratio could exceed the time's current
     * largest measured in float64 — the same bits as a float64 loop over every pair.
     */
    static double[] highestRatios(IndexedRows queries, IndexedRows block, double eps) {
        int d = queries.width() / 2;
        double[] out = new double[queries.count()];
        if (block.count() == 0) {
            return out;
        }
        NeighbourTiles states = NeighbourTiles.float32(half(queries, 0), queries.ids(), d, false);
        NeighbourTiles steps = NeighbourTiles.float32(half(queries, d), queries.ids(), d, false);
        NeighbourTiles.highestRatios(states, steps, half(block, 0), half(block, d), block.ids(), block.count(), eps, out);
        return out;
    }

    /** The states (from 0) or the steps (from d) of [state | step] rows, [count, d]. */
    private static float[] half(IndexedRows times, int from) {
        int w = times.width();
        int d = w / 2;
        float[] out = new float[times.count() * d];
        for (int i = 0; i < times.count(); i++) {
            System.arraycopy(times.values(), i * w + from, out, i * d, d);
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
        double[] mean = RowBlock.columnMeans(blocks, d, n);
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
}
