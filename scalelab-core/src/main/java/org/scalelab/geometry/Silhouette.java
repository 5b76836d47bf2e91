package org.scalelab.geometry;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Mean silhouette coefficient (Rousseeuw 1987), defined exactly as
 * {@code sklearn.metrics.silhouette_score(X, labels, metric="euclidean")}: for each point a = mean
 * distance to the other members of its cluster, b = smallest mean distance to another cluster,
 * s = (b − a) / max(a, b); points in singleton clusters (and 0/0 cases) score 0; the score is the
 * mean over all points. It needs 2 ≤ #labels ≤ n − 1.
 *
 * <p>Exact up to {@code exactMax} points: distances come in symmetric blocks ({@link
 * SquaredDistances}), each block adds its rows' sums per label and its columns' sums per label, so
 * every distance is computed once, and several labelings (k-means for each k) share one pass. The
 * blocks arrive on one worker per core, each right after its own single-threaded GEMM; every worker
 * sums into its own arrays, added at the end (at 20,000 × 4,096 float32 this fused pass is ~6 % of
 * the CPU time, the GEMMs ~80 %).
 * Above {@code exactMax}, a seeded simple random sample of points is scored against <em>all</em>
 * points (so each sampled s(i) is exact) and the estimate is their mean, with a normal 95 % interval
 * from the sample variance and the finite-population correction (Cochran 1977, Sampling Techniques, §2.15).
 */
public final class Silhouette {
    private Silhouette() {}

    /** Above this many points the silhouette is estimated from a sample by default. */
    public static final int DEFAULT_EXACT_MAX = 20_000;
    /** Points scored when sampling. */
    public static final int DEFAULT_SAMPLE = 5_000;
    /** Above this size of the per-label sums, one worker sums every block (no per-worker copies). */
    static final long MAX_SUMS_BYTES_PER_WORKER = 256L << 20;

    /**
     * A silhouette value; exact (no interval) or from {@code scored} sampled points with a 95 %
     * interval. {@code scores} holds s(i) of the scored points: every point in order when exact,
     * else the points {@code sampled} (increasing indices).
     */
    public record Estimate(double value, Double ciLow, Double ciHigh, int scored, boolean exact, double[] scores, int[] sampled) {}

    public static MetricValue of(PointSet points) {
        return of(points, DistancePrecision.AUTO);
    }

    /**
     * With {@link DistancePrecision#FLOAT32} (and AUTO, the default) the cross terms of the distances come from sgemm on rows
     * centred on their own cluster's mean (about twice as fast; see {@link #distances}). Always exact.
     */
    public static MetricValue of(PointSet points, DistancePrecision precision) {
        if (!points.hasLabels()) {
            return MetricValue.missing("no labels given (--labels FILE.npy)");
        }
        String[] why = new String[1];
        Estimate[] e = estimate(points, new int[][] {points.labels()}, precision, Integer.MAX_VALUE, 0, 0L, why);
        return e == null ? MetricValue.missing(why[0]) : MetricValue.of(e[0].value());
    }

    /**
     * The silhouette of each labeling of the same points (labels any ints, one per point), sharing the
     * distance pass. Null with the reason in {@code why[0]} when a labeling has fewer than 2 or more
     * than n − 1 distinct labels.
     */
    public static Estimate[] estimate(PointSet points, int[][] labelings, DistancePrecision arithmetic, int exactMax, int sample,
            long seed, String[] why) {
        DistancePrecision precision = arithmetic.forSilhouette();
        int n = points.size();
        int[] ks = new int[labelings.length];
        int[][] codes = codes(labelings, n, ks, why);
        if (codes == null) {
            return null;
        }
        if (n <= exactMax || sample >= n) {
            return exact(points, codes, ks, precision);
        }
        if (sample < 2) {
            why[0] = n + " points is above the exact limit of " + exactMax + " and the sample size " + sample + " is below 2";
            return null;
        }
        return sampled(points, codes, ks, precision, sample, seed);
    }

    /**
     * Each labeling's labels as codes 0 .. k − 1 in order of first appearance, with k in {@code ks[l]};
     * null with the reason in {@code why[0]} when a labeling has fewer than 2 or more than n − 1
     * distinct labels (the silhouette is undefined) or too many to hold per-label sums. Public for
     * engines that sum the distances elsewhere (Spark).
     */
    public static int[][] codes(int[][] labelings, int n, int[] ks, String[] why) {
        return codes(labelings, n, ks, true, why);
    }

