package org.scalelab.geometry;

import java.util.Arrays;

/**
 * {@link TrajectoryTangling} of a point set read in blocks ({@link PointBlocks}), for sets too large to hold.
 *
 * <p>Same definition: Q(t) = max_{t'} ‖ẋ_t − ẋ_{t'}‖² / (‖x_t − x_{t'}‖² + ε) over every time t' with a
 * next step, ẋ_t = x_{t+1} − x_t in float32, ε = 0.1 × the total variance of the states unless given
 * (two streamed passes summing in the in-memory order, so the same ε). Up to {@code exactMax} times the
 * rows are held and the in-memory {@link TrajectoryTangling#of} runs. Above it, a seeded simple random
 * sample of times is held and every time is streamed past it once, its state and derivative built from
 * consecutive rows (across block boundaries); each pair's ratio is bounded from sgemm tiles
 * ({@link NeighbourTiles#highestRatios}, {@link Float32Bound} as in memory) and measured exactly in float64 when the
 * bound exceeds the sampled time's current maximum, so each sampled Q(t) is exact, whatever the block size.
 *
 * <p>The summary's aggregates are over the sampled times ({@code times} is their number; each
 * trajectory's mean is over its sampled times, NaN when none was drawn, with that count). The
 * interval is on the mean: normal, from the sample variance of Q(t) with the finite-population
 * correction (Cochran 1977, §2.15), as the sampled silhouette; the median and p90 are the sample's,
 * without an interval.
 */
public final class SampledTangling {
    private SampledTangling() {}

    /** Above this many times tangling is estimated from a sample by default. */
    public static final int DEFAULT_EXACT_MAX = 20_000;
    /** Times sampled by default. */
    public static final int DEFAULT_SAMPLE = 5_000;
    /** What a sampled summary's other numbers are, after its {@link SampledMetric#note}. */
    public static final String SAMPLE_SUMMARY = "median, p90 and the per-trajectory means are the sample's";

    /**
     * The summary, exact (in-memory, {@code arithmetic} as there) up to {@code exactMax} times or when
     * {@code sample} ≥ the number of times, else from {@code sample} times drawn with {@code seed}; null
     * with the reason in {@code reason[0]} when tangling is undefined here. Rows are read in blocks of at most
     * {@code blockRows}.
     */
    public static SampledMetric<TrajectoryTangling.Summary> of(PointBlocks points, Double epsilon, int exactMax, int sample, long seed,
            DistancePrecision arithmetic, int blockRows, String[] reason) {
        long[] starts = points.trajectoryStarts();
        if (starts.length == 0) {
            reason[0] = "no trajectories given (--trajectories FILE.npy with start offsets)";
            return null;
        }
        long n = points.size();
        long m = 0;
        for (int k = 0; k < starts.length; k++) {
            m += Math.max(0, end(starts, k, n) - starts[k] - 1);
        }
        if (m < 2) {
            reason[0] = "tangling needs at least 2 times with a next step, got " + m;
            return null;
        }
        if (m <= exactMax || sample >= m) {
            TrajectoryTangling.Summary s = TrajectoryTangling.of(PointSample.whole(points, blockRows), epsilon, Integer.MAX_VALUE, arithmetic,
                    reason);
            return s == null ? null : SampledMetric.exact(s, m, seed);
        }
        if (sample < 2) {
            reason[0] = m + " times is above the exact limit of " + exactMax + " and the sample size " + sample + " is below 2";
            return null;
        }
        double eps = epsilon != null ? epsilon : TrajectoryTangling.DEFAULT_EPSILON_FRACTION * totalVariance(points, blockRows);
        if (!(eps > 0)) {
            reason[0] = "epsilon must be positive (the states have zero variance?), got " + eps;
            return null;
        }
        int[] picked = PointSample.draw(m, sample, seed, points.source());
        int s = picked.length;
        int d = points.dimension();
        int[] owner = new int[s];
        long timeBase = 0;
        for (int k = 0, p = 0; k < starts.length; k++) {
            long times = Math.max(0, end(starts, k, n) - starts[k] - 1);
            while (p < s && picked[p] < timeBase + times) {
                owner[p++] = k;
            }
            timeBase += times;
        }
        // The sampled times' states and derivatives, gathered in one pass.
        float[] states = new float[Math.multiplyExact(s, d)];
        float[] derivatives = new float[s * d];
        int[] next = {0};
        forEachTimes(points, blockRows, (t0, count, st, dv) -> {
            while (next[0] < s && picked[next[0]] < t0 + count) {
                int j = (int) (picked[next[0]] - t0);
                System.arraycopy(st, j * d, states, next[0] * d, d);
                System.arraycopy(dv, j * d, derivatives, next[0] * d, d);
                next[0]++;
            }
        });
        long[] ids = Arrays.stream(picked).asLongStream().toArray();
        NeighbourTiles stateTiles = NeighbourTiles.float32(states, ids, d, true);
        NeighbourTiles stepTiles = NeighbourTiles.float32(derivatives, ids, d, true);
        double[] q = new double[s];
        forEachTimes(points, blockRows,
                (t0, nj, st, dv) -> NeighbourTiles.highestRatios(stateTiles, stepTiles, st, dv, SampledTwoNN.rowNumbers(t0, nj), nj, eps, q));
        TrajectoryTangling.Summary summary = TrajectoryTangling.summary(q, owner, starts.length, eps);
        Silhouette.Estimate mean = Silhouette.fromSample(q, m, picked);
        return new SampledMetric<>(summary, false, s, m, mean.ciLow(), mean.ciHigh(), seed);
    }

