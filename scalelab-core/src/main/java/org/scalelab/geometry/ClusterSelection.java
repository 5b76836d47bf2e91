package org.scalelab.geometry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Unsupervised cluster structure: k-means ({@link KMeans}, best of 3 seeds) for every k in a range, each scored by
 * its silhouette ({@link Silhouette}, one shared distance pass for all k), and the k with the
 * highest silhouette kept — the usual "silhouette method" of choosing k (Rousseeuw 1987, §4;
 * Kaufman &amp; Rousseeuw 1990, ch. 2).
 *
 * @param k          the chosen number of clusters
 * @param silhouette its silhouette (with a 95 % interval when sampled)
 * @param byK        silhouette of every k tried
 * @param labels     the chosen clustering, one label per point
 */
public record ClusterSelection(int k, Silhouette.Estimate silhouette, Map<Integer, Double> byK, int[] labels) {

    /** k-means seeds tried per k (lowest inertia kept). */
    public static final int RESTARTS = 3;

    /** Range of k and the silhouette's exact/sampled regime. */
    public record Options(int kMin, int kMax, int exactMax, int sample, DistancePrecision distances, long seed) {
        public Options {
            if (kMin < 2 || kMax < kMin) {
                throw new org.scalelab.InputException("k range must satisfy 2 ≤ k-min ≤ k-max, got " + kMin + ".." + kMax);
            }
            if (exactMax < 2 || sample < 2) {
                throw new org.scalelab.InputException("silhouette exact limit and sample size must be at least 2, got " + exactMax + ", " + sample);
            }
        }

        public static Options defaults() {
            return new Options(2, 8, Silhouette.DEFAULT_EXACT_MAX, Silhouette.DEFAULT_SAMPLE, DistancePrecision.AUTO, 0L);
        }
    }

    /** The best k, or null with the reason in {@code why[0]} (fewer than 3 distinct points, ...). */
    public static ClusterSelection of(PointSet p, Options o, String[] why) {
        int n = p.size();
        int kMax = Math.min(o.kMax(), n - 1);
        if (kMax < o.kMin()) {
            why[0] = "k-means silhouette needs at least " + (o.kMin() + 1) + " points for k = " + o.kMin() + ", got " + n;
            return null;
        }
        int[][] labelings = new int[kMax - o.kMin() + 1][];
        for (int k = o.kMin(); k <= kMax; k++) {
            // Three k-means++ seeds per k, lowest inertia kept: one unlucky seeding (two blobs merged)
            // would otherwise lower that k's silhouette and could change the chosen k.
            labelings[k - o.kMin()] = KMeans.fit(p, k, o.seed() + k, new KMeans.Options(300, 1e-4, RESTARTS)).labels();
        }
        Silhouette.Estimate[] s = Silhouette.estimate(p, labelings, o.distances(), o.exactMax(), o.sample(), o.seed(), why);
        return best(s, labelings, o, why);
    }

    /**
     * The same selection over points read in blocks: up to {@code o.exactMax()} points the rows are held
     * and {@link #of(PointSet, Options, String[])} runs (the same result); above it each k's clustering
     * is {@link StreamedKMeans} (the in-memory fit, streamed; all k share their reads) and the silhouettes
     * of all k come from one sampled pass ({@link SampledSilhouette}).
     */
    public static ClusterSelection of(PointBlocks points, Options o, int blockRows, String[] why) {
        long size = points.size();
        if (size <= o.exactMax() || o.sample() >= size) {
            return of(PointSample.whole(points, blockRows), o, why);
        }
        int n = (int) Math.min(size, Integer.MAX_VALUE);
        int kMax = Math.min(o.kMax(), n - 1);
        if (kMax < o.kMin()) {
            why[0] = "k-means silhouette needs at least " + (o.kMin() + 1) + " points for k = " + o.kMin() + ", got " + n;
            return null;
        }
        int[] ks = new int[kMax - o.kMin() + 1];
        long[] seeds = new long[ks.length];
        for (int k = o.kMin(); k <= kMax; k++) {
            ks[k - o.kMin()] = k;
            seeds[k - o.kMin()] = o.seed() + k;
        }
        KMeans.Fit[] fits = StreamedKMeans.fitAll(points, ks, seeds, new KMeans.Options(300, 1e-4, RESTARTS), blockRows);
        int[][] labelings = new int[ks.length][];
        for (int i = 0; i < ks.length; i++) {
            labelings[i] = fits[i].labels();
        }
        Silhouette.Estimate[] s = SampledSilhouette.estimate(points, labelings, o.distances(), o.exactMax(), o.sample(), o.seed(), blockRows, why);
        return best(s, labelings, o, why);
    }

    private static ClusterSelection best(Silhouette.Estimate[] s, int[][] labelings, Options o, String[] why) {
        if (s == null) {
            why[0] = "k-means found fewer distinct clusters than asked (identical points?): " + why[0];
            return null;
        }
        int best = 0;
        Map<Integer, Double> byK = new LinkedHashMap<>();
        for (int i = 0; i < s.length; i++) {
            byK.put(o.kMin() + i, s[i].value());
            if (s[i].value() > s[best].value()) {
                best = i;
            }
        }
        return new ClusterSelection(o.kMin() + best, s[best], byK, labelings[best]);
    }
}
