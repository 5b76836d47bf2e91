package org.scalelab.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.scalelab.InputException;
import org.scalelab.geometry.ClusterSelection;
import org.scalelab.geometry.KMeans;
import org.scalelab.geometry.NeighbourTiles;
import org.scalelab.geometry.Silhouette;

/**
 * k-means exactly as {@link KMeans} defines it — greedy k-means++ seeding from the same random stream
 * (so the same seed picks the same rows), Lloyd passes stopping when no label changes or the summed
 * squared centre shift is at most tolerance × the mean per-feature variance, an empty cluster taking the
 * point farthest from its centre, the best inertia of the restarts — as map/reduce passes: each
 * seeding step and each Lloyd pass is one job over the blocks with the centres broadcast, the blocks
 * returning their labels and per-cluster sums. Rows are centred on the mean and held as float32 as in
 * memory; each row's nearest centre comes from the single machine's float32 GEMM tiles with their
 * error bound, the centres that could be nearest measured exactly ({@link NeighbourTiles#nearest}), so
 * labels and distances are those of Σ (x_c − c_c)² in float64 over every pair (the first centre wins
 * ties), as in memory, so the two engines find the same labels unless a row lies within rounding of a tie:
 * the mean, the cluster sums and the seeding potentials are float64 sums added in another order (blocks
 * here, chunks there), which can move a centred value or a centroid by one float32 ulp.
 *
 * <p>Not MLlib's {@code KMeans}: it seeds with k-means|| (Bahmani et al. 2012) by default or picks
 * random rows, not greedy k-means++, so the same seed starts elsewhere; it stops when every centre
 * moves less than an absolute {@code epsilon}, not on unchanged labels or the variance-relative
 * shift; and it leaves an empty cluster's centre where it was. Its {@code computeCost} /
 * {@code trainingCost} is the sum of squared distances to the nearest centre — our inertia, not a mean
 * and not a root. (SparkKMeansTest shows both: its cost of our centres is our inertia.)
 */
public final class SparkKMeans {
    private SparkKMeans() {}

    /** k-means of one group's blocks: greedy k-means++ seeding and Lloyd passes, the best of the restarts. */
    public static KMeans.Fit fit(JavaRDD<RowBlock> blocks, int k, long seed, KMeans.Options options) {
        BlockShape shape = BlockShape.of(blocks);
        int n = shape.size();
        if (k < 1 || k > n) {
            throw new InputException("k-means needs 1 ≤ k ≤ n = " + n + ", got k = " + k);
        }
        Rows rows = Rows.of(blocks, shape);
        try {
            return fit(rows, k, seed, options);
        } finally {
            rows.centred.unpersist(false);
        }
    }