    private static long end(long[] starts, int k, long n) {
        return k + 1 < starts.length ? starts[k + 1] : n;
    }

    /** Receives consecutive times t0 .. t0 + count: their states and derivatives, [count, d] row-major (valid during the call). */
    @FunctionalInterface
    interface TimesVisitor {
        void accept(long t0, int count, float[] states, float[] derivatives);
    }

    /**
     * Every time with a next step, in order, in chunks of at most {@link SampleDistances#TILE}: the state
     * x_t and the float32 derivative x_{t+1} − x_t, built from consecutive rows of one trajectory (the
     * previous block's last row is kept for a time whose next row starts a new block).
     */
    static void forEachTimes(PointBlocks points, int blockRows, TimesVisitor visitor) {
        int d = points.dimension();
        long[] starts = points.trajectoryStarts();
        int tile = SampleDistances.TILE;
        float[] st = new float[tile * d];
        float[] dv = new float[tile * d];
        float[] previous = new float[d];
        int[] fill = {0};
        long[] t0 = {0};
        int[] nextStart = {0};
        points.forEachBlock(blockRows, (first, count, block) -> {
            for (int r = 0; r < count; r++) {
                long g = first + r;
                boolean start = nextStart[0] < starts.length && starts[nextStart[0]] == g;
                if (start) {
                    nextStart[0]++;
                } else if (g > 0) {
                    float[] a = r > 0 ? block : previous;
                    int at = r > 0 ? (r - 1) * d : 0;
                    int to = fill[0] * d;
                    for (int c = 0; c < d; c++) {
                        st[to + c] = a[at + c];
                        dv[to + c] = block[r * d + c] - a[at + c];
                    }
                    if (++fill[0] == tile) {
                        visitor.accept(t0[0], tile, st, dv);
                        t0[0] += tile;
                        fill[0] = 0;
                    }
                }
            }
            if (count > 0) {
                System.arraycopy(block, (count - 1) * d, previous, 0, d);
            }
        });
        if (fill[0] > 0) {
            visitor.accept(t0[0], fill[0], st, dv);
        }
    }

    /** The in-memory {@link TrajectoryTangling#totalVariance} in two streamed passes, summing in the same order. */
    static double totalVariance(PointBlocks points, int blockRows) {
        long n = points.size();
        int d = points.dimension();
        double[] mean = new double[d];
        points.forEachBlock(blockRows, (first, count, block) -> {
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < d; j++) {
                    mean[j] += block[i * d + j];
                }
            }
        });
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] s = {0};
        points.forEachBlock(blockRows, (first, count, block) -> {
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < d; j++) {
                    double v = block[i * d + j] - mean[j];
                    s[0] += v * v;
                }
            }
        });
        return s[0] / (n - 1);
    }
}
