package org.scalelab.phase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.nio.DoubleBuffer;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.scalelab.InputException;
import org.scalelab.geometry.Blas;
import org.scalelab.stats.PairedComparison;
import org.scalelab.stats.Quantiles;

/**
 * Where a capability lives inside a model at one hook: the directions that separate two classes of
 * prompts (e.g. true vs false statements), how well each reads the class on held-out prompts, and
 * how stable the direction is across resamples.
 *
 * <p>Three directions, each a unit vector signed toward the positive class:
 * <ul>
 *   <li>{@code mean_diff}: mean(positive) − mean(negative), the centred direction (a mean shared by
 *       both classes, e.g. the residual stream's large common component, cancels) — Marks &amp;
 *       Tegmark 2023, "The Geometry of Truth", §4; Arditi et al. 2024, §2.2.</li>
 *   <li>{@code pca_diff}: the first principal direction of the matched pairs' differences
 *       (positive − negative), as in representation engineering (Zou et al. 2023, §3.1) and repeng.
 *       Uncentred: the top right singular vector of the difference matrix. Centring (as a PCA that
 *       subtracts the mean would) removes the mean difference, which is the signal when every
 *       difference is taken positive minus negative; uncentred, the direction does not depend on
 *       the order within a pair, like representation engineering's randomly ordered pairs.</li>
 *   <li>{@code probe}: the weights of an L2 logistic probe ({@link LogisticProbe}).</li>
 * </ul>
 * Pairs: when every selected trajectory has {@code labels.pair}, trajectories sharing it form a pair
 * (each pair must hold one positive and one negative); otherwise the i-th positive is paired with the
 * i-th negative in manifest order, and surplus trajectories of the larger class are left out.
 *
 * <p>The directions are computed from every point. The held-out accuracies come from a seeded
 * stratified split: the probe, and the mean difference used as a classifier (threshold at the
 * midpoint of the training class means), are fitted on the training part and scored on the held-out
 * part, with a Wilson (1927) score interval. Stability: over {@code resamples} seeded random halvings
 * of each class, the cosine between the mean-difference directions of the two halves; its mean and
 * percentile interval.
 */
public final class CapabilityDirections {
    private CapabilityDirections() {}

    /**
     * @param holdout   fraction of each class held out for the accuracy estimates, in (0, 1)
     * @param resamples random halvings for the stability estimate (0: none)
     * @param c         the probe's inverse L2 regularisation (scikit-learn's C)
     * @param level     confidence level of the intervals
     * @param seed      seed of the split and the halvings
     */
    public record Options(double holdout, int resamples, double c, double level, long seed) {
        public Options {
            if (!(holdout > 0 && holdout < 1)) {
                throw new InputException("--holdout " + holdout + ": must be a fraction strictly between 0 and 1");
            }
            if (resamples < 0) {
                throw new InputException("--resamples " + resamples + ": must be ≥ 0");
            }
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new InputException("--c " + c + ": the probe's inverse regularisation must be positive and finite");
            }
            if (!(level > 0 && level < 1)) {
                throw new InputException("level " + level + ": must be strictly between 0 and 1");
            }
        }

