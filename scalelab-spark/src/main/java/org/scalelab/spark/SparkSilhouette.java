package org.scalelab.spark;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.scalelab.InputException;
import org.scalelab.geometry.MetricValue;
import org.scalelab.geometry.NeighbourTiles;
import org.scalelab.geometry.Silhouette;

/**
 * The mean silhouette coefficient exactly as {@link Silhouette} defines it (scikit-learn's
 * {@code silhouette_score} with euclidean distances), as a map/reduce of per-cluster distance sums:
 * query rows are broadcast a chunk at a time, every block adds, for each query row, its distances to
 * the block's rows into one sum per cluster (per labeling: several labelings share the pass), the
 * sums are added across blocks, and s(i) is formed on the driver from them ({@link Silhouette#score}).
 * Each task runs the single machine's kernel ({@link NeighbourTiles#distanceSums}): distances from
 * float64 GEMM tiles (the out-of-core engine's), so the sums agree with the in-memory float64 engine to
 * ~1e-12 relative and with its default float32 engine to its stated 1e-6.
 *
 * <p>Up to {@code exactMax} points every point is scored; above it a seeded sample of points
 * ({@link Silhouette#sample}, the in-memory engine's sample for the same seed) is scored against all
 * points and the estimate carries the in-memory engine's 95 % interval ({@link Silhouette#fromSample}).
 *
 * <p>Not MLlib's {@code ClusteringEvaluator}: its silhouette (default {@code squaredEuclidean})
 * measures a and b with <em>squared</em> euclidean distances, another number than the silhouette of
 * Rousseeuw (1987) with euclidean distances that the in-memory engine and scikit-learn report; and its
 * {@code cosine} measure is another distance again. Its closed form (cluster sums of x and ‖x‖²) is
 * what makes it one pass — euclidean distances have no such form, hence the pairwise pass here.
 */
public final class SparkSilhouette {
    private SparkSilhouette() {}

    /** The exact silhouette of the blocks' own labels (every row labelled), or missing with the reason. */
    public static MetricValue of(JavaRDD<RowBlock> blocks) {
        String[] why = new String[1];
        Silhouette.Estimate e = estimate(blocks, Integer.MAX_VALUE, 0, 0L, why);
        return e == null ? MetricValue.missing(why[0]) : MetricValue.of(e.value());
    }

    /**
     * The silhouette of the blocks' own labels, exact up to {@code exactMax} points, above it from
     * {@code sample} seeded points; null with the reason in {@code why[0]} when a row has no label or
     * the labels do not make 2 to n − 1 clusters.
     */
    public static Silhouette.Estimate estimate(JavaRDD<RowBlock> blocks, int exactMax, int sample, long seed, String[] why) {
        BlockShape shape = BlockShape.of(blocks);
        if (!shape.labelled()) {
            why[0] = "no labels given (rows without a label)";
            return null;
        }
        Silhouette.Estimate[] e = estimate(blocks, new int[][] {labels(blocks, shape.size())}, exactMax, sample, seed, why);
        return e == null ? null : e[0];
    }

