package org.scalelab.spark;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.scalelab.InputException;
import org.scalelab.geometry.MetricValue;
import org.scalelab.geometry.NeighbourTiles;
import org.scalelab.geometry.SampledMetric;
import org.scalelab.geometry.SampledTwoNN;
import org.scalelab.geometry.Silhouette;
import org.scalelab.geometry.TwoNN;

/**
 * TwoNN intrinsic dimension ({@link TwoNN}: Facco et al. 2017, scikit-dimension's fit) as a blocked
 * nearest-neighbour job: the query rows are broadcast a chunk at a time, every block of the group
 * finds each query row's two nearest rows among its own (the row itself left out), and the
 * per-block pairs are reduced to the global two. Each task runs the single machine's kernel
 * ({@link NeighbourTiles#nearestTwo}): float32 GEMM tiles of its block against the chunk, and the rows
 * whose float32 distance, less its error bound, could be among a query row's nearest two measured
 * exactly. So r1², r2² are Σ (x_c − y_c)² in float64 over the float32 rows — the arithmetic the
 * in-memory engine measures its nearest candidates with — and μ = r2/r1 and the fit are the in-memory
 * engine's to the last bit whenever that engine's candidate search found the true neighbours (its
 * guarantee). A point with an exact duplicate has r1 = 0 and is left out, as there.
 *
 * <p>Above {@code exactMax} points, μ is measured for a seeded simple random sample of query points
 * ({@link Silhouette#sample}: the points the out-of-core engine draws for the same seed) against
 * <em>all</em> points, so each sampled μ is exact, and the same line is fitted to the sampled ratios,
 * with {@link SampledTwoNN}'s interval.
 *
 * <p>Cost: n × q distances for q query rows (q = n when exact), as float32 GEMM (2 n q d flops) plus a
 * few float64 candidates per query row and block; the data read once per chunk of query rows (cached
 * for the job).
 */
public final class SparkTwoNN {
    private SparkTwoNN() {}

    /** Exact TwoNN of one group's blocks (every point a query), discarding {@code discardFraction} of the largest ratios. */
    public static MetricValue of(JavaRDD<RowBlock> blocks, double discardFraction) {
        return of(blocks, Integer.MAX_VALUE, 0, 0L, discardFraction).result();
    }

    /**
     * TwoNN as the out-of-core engine defines it ({@link SampledTwoNN}): exact up to {@code exactMax}
     * points (or when {@code sample} ≥ n), above it from {@code sample} query points drawn with
     * {@code seed} and measured against all points, with the bootstrap interval of the sampled ratios
     * ({@link SampledTwoNN#bootstrapError}) times the finite-population correction.
     */
    public static SampledMetric<MetricValue> of(JavaRDD<RowBlock> blocks, int exactMax, int sample, long seed, double discardFraction) {
        checkDiscard(discardFraction);
        BlockShape shape = BlockShape.of(blocks);
        int n = shape.size();
        if (n < 3) {
            return new SampledMetric<>(MetricValue.missing("TwoNN needs at least 3 points, got " + n), true, n, n, null, null, seed);
        }
        int chunk = QueryPasses.chunkRows(shape.dimension());
        if (n <= exactMax || sample >= n) {
            return new SampledMetric<>(TwoNN.estimate(ratios(blocks, n, null, chunk), discardFraction), true, n, n, null, null, seed);
        }
        if (sample < 3) {
            return new SampledMetric<>(MetricValue.missing(n + " points is above the exact limit of " + exactMax
                    + " and the sample size " + sample + " is below 3"), true, n, n, null, null, seed);
        }
        long[] queries = Arrays.stream(Silhouette.sample(n, sample, seed)).asLongStream().toArray();
        double[] mu = ratios(blocks, n, queries, chunk);
        MetricValue value = TwoNN.estimate(mu.clone(), discardFraction);
        if (!value.present()) {
            return new SampledMetric<>(value, false, sample, n, null, null, seed);
        }
        double se = SampledTwoNN.bootstrapError(mu, discardFraction, seed) * Math.sqrt(1 - (double) sample / n);
        return new SampledMetric<>(value, false, sample, n, value.value() - 1.959964 * se, value.value() + 1.959964 * se, seed);
    }

    private static void checkDiscard(double discardFraction) {
        if (!(discardFraction >= 0 && discardFraction < 1)) {
            throw new InputException("TwoNN discard fraction must be in [0, 1), got " + discardFraction);
        }
    }

    /**
     * μ = r2/r1 of each query row ({@code queries} ascending; null: each of the n rows, in row order),
     * NaN for a row with an exact duplicate; {@code chunkRows} query rows are broadcast at a time.
     */
    static double[] ratios(JavaRDD<RowBlock> blocks, int n, long[] queries, int chunkRows) {
        JavaRDD<IndexedRows> data = QueryPasses.cached(blocks.map(IndexedRows::of));
        try {
            long[] rows = queries;
            double[] mu = new double[rows == null ? n : rows.length];
            QueryPasses.forEachChunk(data, rows, chunkRows, chunk -> {
                double[] nearest = QueryPasses.pass(data, chunk, SparkTwoNN::nearestTwo, SparkTwoNN::merge);
                for (int q = 0; q < chunk.count(); q++) {
                    long id = chunk.ids()[q];
                    int at = rows == null ? (int) id : Arrays.binarySearch(rows, id);
                    double r1 = nearest[2 * q];
                    double r2 = nearest[2 * q + 1];
                    mu[at] = r1 > 0 ? Math.sqrt(r2 / r1) : Double.NaN;
                }
            });
            return mu;
        } finally {
            data.unpersist(false);
        }
    }

    /**
     * {r1², r2²} of each query row among the block's rows, [2 · queries]; the query row itself is left
     * out. The single machine's kernel ({@link NeighbourTiles#nearestTwo}): float32 GEMM tiles, the rows
     * that could be among the nearest two by the float32 error bound measured in float64 — so the same
     * bits as a float64 loop over every pair.
     */
    static double[] nearestTwo(IndexedRows queries, IndexedRows block) {
        int nq = queries.count();
        double[] r1 = new double[nq];
        double[] r2 = new double[nq];
        Arrays.fill(r1, Double.POSITIVE_INFINITY);
        Arrays.fill(r2, Double.POSITIVE_INFINITY);
        if (block.count() > 0) {
            NeighbourTiles.float32(queries.values(), queries.ids(), queries.width(), false).nearestTwo(block.values(), block.ids(),
                    block.count(), r1, r2);
        }
        double[] out = new double[2 * nq];
        for (int q = 0; q < nq; q++) {
            out[2 * q] = r1[q];
            out[2 * q + 1] = r2[q];
        }
        return out;
    }

    /** The two smallest of two pairs {r1, r2} per query row (into {@code a}). */
    static double[] merge(double[] a, double[] b) {
        for (int q = 0; q < a.length; q += 2) {
            double lo = Math.min(a[q], b[q]);
            double hi = Math.min(Math.max(a[q], b[q]), Math.min(a[q + 1], b[q + 1]));
            a[q] = lo;
            a[q + 1] = hi;
        }
        return a;
    }
}
