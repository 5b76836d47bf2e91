package org.scalelab.geometry;

import java.util.Arrays;

/**
 * {@link Silhouette} of a point set read in blocks ({@link PointBlocks}), for sets too large to hold.
 *
 * <p>Up to {@code exactMax} points the rows are held and the in-memory {@link Silhouette#estimate}
 * runs: the same estimates. Above it, the in-memory engine's own sample ({@link Silhouette#sample},
 * same seed, same points) is held and every point is streamed past it once: each sampled point's
 * distances to all points come in float64 tiles ({@link NeighbourTiles#distanceSums}, dgemm) and are summed per
 * cluster, so each sampled s(i) is exact (to ~1e-12, the float64 Gram form's rounding) and the
 * estimate is their mean with the in-memory engine's interval (normal, from the sample variance, with
 * the finite-population correction; {@link Silhouette#fromSample}). Several labelings (k-means for
 * each k) share the pass. Held: the sample's rows (float32 and a float64 centred copy, 12 bytes a
 * value) and one label per point per labeling.
 */
public final class SampledSilhouette {
    private SampledSilhouette() {}

    /**
     * The silhouette of each labeling (labels any ints, one per point); null with the reason in
     * {@code why[0]} when a labeling has fewer than 2 or more than n − 1 distinct labels, as in memory.
     * {@code arithmetic} is the exact path's ({@link Silhouette#estimate}); the sampled path is float64.
     */
    public static Silhouette.Estimate[] estimate(PointBlocks points, int[][] labelings, DistancePrecision arithmetic, int exactMax,
            int sample, long seed, int blockRows, String[] why) {
        long size = points.size();
        if (size <= exactMax || sample >= size) {
            return Silhouette.estimate(PointSample.whole(points, blockRows), labelings, arithmetic, Integer.MAX_VALUE, 0, seed, why);
        }
        int n = (int) Math.min(size, Integer.MAX_VALUE);
        int nl = labelings.length;
        int[] ks = new int[nl];
        int[][] codes = Silhouette.codes(labelings, n, ks, false, why);
        if (codes == null) {
            return null;
        }
        if (sample < 2) {
            why[0] = n + " points is above the exact limit of " + exactMax + " and the sample size " + sample + " is below 2";
            return null;
        }
        int[] picked = PointSample.draw(n, sample, seed, points.source());
        int s = picked.length;
        int d = points.dimension();
        double[][] sums = new double[nl][];
        for (int l = 0; l < nl; l++) {
            sums[l] = new double[Math.multiplyExact(s, ks[l])];
        }
        NeighbourTiles tiles = NeighbourTiles.float64(PointSample.of(points, picked, blockRows).values,
                Arrays.stream(picked).asLongStream().toArray(), d, true);
        points.forEachBlock(blockRows,
                (first, count, block) -> tiles.distanceSums(block, SampledTwoNN.rowNumbers(first, count), count, codes, ks, sums));
        Silhouette.Estimate[] out = new Silhouette.Estimate[nl];
        for (int l = 0; l < nl; l++) {
            int[] count = Silhouette.counts(codes[l], ks[l]);
            double[] v = new double[s];
            for (int i = 0; i < s; i++) {
                v[i] = Silhouette.score(sums[l], i, codes[l][picked[i]], count, ks[l]);
            }
            out[l] = Silhouette.fromSample(v, n, picked);
        }
        return out;
    }

    /** The silhouette of the points' own labels ({@link PointBlocks#labels()}); missing without labels. */
    public static Silhouette.Estimate estimate(PointBlocks points, DistancePrecision arithmetic, int exactMax, int sample, long seed,
            int blockRows, String[] why) {
        int[] labels = points.labels();
        if (labels == null) {
            why[0] = "no labels given (--labels FILE.npy)";
            return null;
        }
        Silhouette.Estimate[] e = estimate(points, new int[][] {labels}, arithmetic, exactMax, sample, seed, blockRows, why);
        return e == null ? null : e[0];
    }
}