    /**
     * As {@link #codes(int[][], int, int[], String[])}; {@code perPointSums} false when the caller
     * holds its per-label sums for a sample of the points only, so that n × k need not fit an array.
     */
    static int[][] codes(int[][] labelings, int n, int[] ks, boolean perPointSums, String[] why) {
        int[][] codes = new int[labelings.length][];
        for (int l = 0; l < labelings.length; l++) {
            if (labelings[l].length != n) {
                throw new IllegalArgumentException(labelings[l].length + " labels for " + n + " points");
            }
            Map<Integer, Integer> index = new HashMap<>();
            codes[l] = new int[n];
            for (int i = 0; i < n; i++) {
                codes[l][i] = index.computeIfAbsent(labelings[l][i], key -> index.size());
            }
            ks[l] = index.size();
            if (ks[l] < 2 || ks[l] > n - 1) {
                why[0] = "silhouette needs between 2 and n − 1 = " + (n - 1) + " distinct labels, got " + ks[l];
                return null;
            }
            if (perPointSums && (long) n * ks[l] > Integer.MAX_VALUE - 8) {
                why[0] = "too many labels (" + ks[l] + ") for " + n + " points to hold per-label sums";
                return null;
            }
        }
        return codes;
    }

    private static Estimate[] exact(PointSet points, int[][] codes, int[] ks, DistancePrecision precision) {
        int n = points.size();
        int nl = codes.length;
        SquaredDistances distances = distances(points, codes, ks, precision);
        long sumsBytes = 0;
        for (int k : ks) {
            sumsBytes += (long) n * k * Double.BYTES;
        }
        if (sumsBytes > MAX_SUMS_BYTES_PER_WORKER) {
            distances.limitWorkers(1); // thousands of labels: one copy of the sums, multithreaded GEMMs
        }
        int[] group = new int[n];
        Arrays.setAll(group, distances::group);
        int workers = distances.workers();
        // Per worker and labeling, [n, k] sums of distances from each point to each label's points:
        // a block adds its rows' sums and its columns' sums (symmetry), so every distance is computed
        // once; workers never share an array, and their sums are added at the end.
        double[][][] partial = new double[workers][nl][];
        for (int w = 0; w < workers; w++) {
            for (int l = 0; l < nl; l++) {
                partial[w][l] = new double[n * ks[l]];
            }
        }
        double[][] rowDistances = new double[workers][distances.blockSize()];
        distances.visitUpperProducts((w, i0, ni, j0, nj, pf, pd, diagonal) -> {
            double[] dist = rowDistances[w];
            for (int i = 0; i < ni; i++) {
                int row = i0 + i;
                int gi = group[row];
                int from = diagonal ? i + 1 : 0; // a diagonal block holds its strict upper triangle
                int base = i * nj;
                for (int j = from; j < nj; j++) {
                    double v = (pf != null ? pf[base + j] : pd[base + j]) + distances.rowTerm(row, group[j0 + j])
                            + distances.columnTerm(j0 + j, gi);
                    dist[j] = v > 0 ? Math.sqrt(v) : 0;
                }
                for (int l = 0; l < nl; l++) {
                    int k = ks[l];
                    int[] label = codes[l];
                    double[] s = partial[w][l];
                    int li = label[row];
                    int own = row * k;
                    for (int j = from; j < nj; j++) {
                        s[own + label[j0 + j]] += dist[j];
                        s[(j0 + j) * k + li] += dist[j];
                    }
                }
            }
        });
        double[][] sums = partial[0];
        for (int w = 1; w < workers; w++) {
            for (int l = 0; l < nl; l++) {
                double[] into = sums[l];
                double[] from = partial[w][l];
                for (int e = 0; e < into.length; e++) {
                    into[e] += from[e];
                }
            }
        }
        Estimate[] out = new Estimate[nl];
        for (int l = 0; l < nl; l++) {
            int[] count = counts(codes[l], ks[l]);
            double total = 0;
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = score(sums[l], i, codes[l][i], count, ks[l]);
                total += scores[i];
            }
            out[l] = new Estimate(total / n, null, null, n, true, scores, null);
        }
        return out;
    }

    private static Estimate[] sampled(PointSet points, int[][] codes, int[] ks, DistancePrecision precision, int s, long seed) {
        int n = points.size();
        int nl = codes.length;
        int[] picked = sample(n, s, seed);
        double[][] sums = new double[nl][];
        for (int l = 0; l < nl; l++) {
            sums[l] = new double[s * ks[l]];
        }
        SquaredDistances distances = distances(points, codes, ks, precision);
        int block = distances.blockSize();
        for (int i0 = 0; i0 < s; i0 += block) {
            int ni = Math.min(block, s - i0);
            for (int j0 = 0; j0 < n; j0 += block) {
                int nj = Math.min(block, n - j0);
                double[] d2 = distances.block(picked, i0, ni, j0, nj);
                int li0 = i0;
                int lj0 = j0;
                IntStream.range(0, ni).parallel().forEach(i -> {
                    int self = picked[li0 + i];
                    int base = i * nj;
                    for (int j = 0; j < nj; j++) {
                        d2[base + j] = lj0 + j == self ? 0 : Math.sqrt(d2[base + j]);
                    }
                    for (int l = 0; l < nl; l++) {
                        int k = ks[l];
                        int row = (li0 + i) * k;
                        for (int j = 0; j < nj; j++) {
                            sums[l][row + codes[l][lj0 + j]] += d2[base + j];
                        }
                    }
                });
            }
        }
        Estimate[] out = new Estimate[nl];
        for (int l = 0; l < nl; l++) {
            int[] count = counts(codes[l], ks[l]);
            double[] v = new double[s];
            for (int i = 0; i < s; i++) {
                v[i] = score(sums[l], i, codes[l][picked[i]], count, ks[l]);
            }
            out[l] = fromSample(v, n, picked);
        }
        return out;
    }

    /**
     * The estimate from the scores {@code v} of the points {@code picked} of n: their mean, with the
     * normal 95 % interval from the sample variance and the finite-population correction.
     * Public for engines that score the sample elsewhere (Spark).
     */
    public static Estimate fromSample(double[] v, long n, int[] picked) {
        int s = v.length;
        double mean = Arrays.stream(v).average().orElse(0);
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / (s - 1) / s) * Math.sqrt(1 - (double) s / n);
        return new Estimate(mean, mean - 1.959964 * se, mean + 1.959964 * se, s, false, v, picked);
    }

    /**
     * The distance blocks for the labelings. Float32 distances centre each row on its own cluster's
     * mean (of the labeling with the most clusters, whose clusters are the tightest): see {@link
     * SquaredDistances}, whose identity keeps the float32 GEMM's error relative to the clusters'
     * spread, so tight clusters far from the data's mean keep sklearn's score to 1e-6. Float64
     * distances centre on the global mean (already exact to ~1e-12).
     */
    private static SquaredDistances distances(PointSet points, int[][] codes, int[] ks, DistancePrecision precision) {
        int finest = 0;
        for (int l = 1; l < codes.length; l++) {
            finest = ks[l] > ks[finest] ? l : finest;
        }
        boolean byCluster = precision == DistancePrecision.FLOAT32;
        return new SquaredDistances(points.buffer(), points.size(), points.dimension(), SquaredDistances.DEFAULT_BLOCK, precision,
                byCluster ? codes[finest] : null, ks[finest]);
    }

    /** s points drawn without replacement (partial Fisher–Yates, seeded), in increasing order. */
    public static int[] sample(int n, int s, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < s; i++) {
            int j = i + r.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = Arrays.copyOf(all, s);
        Arrays.sort(out);
        return out;
    }

    /** Points per code 0 .. k − 1. */
    public static int[] counts(int[] codes, int k) {
        int[] count = new int[k];
        for (int c : codes) {
            count[c]++;
        }
        return count;
    }

    /**
     * s(i) from the row of per-label distance sums ({@code sums[row · k + c]}: the summed distance of
     * the point to the points of code c); singleton clusters score 0, as in scikit-learn.
     */
    public static double score(double[] sums, int row, int li, int[] count, int k) {
        if (count[li] == 1) {
            return 0;
        }
        double a = sums[row * k + li] / (count[li] - 1);
        double b = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            if (c != li) {
                b = Math.min(b, sums[row * k + c] / count[c]);
            }
        }
        double m = Math.max(a, b);
        return m > 0 ? (b - a) / m : 0;
    }
}