        public static Options defaults() {
            return new Options(0.25, 200, 1.0, 0.95, 0);
        }
    }

    /** The three directions. */
    public enum Method {
        MEAN_DIFF("mean_diff"),
        PCA_DIFF("pca_diff"),
        PROBE("probe");

        private final String key;

        Method(String key) {
            this.key = key;
        }

        /** The name in files and JSON. */
        @com.fasterxml.jackson.annotation.JsonValue
        public String key() {
            return key;
        }
    }

    /**
     * A direction as a unit vector, signed toward the positive class (mean(pos)·unit &gt; mean(neg)·unit).
     *
     * @param norm the length of the unnormalised direction: ‖mean(pos) − mean(neg)‖, the top singular
     *             value of the pair differences, or ‖w‖ of the probe
     * @param unit the vector itself; left out of JSON (thousands of numbers per hook): the command writes
     *             it as an .npy file
     */
    public record Direction(Method method, @com.fasterxml.jackson.annotation.JsonIgnore double[] unit, double norm) {}

    /**
     * One activation set at one hook.
     *
     * @param probeAccuracyCi    Wilson interval of the probe's held-out accuracy
     * @param meanDiffAccuracyCi Wilson interval of the mean-difference classifier's held-out accuracy
     * @param stabilityCosine    mean cosine between the mean-difference directions of two random halves
     * @param stabilityCi        percentile interval of that cosine over the halvings
     */
    public record Result(String set, String model, long parameterCount, String hook, int nPositive, int nNegative,
                         List<Direction> directions, double probeHeldOutAccuracy, double[] probeAccuracyCi,
                         double meanDiffHeldOutAccuracy, double[] meanDiffAccuracyCi, double stabilityCosine,
                         double[] stabilityCi) {
        /** The direction found by {@code m}. */
        public Direction direction(Method m) {
            for (Direction d : directions) {
                if (d.method() == m) {
                    return d;
                }
            }
            throw new IllegalArgumentException("no " + m.key() + " direction");
        }
    }

    /**
     * One run over several activation sets (model sizes) and hooks: one {@link Result} per (set, hook),
     * sets in the order given, hooks in capture order.
     *
     * @param positive the positive class's selector, e.g. {@code labels.truth=true}
     * @param negative the negative class's selector
     * @param pool     how trajectories were pooled ({@code last} or {@code mean})
     */
    public record Run(String positive, String negative, String pool, Options options, List<Result> results,
                      org.scalelab.Provenance provenance) {
        public Run {
            results = List.copyOf(results);
        }
    }

    public static Result analyze(LabelledPoints points, Options o) {
        int nPos = points.positives();
        int nNeg = points.size() - nPos;
        if (nPos < 2 || nNeg < 2) {
            throw new InputException(points.set() + " at " + points.hook() + ": " + nPos + " positive and " + nNeg
                    + " negative prompts; each class needs at least 2 (for a held-out split and halves)");
        }
        double[] md = meanDifference(points);
        List<Direction> directions = new ArrayList<>();
        directions.add(signed(Method.MEAN_DIFF, md, md));
        directions.add(signed(Method.PCA_DIFF, pairedDifferencePc(points), md));
        LogisticProbe full = LogisticProbe.fit(points.x(), points.positive(), o.c());
        directions.add(signed(Method.PROBE, full.weights(), md));

        double z = new NormalDistribution(0, 1).inverseCumulativeProbability(1 - (1 - o.level()) / 2);
        int[][] split = split(points.positive(), o.holdout(), new SplittableRandom(o.seed()));
        LabelledPoints train = points.subset(split[0]);
        LabelledPoints test = points.subset(split[1]);
        LogisticProbe probe = LogisticProbe.fit(train.x(), train.positive(), o.c());
        int probeRight = (int) Math.round(probe.accuracy(test.x(), test.positive()) * test.size());
        int meanDiffRight = meanDifferenceCorrect(train, test);

        double[] cosines = stability(points, o.resamples(), new SplittableRandom(o.seed() ^ 0x5DEECE66DL));
        double meanCos = Double.NaN;
        if (cosines.length > 0) {
            meanCos = 0;
            for (double c : cosines) {
                meanCos += c;
            }
            meanCos /= cosines.length;
        }
        return new Result(points.set(), points.model(), points.parameterCount(), points.hook(), nPos, nNeg, List.copyOf(directions),
                (double) probeRight / test.size(), PairedComparison.wilson(probeRight, test.size(), z),
                (double) meanDiffRight / test.size(), PairedComparison.wilson(meanDiffRight, test.size(), z),
                meanCos, cosines.length == 0 ? new double[] {Double.NaN, Double.NaN} : Quantiles.percentileInterval(cosines, o.level()));
    }

    /** mean(positive rows) − mean(negative rows), not normalised: the centred direction (a mean shared by both classes cancels). */
    public static double[] meanDifference(LabelledPoints p) {
        int d = p.dimension();
        double[] pos = new double[d];
        double[] neg = new double[d];
        int np = 0;
        int nn = 0;
        for (int i = 0; i < p.size(); i++) {
            double[] row = p.x()[i];
            double[] acc = p.positive()[i] ? pos : neg;
            for (int j = 0; j < d; j++) {
                acc[j] += row[j];
            }
            if (p.positive()[i]) {
                np++;
            } else {
                nn++;
            }
        }
        if (np == 0 || nn == 0) {
            throw new InputException(p.set() + " at " + p.hook() + ": both classes need points for a difference of means");
        }
        double[] out = new double[d];
        for (int j = 0; j < d; j++) {
            out[j] = pos[j] / np - neg[j] / nn;
        }
        return out;
    }

    /**
     * The matched pairs as (positive row, negative row) indices: by {@code labels.pair} when every
     * point has one (each pair one positive and one negative), else the i-th positive with the i-th
     * negative in row order.
     */
    public static int[][] pairs(LabelledPoints p) {
        boolean labelled = p.pairs().stream().allMatch(s -> s != null);
        List<int[]> out = new ArrayList<>();
        if (labelled) {
            Map<String, int[]> byPair = new LinkedHashMap<>();
            for (int i = 0; i < p.size(); i++) {
                int[] slot = byPair.computeIfAbsent(p.pairs().get(i), k -> new int[] {-1, -1});
                int side = p.positive()[i] ? 0 : 1;
                if (slot[side] >= 0) {
                    throw new InputException(p.set() + ": labels.pair \"" + InputException.quote(p.pairs().get(i)) + "\" holds two "
                            + (side == 0 ? "positive" : "negative") + " prompts (" + p.ids().get(slot[side]) + ", " + p.ids().get(i)
                            + "); a pair is one positive and one negative prompt");
                }
                slot[side] = i;
            }
            for (Map.Entry<String, int[]> e : byPair.entrySet()) {
                if (e.getValue()[0] < 0 || e.getValue()[1] < 0) {
                    throw new InputException(p.set() + ": labels.pair \"" + InputException.quote(e.getKey()) + "\" has only a "
                            + (e.getValue()[0] < 0 ? "negative" : "positive") + " prompt; a pair is one positive and one negative prompt");
                }
                out.add(e.getValue());
            }
        } else {
            List<Integer> pos = new ArrayList<>();
            List<Integer> neg = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                (p.positive()[i] ? pos : neg).add(i);
            }
            for (int k = 0; k < Math.min(pos.size(), neg.size()); k++) {
                out.add(new int[] {pos.get(k), neg.get(k)});
            }
        }
        return out.toArray(new int[0][]);
    }

    /**
     * The top right singular vector of the pair-difference matrix Δ (row k = x(positive of pair k) −
     * x(negative of pair k)), unnormalised: its length is the top singular value σ₁. From the smaller
     * Gram matrix (ΔᵀΔ, or ΔΔᵀ when there are fewer pairs than columns) and its top eigenpair
     * (OpenBLAS: dsyrk, then dsyevr for one eigenvector); the sign is arbitrary here.
     */
    static double[] pairedDifferencePc(LabelledPoints p) {
        int[][] pairs = pairs(p);
        int d = p.dimension();
        int m = pairs.length;
        boolean columns = d <= m; // eigen-decompose ΔᵀΔ [d, d]; else ΔΔᵀ [m, m]
        int rows = columns ? m : d;
        int size = columns ? d : m;
        DoubleBuffer a = Blas.doubles((long) m * d); // Δ [m, d] or Δᵀ [d, m], row-major
        for (int k = 0; k < m; k++) {
            double[] pos = p.x()[pairs[k][0]];
            double[] neg = p.x()[pairs[k][1]];
            for (int j = 0; j < d; j++) {
                a.put(columns ? k * d + j : j * m + k, pos[j] - neg[j]);
            }
        }
        DoubleBuffer gram = Blas.doubles((long) size * size);
        Blas.gramUpperAdd(a, rows, size, gram);
        double[] top = Blas.topEigenpair(gram, size);
        double sigma = Math.sqrt(Math.max(0, top[0]));
        double[] v = new double[d];
        if (columns) {
            for (int j = 0; j < d; j++) {
                v[j] = top[1 + j] * sigma;
            }
        } else if (sigma > 0) {
            // v = Δᵀu / σ, scaled by σ: Δᵀu
            for (int k = 0; k < m; k++) {
                double uk = top[1 + k];
                for (int j = 0; j < d; j++) {
                    v[j] += uk * a.get(j * m + k);
                }
            }
        }
        return v;
    }

    /** {@code raw} as a unit vector signed so that its dot product with the mean difference is positive. */
    private static Direction signed(Method m, double[] raw, double[] meanDifference) {
        double len = norm(raw);
        double[] unit = raw.clone();
        double dot = 0;
        for (int j = 0; j < unit.length; j++) {
            dot += unit[j] * meanDifference[j];
        }
        scale(unit, len == 0 ? 0 : (dot < 0 ? -1 : 1) / len);
        return new Direction(m, unit, len);
    }

    /** Rows of each class shuffled and cut: [training rows, held-out rows], each class contributing ⌈holdout·n⌉ (≥ 1, ≤ n − 1) held-out rows. */
    static int[][] split(boolean[] positive, double holdout, SplittableRandom random) {
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (boolean cls : new boolean[] {true, false}) {
            int[] rows = shuffledClass(positive, cls, random);
            int held = Math.max(1, Math.min(rows.length - 1, (int) Math.ceil(holdout * rows.length)));
            for (int k = 0; k < rows.length; k++) {
                (k < held ? test : train).add(rows[k]);
            }
        }
        return new int[][] {train.stream().mapToInt(Integer::intValue).toArray(), test.stream().mapToInt(Integer::intValue).toArray()};
    }

    private static int[] shuffledClass(boolean[] positive, boolean cls, SplittableRandom random) {
        int n = 0;
        for (boolean b : positive) {
            n += b == cls ? 1 : 0;
        }
        int[] rows = new int[n];
        int k = 0;
        for (int i = 0; i < positive.length; i++) {
            if (positive[i] == cls) {
                rows[k++] = i;
            }
        }
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = random.nextInt(i + 1);
            int t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        return rows;
    }

    /** Held-out rows the training mean difference classifies right: positive when (x − (μ₊ + μ₋)/2)·(μ₊ − μ₋) &gt; 0. */
    private static int meanDifferenceCorrect(LabelledPoints train, LabelledPoints test) {
        double[] md = meanDifference(train);
        int d = md.length;
        double[] pos = new double[d];
        double[] neg = new double[d];
        int np = train.positives();
        int nn = train.size() - np;
        for (int i = 0; i < train.size(); i++) {
            double[] acc = train.positive()[i] ? pos : neg;
            double[] row = train.x()[i];
            for (int j = 0; j < d; j++) {
                acc[j] += row[j];
            }
        }
        double threshold = 0;
        for (int j = 0; j < d; j++) {
            threshold += md[j] * (pos[j] / np + neg[j] / nn) / 2;
        }
        int right = 0;
        for (int i = 0; i < test.size(); i++) {
            double s = 0;
            double[] row = test.x()[i];
            for (int j = 0; j < d; j++) {
                s += row[j] * md[j];
            }
            if ((s > threshold) == test.positive()[i]) {
                right++;
            }
        }
        return right;
    }

    /**
     * Per halving: the cosine between the mean differences of the two halves (each class cut in half at
     * random). The halves' sums for every halving at once are one matrix product, H[2R, n] · X[n, d]
     * with H the halves' 0/1 indicators (OpenBLAS dgemm); the other half is the class total minus it.
     */
    static double[] stability(LabelledPoints p, int resamples, SplittableRandom random) {
        int d = p.dimension();
        int n = p.size();
        if (resamples == 0) {
            return new double[0];
        }
        double[][] total = new double[2][d];
        int[] count = new int[2];
        DoubleBuffer xt = Blas.doubles((long) d * n); // Xᵀ [d, n]
        for (int i = 0; i < n; i++) {
            int c = p.positive()[i] ? 0 : 1;
            count[c]++;
            double[] row = p.x()[i];
            for (int j = 0; j < d; j++) {
                total[c][j] += row[j];
                xt.put(j * n + i, row[j]);
            }
        }
        DoubleBuffer halves = Blas.doubles((long) 2 * resamples * n); // row 2r + c: class c's first half in halving r
        int[] halfCount = new int[2];
        for (int r = 0; r < resamples; r++) {
            for (int c = 0; c < 2; c++) {
                int[] rows = shuffledClass(p.positive(), c == 0, random);
                halfCount[c] = rows.length / 2;
                for (int k = 0; k < halfCount[c]; k++) {
                    halves.put((2 * r + c) * n + rows[k], 1.0);
                }
            }
        }
        DoubleBuffer sums = Blas.doubles((long) 2 * resamples * d);
        Blas.productNT(halves, 2 * resamples, xt, d, n, 1.0, sums);
        int pa = halfCount[0];
        int na = halfCount[1];
        int pb = count[0] - pa;
        int nb = count[1] - na;
        double[] out = new double[resamples];
        double[] a = new double[d];
        double[] b = new double[d];
        for (int r = 0; r < resamples; r++) {
            for (int j = 0; j < d; j++) {
                double sp = sums.get((2 * r) * d + j);
                double sn = sums.get((2 * r + 1) * d + j);
                a[j] = sp / pa - sn / na;
                b[j] = (total[0][j] - sp) / pb - (total[1][j] - sn) / nb;
            }
            out[r] = cosine(a, b);
        }
        return out;
    }

    static double cosine(double[] a, double[] b) {
        double ab = 0;
        for (int j = 0; j < a.length; j++) {
            ab += a[j] * b[j];
        }
        double na = norm(a);
        double nb = norm(b);
        return na == 0 || nb == 0 ? Double.NaN : ab / (na * nb);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static void scale(double[] v, double f) {
        for (int j = 0; j < v.length; j++) {
            v[j] *= f;
        }
    }
}