    /**
     * The silhouette of each labeling of the group's points (labels any ints, one per row in row
     * order), sharing the distance pass; exact up to {@code exactMax} points, above it from
     * {@code sample} seeded points with a 95 % interval. Null with the reason in {@code why[0]} when a
     * labeling has fewer than 2 or more than n − 1 distinct labels.
     */
    public static Silhouette.Estimate[] estimate(JavaRDD<RowBlock> blocks, int[][] labelings, int exactMax, int sample, long seed,
            String[] why) {
        BlockShape shape = BlockShape.of(blocks);
        int n = shape.size();
        for (int[] l : labelings) {
            if (l.length != n) {
                throw new InputException("a labeling has " + l.length + " labels for the " + n + " rows of group "
                        + InputException.quote(shape.group()));
            }
        }
        int[] ks = new int[labelings.length];
        int[][] codes = Silhouette.codes(labelings, n, ks, why);
        if (codes == null) {
            return null;
        }
        int[] picked = null;
        if (!(n <= exactMax || sample >= n)) {
            if (sample < 2) {
                why[0] = n + " points is above the exact limit of " + exactMax + " and the sample size " + sample + " is below 2";
                return null;
            }
            picked = Silhouette.sample(n, sample, seed);
        }
        double[][] sums = sums(blocks, codes, ks, n, picked, QueryPasses.chunkRows(shape.dimension()));
        Silhouette.Estimate[] out = new Silhouette.Estimate[codes.length];
        for (int l = 0; l < codes.length; l++) {
            int[] count = Silhouette.counts(codes[l], ks[l]);
            int scored = picked == null ? n : picked.length;
            double[] v = new double[scored];
            for (int i = 0; i < scored; i++) {
                v[i] = Silhouette.score(sums[l], i, codes[l][picked == null ? i : picked[i]], count, ks[l]);
            }
            if (picked == null) {
                double total = 0;
                for (double x : v) {
                    total += x;
                }
                out[l] = new Silhouette.Estimate(total / n, null, null, n, true, v, null);
            } else {
                out[l] = Silhouette.fromSample(v, n, picked);
            }
        }
        return out;
    }

    /** The blocks' labels in row order. */
    static int[] labels(JavaRDD<RowBlock> blocks, int n) {
        int[] out = new int[n];
        for (RowBlock b : blocks.collect()) {
            System.arraycopy(b.label(), 0, out, (int) b.firstRow(), b.count());
        }
        return out;
    }

    /**
     * Per labeling, [scored, k] sums of the distances of each scored point (every row, or the rows
     * {@code picked}, ascending) to each code's points.
     */
    static double[][] sums(JavaRDD<RowBlock> blocks, int[][] codes, int[] ks, int n, int[] picked, int chunkRows) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<int[][]> labelCodes = sc.broadcast(codes);
        JavaRDD<IndexedRows> data = QueryPasses.cached(blocks.map(IndexedRows::of));
        try {
            int scored = picked == null ? n : picked.length;
            double[][] sums = new double[codes.length][];
            for (int l = 0; l < codes.length; l++) {
                sums[l] = new double[scored * ks[l]];
            }
            long[] selected = picked == null ? null : Arrays.stream(picked).asLongStream().toArray();
            int[] k = ks.clone();
            QueryPasses.forEachChunk(data, selected, chunkRows, chunk -> {
                double[][] part = QueryPasses.pass(data, chunk, (q, b) -> clusterSums(q, b, labelCodes.value(), k), SparkSilhouette::add);
                for (int q = 0; q < chunk.count(); q++) {
                    long id = chunk.ids()[q];
                    int at = selected == null ? (int) id : Arrays.binarySearch(selected, id);
                    for (int l = 0; l < codes.length; l++) {
                        System.arraycopy(part[l], q * k[l], sums[l], at * k[l], k[l]);
                    }
                }
            });
            return sums;
        } finally {
            data.unpersist(false);
            labelCodes.destroy();
        }
    }

    /**
     * Per labeling, [queries, k] sums of the query rows' distances to the block's rows of each code: the
     * single machine's kernel ({@link NeighbourTiles#distanceSums}, float64 GEMM tiles).
     */
    static double[][] clusterSums(IndexedRows queries, IndexedRows block, int[][] codes, int[] ks) {
        double[][] out = new double[codes.length][];
        for (int l = 0; l < codes.length; l++) {
            out[l] = new double[queries.count() * ks[l]];
        }
        if (block.count() > 0) {
            NeighbourTiles.float64(queries.values(), queries.ids(), queries.width(), false).distanceSums(block.values(), block.ids(),
                    block.count(), codes, ks, out);
        }
        return out;
    }

    /** Element-wise a += b (into {@code a}). */
    static double[][] add(double[][] a, double[][] b) {
        for (int l = 0; l < a.length; l++) {
            for (int e = 0; e < a[l].length; e++) {
                a[l][e] += b[l][e];
            }
        }
        return a;
    }
}