    private static KMeans.Fit fit(Rows rows, int k, long seed, KMeans.Options options) {
        KMeans.Fit best = null;
        for (int r = 0; r < options.restarts(); r++) {
            float[] initial = plusPlus(rows, k, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + r));
            KMeans.Fit f = lloyd(rows, k, initial, options);
            if (best == null || f.inertia() < best.inertia()) {
                best = f;
            }
        }
        return best;
    }

    /**
     * The fits {@code ks[f]} from {@code seeds[f]}, each exactly {@link #fit}, over one cached copy of the
     * centred rows, side by side: each fit on its own driver thread, so that one fit's jobs run while the
     * driver schedules another's (a k-means job is small: most of its time was the ~35 ms Spark spends
     * around every job, one after another).
     */
    static KMeans.Fit[] fitAll(JavaRDD<RowBlock> blocks, int[] ks, long[] seeds, KMeans.Options options) {
        BlockShape shape = BlockShape.of(blocks);
        int n = shape.size();
        for (int k : ks) {
            if (k < 1 || k > n) {
                throw new InputException("k-means needs 1 ≤ k ≤ n = " + n + ", got k = " + k);
            }
        }
        Rows rows = Rows.of(blocks, shape);
        try {
            return KMeans.sideBySide(ks.length, f -> fit(rows, ks[f], seeds[f], options));
        } finally {
            rows.centred.unpersist(false);
        }
    }

    /**
     * The k with the highest silhouette as {@link ClusterSelection#of} chooses it (k-means for each k,
     * best of {@link ClusterSelection#RESTARTS} seeds, the fits of all k side by side over one cached
     * copy of the rows ({@link #fitAll}), one shared silhouette pass), or null with the
     * reason. The silhouette is {@link SparkSilhouette}'s (float64 distances whatever
     * {@code options.distances()} says).
     */
    public static ClusterSelection select(JavaRDD<RowBlock> blocks, ClusterSelection.Options options, String[] why) {
        int n = BlockShape.of(blocks).size();
        int kMax = Math.min(options.kMax(), n - 1);
        if (kMax < options.kMin()) {
            why[0] = "k-means silhouette needs at least " + (options.kMin() + 1) + " points for k = " + options.kMin() + ", got " + n;
            return null;
        }
        int count = kMax - options.kMin() + 1;
        int[] ks = new int[count];
        long[] seeds = new long[count];
        for (int k = options.kMin(); k <= kMax; k++) {
            ks[k - options.kMin()] = k;
            seeds[k - options.kMin()] = options.seed() + k;
        }
        KMeans.Fit[] fits = fitAll(blocks, ks, seeds, new KMeans.Options(300, 1e-4, ClusterSelection.RESTARTS));
        int[][] labelings = new int[count][];
        for (int i = 0; i < count; i++) {
            labelings[i] = fits[i].labels();
        }
        Silhouette.Estimate[] s = SparkSilhouette.estimate(blocks, labelings, options.exactMax(), options.sample(), options.seed(), why);
        if (s == null) {
            why[0] = "k-means found fewer distinct clusters than asked (identical points?): " + why[0];
            return null;
        }
        int best = 0;
        Map<Integer, Double> byK = new LinkedHashMap<>();
        for (int i = 0; i < s.length; i++) {
            byK.put(options.kMin() + i, s[i].value());
            if (s[i].value() > s[best].value()) {
                best = i;
            }
        }
        return new ClusterSelection(options.kMin() + best, s[best], byK, labelings[best]);
    }

    /** The group's rows centred on their mean (float32, as in memory), cached, with what the passes need. */
    private record Rows(JavaRDD<IndexedRows> centred, int n, int d, double[] mean, double meanVariance) {
        static Rows of(JavaRDD<RowBlock> blocks, BlockShape shape) {
            int n = shape.size();
            int d = shape.dimension();
            double[] mean = RowBlock.columnMeans(blocks, d, n);
            JavaRDD<IndexedRows> centred = QueryPasses.cached(blocks.map(b -> {
                IndexedRows raw = IndexedRows.of(b);
                float[] v = new float[raw.values().length];
                for (int i = 0; i < raw.count(); i++) {
                    for (int j = 0; j < d; j++) {
                        v[i * d + j] = (float) (raw.values()[i * d + j] - mean[j]);
                    }
                }
                return new IndexedRows(raw.ids(), null, d, v);
            }));
            double total = centred.map(b -> {
                double s = 0;
                for (float x : b.values()) {
                    s += (double) x * x;
                }
                return s;
            }).treeReduce(Double::sum);
            // mean over features of np.var(X, axis=0) = Σ‖x − μ‖² / (n d)
            return new Rows(centred, n, d, mean, total / n / d);
        }

        JavaSparkContext context() {
            return JavaSparkContext.fromSparkContext(centred.context());
        }

        /** Centred row {@code id}. */
        float[] row(long id) {
            List<float[]> found = centred.filter(b -> b.count() > 0 && b.ids()[0] <= id && id <= b.ids()[b.count() - 1])
                    .map(b -> Arrays.copyOfRange(b.values(), (int) (id - b.ids()[0]) * b.width(), (int) (id - b.ids()[0] + 1) * b.width()))
                    .collect();
            return found.get(0);
        }
    }

    /**
     * The distance of each row of {@code b} to its nearest of the first {@code m} centres: the single
     * machine's float32 GEMM tiles with their error bound, the centres that could be nearest measured in
     * float64 ({@link NeighbourTiles#nearest}).
     */
    private static double[] closest(IndexedRows b, float[] centres, int m, int d) {
        double[] out = new double[b.count()];
        if (b.count() > 0) {
            NeighbourTiles.float32(Arrays.copyOf(centres, m * d), null, d, false).nearest(b.values(), b.count(), new int[b.count()], out);
        }
        return out;
    }

    /** Per block (by its first row): sums over its rows, one per candidate. */
    record BlockSums(long first, double[] sums) implements Serializable {}

    /** A row picked by the seeding, for candidate t. */
    record Pick(int trial, long id, float[] row) implements Serializable {}

    /**
     * Greedy k-means++ (as {@link KMeans}): the first centre a uniform row; each next one the best (lowest
     * potential Σ min(D², d²_candidate)) of 2 + ⌊ln k⌋ rows drawn with probability D²/potential. The draws
     * come from the same random stream in the same order as in memory; a draw r lands on the first row
     * whose running sum of D² exceeds it, found block by block from the blocks' sums.
     */
    private static float[] plusPlus(Rows x, int k, SplittableRandom random) {
        int n = x.n();
        int d = x.d();
        int trials = 2 + (int) Math.log(k);
        float[] centres = new float[k * d];
        System.arraycopy(x.row(random.nextInt(n)), 0, centres, 0, d);
        Broadcast<float[]> first = x.context().broadcast(centres.clone());
        List<BlockSums> sums = x.centred().map(b -> new BlockSums(b.ids().length == 0 ? -1 : b.ids()[0],
                new double[] {sumOf(closest(b, first.value(), 1, d))})).collect();
        first.destroy();
        double potential = 0;
        for (BlockSums s : sorted(sums)) {
            potential += s.sums()[0];
        }
        for (int c = 1; c < k; c++) {
            double[] draws = new double[trials];
            long[] direct = new long[trials];
            for (int t = 0; t < trials; t++) {
                if (potential > 0) {
                    draws[t] = random.nextDouble() * potential;
                    direct[t] = -1;
                } else {
                    direct[t] = random.nextInt(n);
                }
            }
            float[] cand = new float[trials * d];
            for (Pick p : locate(x, centres, c, sorted(sums), draws, direct)) {
                System.arraycopy(p.row(), 0, cand, p.trial() * d, d);
            }
            int m = c;
            Broadcast<float[]> chosen = x.context().broadcast(centres.clone());
            Broadcast<float[]> candidates = x.context().broadcast(cand);
            sums = x.centred().map(b -> {
                double[] closest = closest(b, chosen.value(), m, d);
                double[] s = new double[trials];
                if (b.count() > 0) {
                    // min(D², d²_candidate) per row, the candidate's distance measured only where it could be below D².
                    double[][] capped = NeighbourTiles.float32(candidates.value(), null, d, false).capped(b.values(), b.count(), closest);
                    for (int t = 0; t < trials; t++) {
                        for (int i = 0; i < closest.length; i++) {
                            s[t] += capped[t][i];
                        }
                    }
                }
                return new BlockSums(b.ids().length == 0 ? -1 : b.ids()[0], s);
            }).collect();
            chosen.destroy();
            candidates.destroy();
            double[] pot = new double[trials];
            for (BlockSums s : sorted(sums)) {
                for (int t = 0; t < trials; t++) {
                    pot[t] += s.sums()[t];
                }
            }
            int best = 0;
            double bestPot = Double.POSITIVE_INFINITY;
            for (int t = 0; t < trials; t++) {
                if (pot[t] < bestPot) {
                    bestPot = pot[t];
                    best = t;
                }
            }
            int keep = best;
            sums = sums.stream().map(s -> new BlockSums(s.first(), new double[] {s.sums()[keep]})).toList();
            potential = bestPot;
            System.arraycopy(cand, best * d, centres, c * d, d);
        }
        return centres;
    }

    /**
     * The rows the draws land on: draw r (direct[t] &lt; 0) on the first row whose running sum of D²
     * (distance to the nearest of the first m centres, rows in order) exceeds r, the last row if none;
     * otherwise row direct[t].
     */
    private static List<Pick> locate(Rows x, float[] centres, int m, List<BlockSums> blockSums, double[] draws, long[] direct) {
        int d = x.d();
        int trials = draws.length;
        Map<Long, Double> offsets = new LinkedHashMap<>();
        Map<Long, double[]> landing = new LinkedHashMap<>(); // block first row → draw per trial, NaN if elsewhere
        double offset = 0;
        for (int i = 0; i < blockSums.size(); i++) {
            BlockSums s = blockSums.get(i);
            offsets.put(s.first(), offset);
            double end = offset + s.sums()[0];
            boolean last = i == blockSums.size() - 1;
            for (int t = 0; t < trials; t++) {
                if (direct[t] < 0 && draws[t] >= offset && (draws[t] < end || last)) {
                    landing.computeIfAbsent(s.first(), key -> filled(trials)) [t] = draws[t];
                }
            }
            offset = end;
        }
        Broadcast<float[]> chosen = x.context().broadcast(centres.clone());
        Broadcast<Map<Long, Double>> starts = x.context().broadcast(offsets);
        Broadcast<Map<Long, double[]>> lands = x.context().broadcast(landing);
        long[] ids = direct.clone();
        try {
            return x.centred().flatMap(b -> {
                java.util.List<Pick> out = new java.util.ArrayList<>();
                if (b.count() == 0) {
                    return out.iterator();
                }
                for (int t = 0; t < trials; t++) {
                    if (ids[t] >= b.ids()[0] && ids[t] <= b.ids()[b.count() - 1]) {
                        int i = (int) (ids[t] - b.ids()[0]);
                        out.add(new Pick(t, ids[t], Arrays.copyOfRange(b.values(), i * d, (i + 1) * d)));
                    }
                }
                double[] here = lands.value().get(b.ids()[0]);
                if (here != null) {
                    double[] closest = closest(b, chosen.value(), m, d);
                    for (int t = 0; t < trials; t++) {
                        if (Double.isNaN(here[t])) {
                            continue;
                        }
                        double acc = starts.value().get(b.ids()[0]);
                        int at = b.count() - 1;
                        for (int i = 0; i < b.count(); i++) {
                            acc += closest[i];
                            if (acc > here[t]) {
                                at = i;
                                break;
                            }
                        }
                        out.add(new Pick(t, b.ids()[at], Arrays.copyOfRange(b.values(), at * d, (at + 1) * d)));
                    }
                }
                return out.iterator();
            }).collect();
        } finally {
            chosen.destroy();
            starts.destroy();
            lands.destroy();
        }
    }

    private static double[] filled(int trials) {
        double[] a = new double[trials];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static List<BlockSums> sorted(List<BlockSums> sums) {
        return sums.stream().filter(s -> s.first() >= 0).sorted(Comparator.comparingLong(BlockSums::first)).toList();
    }

    /** One block's Lloyd pass: each row's nearest centre (the first wins ties) and distance, per-cluster sums and counts. */
    record Pass(long first, int[] labels, double[] minDist, double[] sums, int[] counts) implements Serializable {}

    private static Pass assign(IndexedRows b, float[] centres, int k, int d) {
        int[] labels = new int[b.count()];
        double[] minDist = new double[b.count()];
        double[] sums = new double[k * d];
        int[] counts = new int[k];
        if (b.count() > 0) {
            NeighbourTiles.float32(centres, null, d, false).nearest(b.values(), b.count(), labels, minDist);
        }
        for (int i = 0; i < b.count(); i++) {
            int best = labels[i];
            counts[best]++;
            for (int j = 0; j < d; j++) {
                sums[best * d + j] += b.values()[i * d + j];
            }
        }
        return new Pass(b.count() == 0 ? -1 : b.ids()[0], labels, minDist, sums, counts);
    }

    /** Every block's pass with the centres broadcast, in row order. */
    private static List<Pass> passes(Rows x, float[] centres, int k) {
        int d = x.d();
        Broadcast<float[]> c = x.context().broadcast(centres.clone());
        try {
            return x.centred().map(b -> assign(b, c.value(), k, d)).collect().stream()
                    .filter(p -> p.first() >= 0).sorted(Comparator.comparingLong(Pass::first)).toList();
        } finally {
            c.destroy();
        }
    }

    /** Lloyd's iterations as {@link KMeans}: the same stopping rules, the same empty-cluster rule. */
    private static KMeans.Fit lloyd(Rows x, int k, float[] centres, KMeans.Options o) {
        int n = x.n();
        int d = x.d();
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double[] minDist = new double[n];
        double tolAbs = o.tolerance() * x.meanVariance();
        int iterations = 0;
        boolean converged = false;
        boolean assigned = false;
        while (iterations < o.maxIterations()) {
            iterations++;
            double[] sums = new double[k * d];
            int[] counts = new int[k];
            boolean changed = false;
            for (Pass p : passes(x, centres, k)) {
                for (int i = 0; i < p.labels().length; i++) {
                    int row = (int) p.first() + i;
                    changed |= labels[row] != p.labels()[i];
                    labels[row] = p.labels()[i];
                    minDist[row] = p.minDist()[i];
                }
                for (int e = 0; e < k * d; e++) {
                    sums[e] += p.sums()[e];
                }
                for (int c = 0; c < k; c++) {
                    counts[c] += p.counts()[c];
                }
            }
            if (!changed) {
                converged = true; // the same labels give the same centres
                assigned = true;
                break;
            }
            relocateEmpty(x, sums, counts, minDist, labels, k);
            double shift = 0;
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    double nv = sums[c * d + j] / counts[c];
                    double diff = nv - centres[c * d + j];
                    shift += diff * diff;
                    centres[c * d + j] = (float) nv;
                }
            }
            if (shift <= tolAbs) {
                converged = true;
                break;
            }
        }
        if (!assigned) {
            for (Pass p : passes(x, centres, k)) {
                System.arraycopy(p.labels(), 0, labels, (int) p.first(), p.labels().length);
                System.arraycopy(p.minDist(), 0, minDist, (int) p.first(), p.minDist().length);
            }
        }
        // Σ‖x − c(x)‖² of the centred float32 rows and centres in float64: each row's distance to its centre.
        double inertia = 0;
        for (double v : minDist) {
            inertia += v;
        }
        float[] c = centres.clone();
        for (int i = 0; i < k * d; i++) {
            c[i] = (float) (c[i] + x.mean()[i % d]); // back from centred coordinates
        }
        return new KMeans.Fit(k, labels, inertia, iterations, converged, c);
    }

    /**
     * An empty cluster takes the point farthest from its own centre among clusters of more than one
     * point (the first such point on ties), which leaves its old cluster's sums, as in memory.
     */
    private static void relocateEmpty(Rows x, double[] sums, int[] counts, double[] minDist, int[] labels, int k) {
        int d = x.d();
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                continue;
            }
            int far = -1;
            for (int i = 0; i < x.n(); i++) {
                if (counts[labels[i]] > 1 && (far < 0 || minDist[i] > minDist[far])) {
                    far = i;
                }
            }
            if (far < 0) {
                throw new InputException("k-means: no point can fill an empty cluster (k > distinct points?)");
            }
            float[] row = x.row(far);
            int old = labels[far];
            for (int j = 0; j < d; j++) {
                sums[old * d + j] -= row[j];
                sums[c * d + j] = row[j];
            }
            counts[old]--;
            counts[c] = 1;
            labels[far] = c;
            minDist[far] = 0;
        }
    }

    private static double sumOf(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
