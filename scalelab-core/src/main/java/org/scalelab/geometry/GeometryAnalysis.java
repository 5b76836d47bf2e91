package org.scalelab.geometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * All geometry metrics of one or more groups of points, each beside its null baselines and a
 * bootstrap interval over trajectories; with several model sizes, phase verdicts per domain
 * ({@link PhaseVerdict}). A metric that cannot be computed for the input is null, with its reason
 * in {@code reasons}.
 */
public final class GeometryAnalysis {
    private GeometryAnalysis() {}

    public static final String GAUSSIAN = "gaussian";
    public static final String SHUFFLED_STEPS = "shuffled_steps";
    /** Oscillation coherence only: attention and MLP changes paired at random (closed form, no replicates). */
    public static final String PERMUTED_PAIRING = "permuted_pairing";
    /**
     * Replicates of each null model by default: enough for the replicates' mean and sd to settle
     * (the z-score allows for their uncertainty, see {@link Baseline}); the smallest rank p-value is
     * then 2/(R + 1) ≈ 0.095, so a rank p-value can say "at the edge of the null", never more.
     */
    public static final int DEFAULT_NULL_REPLICATES = 20;
    /**
     * Metrics a null model reproduces exactly, by construction: no test, only the reason. The
     * Gaussian null has the data's covariance, which fixes the participation ratio and d90/d95;
     * shuffling steps keeps each trajectory's first and last point, which fix the alignment.
     */
    static final Map<String, Map<String, String>> UNTESTED = Map.of(
            GAUSSIAN, Map.of(
                    "participation_ratio", "fixed by the covariance, which the Gaussian null copies exactly: no test",
                    "d90", "fixed by the covariance, which the Gaussian null copies exactly: no test",
                    "d95", "fixed by the covariance, which the Gaussian null copies exactly: no test"),
            SHUFFLED_STEPS, Map.of(
                    "alignment", "fixed by each trajectory's first and last points, which shuffling its steps keeps: no test"));
    /** Metrics of the points of one hook: these get null baselines. */
    static final List<String> POINT_METRICS = List.of("participation_ratio", "d90", "d95", "twonn", "alignment", "tangling",
            "step_cosine", "silhouette");
    static final List<String> METRICS = List.of("participation_ratio", "d90", "d95", "twonn", "alignment", "tangling",
            "step_cosine", "silhouette", "oscillation_coherence");

    /**
     * @param twonnDiscardFraction fraction of the largest TwoNN ratios left out (scikit-dimension: 0.1)
     * @param tanglingEpsilon absolute ε of tangling; null: {@code tanglingEpsilonFraction} × total variance
     * @param nullReplicates replicates of each null model (0: no baselines)
     * @param seed seed of the null models, the bootstrap, k-means and silhouette sampling
     * @param screeComponents how many explained-variance fractions to keep for the scree plot
     * @param distances arithmetic of pairwise distances (silhouette, TwoNN); AUTO: float32 silhouette, float64 TwoNN
     * @param tanglingMaxTimes above this many trajectory times tangling is null with a reason (O(m²) pairs)
     * @param bootstrapReplicates resamples of trajectories for the intervals (0: none; then verdicts are inconclusive)
     * @param kMin smallest k of the k-means silhouette (used when the points carry no labels)
     * @param kMax largest k (0: no k-means silhouette)
     * @param silhouetteExactMax above this many points the silhouette is estimated from a sample
     * @param silhouetteSample points scored when sampling
     * @param phase thresholds of the phase verdicts
     */
    public record Options(double twonnDiscardFraction, Double tanglingEpsilon, double tanglingEpsilonFraction,
            int nullReplicates, long seed, int screeComponents, DistancePrecision distances, int tanglingMaxTimes,
            int bootstrapReplicates, int kMin, int kMax, int silhouetteExactMax, int silhouetteSample, PhaseVerdict.Thresholds phase) {
        public Options {
            if (!(twonnDiscardFraction >= 0 && twonnDiscardFraction < 1)) {
                throw new InputException("TwoNN discard fraction must be in [0, 1), got " + twonnDiscardFraction);
            }
            if (tanglingEpsilon != null && !(tanglingEpsilon > 0)) {
                throw new InputException("tangling epsilon must be positive, got " + tanglingEpsilon);
            }
            if (!(tanglingEpsilonFraction > 0)) {
                throw new InputException("tangling epsilon fraction must be positive, got " + tanglingEpsilonFraction);
            }
            if (tanglingMaxTimes < 2) {
                throw new InputException("tangling max times must be at least 2, got " + tanglingMaxTimes);
            }
            if (distances == null) {
                distances = DistancePrecision.AUTO;
            }
            if (nullReplicates < 0 || nullReplicates == 1) {
                throw new InputException("null replicates must be 0 (no baselines) or at least 2 (for a z-score), got " + nullReplicates);
            }
            if (bootstrapReplicates < 0 || bootstrapReplicates == 1) {
                throw new InputException("bootstrap replicates must be 0 (no intervals) or at least 2, got " + bootstrapReplicates);
            }
            if (kMax != 0 && (kMin < 2 || kMax < kMin)) {
                throw new InputException("k range must satisfy 2 ≤ k-min ≤ k-max (or k-max 0 to skip k-means), got " + kMin + ".." + kMax);
            }
            if (silhouetteExactMax < 2 || silhouetteSample < 2) {
                throw new InputException("silhouette exact limit and sample size must be at least 2, got " + silhouetteExactMax + ", "
                        + silhouetteSample);
            }
            if (phase == null) {
                phase = PhaseVerdict.Thresholds.defaults();
            }
        }

        public static Options defaults() {
            return new Options(TwoNN.DEFAULT_DISCARD_FRACTION, null, TrajectoryTangling.DEFAULT_EPSILON_FRACTION, DEFAULT_NULL_REPLICATES, 0L, 50,
                    DistancePrecision.AUTO, TrajectoryTangling.DEFAULT_MAX_TIMES, 0, 2, 8, Silhouette.DEFAULT_EXACT_MAX,
                    Silhouette.DEFAULT_SAMPLE, PhaseVerdict.Thresholds.defaults());
        }

        public Options withNullReplicates(int r) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, r, seed, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withSeed(long s) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, s, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withTanglingEpsilon(Double e) {
            return new Options(twonnDiscardFraction, e, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withTanglingMaxTimes(int max) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    max, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withDistances(DistancePrecision p) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, p,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withBootstrap(int replicates) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    tanglingMaxTimes, replicates, kMin, kMax, silhouetteExactMax, silhouetteSample, phase);
        }

        /** k range of the k-means silhouette; {@code kMax} 0 turns it off. */
        public Options withKRange(int min, int max) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, min, max, silhouetteExactMax, silhouetteSample, phase);
        }

        public Options withSilhouetteSampling(int exactMax, int sample) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, exactMax, sample, phase);
        }

        public Options withPhase(PhaseVerdict.Thresholds t) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances,
                    tanglingMaxTimes, bootstrapReplicates, kMin, kMax, silhouetteExactMax, silhouetteSample, t);
        }
    }

    /**
     * One metric under one null model, from the replicates where it was computable.
     *
     * @param mean       mean over the replicates
     * @param sd         their sample standard deviation
     * @param z          t = (value − mean) / (sd · √(1 + 1/R)) on the standard-normal scale: the observed value
     *                   is compared as one more draw from the null (the √(1 + 1/R) counts the uncertainty of the
     *                   replicates' own mean), so under the null t is about Student-t with R − 1 degrees of
     *                   freedom, and z is the normal quantile of t's tail probability ({@link #normalScale});
     *                   null when the sd is 0, there are fewer than 2 replicates or the metric is missing
     * @param replicates R, the replicates the metric was computed on
     * @param difference effect size: value − mean, in the metric's units
     * @param ratio      effect size: value / mean, for a value ≥ 0 and a positive mean (null otherwise: a ratio of
     *                   cosines or of values around 0 says nothing)
     * @param p          two-sided Monte-Carlo rank p-value, 2 · min(1 + #{replicate ≥ value}, 1 + #{replicate ≤ value}) / (R + 1),
     *                   capped at 1 (Davison &amp; Hinkley 1997, §4.2): exact under the null, never below 2/(R + 1)
     * @param reason     why the metric is not tested against this null (it reproduces the value by construction)
     */
    public record Baseline(Double mean, Double sd, Double z, int replicates, Double difference, Double ratio, Double p, String reason) {
        static Baseline untested(String reason) {
            return new Baseline(null, null, null, 0, null, null, null, reason);
        }
    }

    /**
     * The metrics of one group of points (JSON keys are the snake_case component names).
     *
     * @param silhouetteSource {@code labels} (given labels) or {@code kmeans} (k-means clusters, k chosen by silhouette)
     * @param silhouetteCi     95 % interval of a sampled silhouette (null when exact)
     * @param k                clusters of the k-means silhouette (null with labels)
     * @param silhouetteByK    silhouette of every k tried
     * @param ci               95 % percentile interval of each metric over bootstrap resamples of trajectories
     * @param unit             what a point is: {@code token}, or {@code step (mean)} / {@code step (last)} (a reasoning
     *                         step's token rows pooled, {@link StepPooling})
     */
    public record Group(
            String name,
            String model,
            Long parameterCount,
            String domain,
            String label,
            String hook,
            int nPoints,
            int dimension,
            int trajectories,
            Double participationRatio,
            Integer d90,
            Integer d95,
            Double twonn,
            Double alignment,
            Double tangling,
            Double tanglingMedian,
            Double tanglingP90,
            Double tanglingEpsilon,
            List<Double> tanglingPerTrajectory,
            Double stepCosine,
            Double silhouette,
            String silhouetteSource,
            double[] silhouetteCi,
            Integer k,
            Map<Integer, Double> silhouetteByK,
            Double oscillationCoherence,
            double[] explainedVariance,
            Map<String, String> reasons,
            Map<String, Map<String, Baseline>> baselines,
            int bootstrapReplicates,
            Map<String, double[]> ci,
            String unit) {

        /** A metric by its JSON name, as a double (null when missing). */
        public Double metric(String key) {
            return switch (key) {
                case "participation_ratio" -> participationRatio;
                case "d90" -> d90 == null ? null : d90.doubleValue();
                case "d95" -> d95 == null ? null : d95.doubleValue();
                case "twonn" -> twonn;
                case "alignment" -> alignment;
                case "tangling" -> tangling;
                case "step_cosine" -> stepCosine;
                case "silhouette" -> silhouette;
                case "oscillation_coherence" -> oscillationCoherence;
                default -> throw new IllegalArgumentException("unknown metric " + key);
            };
        }
    }

    public record Result(List<Group> groups, List<PhaseVerdict.Comparison> comparisons, Provenance provenance) {}

    public static List<String> metricNames() {
        return METRICS;
    }

    /** The input of one group: the points given (the {@code --npy} input) and the files they came from. */
    public record Points(PointSet points, List<Provenance.Input> inputs) {}

    /**
     * The input of an activation-set analysis: its groups, the files they came from, and whether to give
     * phase verdicts between consecutive sizes per domain.
     */
    public record Groups(List<ActivationGroups.Input> groups, List<Provenance.Input> inputs, boolean compareSizes) {}

    /** Every metric of the one group of points. */
    public static Result analyze(Points input, Options options) {
        PointSet points = input.points();
        List<Provenance.Input> inputs = input.inputs();
        Outcome g = analyzeGroup(new ActivationGroups.Input("all", null, 0, null, null, null, points, trajectoryIds(points), null,
                "needs attention and MLP outputs (blocks.L.hook_attn_out, blocks.L.hook_mlp_out) from an activation set (--acts)"),
                options);
        return new Result(List.of(g.group), List.of(), Provenance.of("geometry", inputs, provenanceOptions(options, false), options.seed()));
    }

    /** Every group of activation-set inputs; with {@code compareSizes}, phase verdicts between consecutive sizes per domain. */
    public static Result analyze(Groups input, Options options) {
        List<Provenance.Input> inputs = input.inputs();
        boolean compareSizes = input.compareSizes();
        List<Outcome> outcomes = new ArrayList<>();
        for (ActivationGroups.Input in : input.groups()) {
            outcomes.add(analyzeGroup(in, options));
        }
        List<PhaseVerdict.Comparison> comparisons = compareSizes ? PhaseVerdict.compare(outcomes, options.phase()) : List.of();
        Map<String, Object> opts = provenanceOptions(options, compareSizes);
        if (!input.groups().isEmpty()) {
            // Every group of one analysis comes from one ActivationGroups call: one unit and pool.
            ActivationGroups.Input first = input.groups().get(0);
            opts.put("unit", first.unit().label());
            if (first.unit() == StepPooling.Unit.STEP) {
                opts.put("pool", first.pool().label());
            }
        }
        return new Result(outcomes.stream().map(o -> o.group).toList(), comparisons, Provenance.of("geometry", inputs, opts, options.seed()));
    }

    /** The options a result's provenance records (every engine records the same). */
    public static Map<String, Object> provenanceOptions(Options options, boolean compareSizes) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("twonn_discard_fraction", options.twonnDiscardFraction());
        opts.put("tangling_epsilon", options.tanglingEpsilon());
        opts.put("tangling_epsilon_fraction", options.tanglingEpsilonFraction());
        opts.put("null_replicates", options.nullReplicates());
        opts.put("tangling_max_times", options.tanglingMaxTimes());
        opts.put("distances", options.distances().name().toLowerCase(Locale.ROOT));
        opts.put("bootstrap_replicates", options.bootstrapReplicates());
        opts.put("k_range", List.of(options.kMin(), options.kMax()));
        opts.put("silhouette_exact_max", options.silhouetteExactMax());
        opts.put("silhouette_sample", options.silhouetteSample());
        if (compareSizes) {
            opts.put("phase_thresholds", options.phase());
        }
        return opts;
    }

    private static List<String> trajectoryIds(PointSet p) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < p.trajectoryCount(); k++) {
            ids.add(Integer.toString(k));
        }
        return ids;
    }

    /** A group's result and its bootstrap replicates per metric (for the comparisons). */
    record Outcome(Group group, Map<String, double[]> replicates) {}

    /** Every metric of one point set, with baselines when {@code options.nullReplicates() ≥ 2}. */
    public static Group group(String name, PointSet p, Options options) {
        return analyzeGroup(new ActivationGroups.Input(name, null, 0, null, null, null, p, trajectoryIds(p), null,
                "needs attention and MLP outputs from an activation set"), options).group;
    }

    static Outcome analyzeGroup(ActivationGroups.Input in, Options options) {
        PointSet p = in.points();
        Covariance cov = p.size() >= 2 ? Covariance.of(p) : null;
        Double eps = epsilon(cov, options);
        Map<String, String> reasons = new LinkedHashMap<>();
        if (in.dropped() != null) {
            reasons.put("steps", in.dropped());
        }
        Clustering clustering = clustering(p, options);
        Silhouette.Estimate sil = clustering.estimate();
        Integer k = clustering.k();
        MetricValue silValue = sil == null ? MetricValue.missing(clustering.why()) : MetricValue.of(sil.value());
        Computed c = compute(p, cov, eps, options, reasons, q -> silValue);
        MetricValue coherence = in.coherence() == null ? MetricValue.missing(in.coherenceReason()) : OscillationCoherence.of(in.coherence());
        if (!coherence.present()) {
            reasons.put("oscillation_coherence", coherence.reason());
        }
        Map<String, Map<String, Baseline>> baselines = new LinkedHashMap<>();
        if (options.nullReplicates() >= 2 && cov != null) {
            baselines.put(GAUSSIAN, baselines(c.values, p, cov, GAUSSIAN, options));
            if (p.hasTrajectories()) {
                baselines.put(SHUFFLED_STEPS, baselines(c.values, p, cov, SHUFFLED_STEPS, options));
            } else {
                reasons.putIfAbsent("baseline_shuffled_steps", "no trajectories given");
            }
        } else if (options.nullReplicates() >= 2) {
            reasons.put("baselines", "null models need at least 2 points");
        }
        if (coherence.present()) {
            baselines.put(PERMUTED_PAIRING, Map.of("oscillation_coherence", OscillationCoherence.permutedPairing(in.coherence())));
        }
        String seedKey = String.join("\u0000", in.trajectoryIds());
        Map<String, double[]> replicates = bootstrap(p, options, in.coherence(), seedKey, reasons, c, sil);
        Map<String, double[]> ci = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : replicates.entrySet()) {
            double[] iv = Quantiles.percentileInterval(e.getValue(), 0.95);
            if (Double.isFinite(iv[0])) {
                ci.put(e.getKey(), iv);
            }
        }
        TrajectoryTangling.Summary t = c.tangling;
        List<Double> perTrajectory = null;
        if (t != null) {
            perTrajectory = new ArrayList<>();
            for (double v : t.perTrajectoryMean()) {
                perTrajectory.add(Double.isNaN(v) ? null : v);
            }
        }
        double[] silCi = sil == null || sil.exact() ? null : new double[] {sil.ciLow(), sil.ciHigh()};
        Group group = new Group(in.name(), in.model(), in.model() == null ? null : in.parameterCount(), in.domain(), in.label(), in.hook(),
                p.size(), p.dimension(), p.trajectoryCount(),
                c.values.get("participation_ratio").value(),
                toInt(c.values.get("d90")), toInt(c.values.get("d95")),
                c.values.get("twonn").value(), c.values.get("alignment").value(),
                t == null ? null : t.mean(), t == null ? null : t.median(), t == null ? null : t.p90(),
                t == null ? null : t.epsilon(), perTrajectory,
                c.values.get("step_cosine").value(), sil == null ? null : sil.value(), clustering.source(), silCi, k, clustering.byK(),
                coherence.value(), c.scree, reasons, baselines, replicates.isEmpty() ? 0 : options.bootstrapReplicates(), ci, in.unitName());
        return new Outcome(group, replicates);
    }

    /** Tangling's ε: the absolute one given, else the fraction of this point set's own total variance. */
    private static Double epsilon(Covariance cov, Options o) {
        if (o.tanglingEpsilon() != null) {
            return o.tanglingEpsilon();
        }
        return cov == null ? null : o.tanglingEpsilonFraction() * cov.trace();
    }

    /**
     * The silhouette's clustering: the given labels, else k-means with k chosen by silhouette.
     *
     * @param source {@code labels}, {@code kmeans} or null (no silhouette)
     * @param why    why there is no estimate (null when there is one)
     */
    private record Clustering(Silhouette.Estimate estimate, String source, Integer k, Map<Integer, Double> byK, String why) {}

    private static Clustering clustering(PointSet p, Options o) {
        String[] why = new String[1];
        if (p.hasLabels()) {
            Silhouette.Estimate[] e = Silhouette.estimate(p, new int[][] {p.labels()}, o.distances(), o.silhouetteExactMax(),
                    o.silhouetteSample(), o.seed(), why);
            return new Clustering(e == null ? null : e[0], "labels", null, null, why[0]);
        }
        if (o.kMax() == 0) {
            return new Clustering(null, null, null, null, "no labels given and k-means is off (k-max 0)");
        }
        if (p.size() < 3) {
            return new Clustering(null, "kmeans", null, null, "k-means silhouette needs at least 3 points, got " + p.size());
        }
        ClusterSelection sel = ClusterSelection.of(p, new ClusterSelection.Options(o.kMin(), o.kMax(), o.silhouetteExactMax(),
                o.silhouetteSample(), o.distances(), o.seed()), why);
        return sel == null ? new Clustering(null, "kmeans", null, null, why[0])
                : new Clustering(sel.silhouette(), "kmeans", sel.k(), sel.byK(), null);
    }

    /**
     * One null model's baselines: every replicate goes through the same pipeline as the data — its
     * own covariance, its own tangling ε, its own choice of k for the k-means silhouette — so that
     * under the null the observed metric and the replicates' are draws from one distribution.
     */
    private static Map<String, Baseline> baselines(Map<String, MetricValue> observed, PointSet p, Covariance cov, String model, Options o) {
        long seed = o.seed() * 1_000_003L;
        IntFunction<PointSet> draw;
        if (model.equals(GAUSSIAN)) {
            NullModels.Loadings loadings = NullModels.Loadings.of(cov, p.size());
            draw = r -> NullModels.gaussian(p, cov, loadings, seed + r);
        } else {
            draw = r -> NullModels.shuffledSteps(p, seed + 500_000 + r);
        }
        List<Map<String, MetricValue>> runs = new ArrayList<>();
        for (int r = 0; r < o.nullReplicates(); r++) {
            PointSet q = draw.apply(r);
            Covariance qc = Covariance.of(q);
            Clustering cl = clustering(q, o);
            MetricValue sil = cl.estimate() == null ? MetricValue.missing(cl.why()) : MetricValue.of(cl.estimate().value());
            runs.add(compute(q, qc, epsilon(qc, o), o, new LinkedHashMap<>(), x -> sil).values);
        }
        return summarize(observed, runs, UNTESTED.getOrDefault(model, Map.of()));
    }

    /**
     * Percentile bootstrap over trajectories (Efron &amp; Tibshirani 1993, ch. 13): each replicate draws
     * as many trajectories as the group has, with replacement. Metrics of the whole cloud are
     * recomputed on the drawn rows (participation ratio, d90, d95, step cosine; alignment over pairs
     * of different trajectories, {@link TrajectoryAlignment#weighted}). Per-point quantities that
     * depend on all other points — TwoNN's ratio μ_i, tangling's Q(t), the silhouette's s(i) — are
     * computed once on the full group and resampled with their trajectories: a duplicated point
     * would otherwise be its own nearest neighbour at distance 0 (TwoNN, silhouette) or shrink the
     * set a maximum runs over (tangling). The interval therefore reflects which trajectories were
     * observed, given those per-point values. Groups with the same trajectory ids draw the same
     * resamples (a paired bootstrap when two models saw the same prompts).
     */
    private static Map<String, double[]> bootstrap(PointSet p, Options o, OscillationCoherence.Moments[] coherence, String seedKey,
            Map<String, String> reasons, Computed full, Silhouette.Estimate sil) {
        int b = o.bootstrapReplicates();
        Map<String, double[]> out = new LinkedHashMap<>();
        if (b == 0) {
            return out;
        }
        int trajectories = p.trajectoryCount();
        if (trajectories < 2) {
            reasons.put("bootstrap", "bootstrap intervals resample trajectories and need at least 2, got " + trajectories);
            return out;
        }
        for (String m : METRICS) {
            double[] v = new double[b];
            Arrays.fill(v, Double.NaN);
            out.put(m, v);
        }
        int n = p.size();
        int[] owner = new int[n];
        for (int k = 0; k < trajectories; k++) {
            Arrays.fill(owner, p.trajectoryStart(k), p.trajectoryEnd(k), k);
        }
        // Per-trajectory sums of the per-point quantities.
        double[] silSum = new double[trajectories];
        int[] silCount = new int[trajectories];
        if (sil != null) {
            for (int i = 0; i < sil.scores().length; i++) {
                int k = owner[sil.sampled() == null ? i : sil.sampled()[i]];
                silSum[k] += sil.scores()[i];
                silCount[k]++;
            }
        }
        TrajectoryTangling.Summary t = full.tangling();
        long seed = o.seed() * 0x9E3779B97F4A7C15L + seedKey.hashCode();
        double[][] directions = TrajectoryAlignment.directions(p);
        for (int r = 0; r < b; r++) {
            int[] idx = Bootstrap.resample(trajectories, seed, r);
            int[] counts = new int[trajectories];
            for (int k : idx) {
                counts[k]++;
            }
            PointSet s = p.selectTrajectories(idx);
            Covariance cov = s.size() >= 2 ? Covariance.of(s) : null;
            if (cov != null) {
                out.get("participation_ratio")[r] = value(ParticipationRatio.of(cov));
                VarianceSpectrum spectrum = VarianceSpectrum.of(cov);
                out.get("d90")[r] = value(spectrum.componentsFor(0.90));
                out.get("d95")[r] = value(spectrum.componentsFor(0.95));
            }
            out.get("alignment")[r] = value(TrajectoryAlignment.weighted(directions, counts));
            out.get("step_cosine")[r] = value(StepCosine.of(s));
            if (t != null) {
                double q = 0;
                long times = 0;
                for (int k = 0; k < trajectories; k++) {
                    if (counts[k] > 0 && t.perTrajectoryTimes()[k] > 0) {
                        q += counts[k] * t.perTrajectoryMean()[k] * t.perTrajectoryTimes()[k];
                        times += (long) counts[k] * t.perTrajectoryTimes()[k];
                    }
                }
                out.get("tangling")[r] = times == 0 ? Double.NaN : q / times;
            }
            if (full.twonnRatios() != null) {
                double[] mu = new double[s.size()];
                int m = 0;
                for (int k : idx) {
                    for (int i = p.trajectoryStart(k); i < p.trajectoryEnd(k); i++) {
                        mu[m++] = full.twonnRatios()[i];
                    }
                }
                out.get("twonn")[r] = value(TwoNN.estimate(Arrays.copyOf(mu, m), o.twonnDiscardFraction()));
            }
            if (sil != null) {
                double sum = 0;
                long count = 0;
                for (int k = 0; k < trajectories; k++) {
                    sum += counts[k] * silSum[k];
                    count += (long) counts[k] * silCount[k];
                }
                out.get("silhouette")[r] = count == 0 ? Double.NaN : sum / count;
            }
            if (coherence != null && coherence.length == trajectories) {
                out.get("oscillation_coherence")[r] = value(OscillationCoherence.of(coherence, idx));
            }
        }
        return out;
    }

    private static double value(MetricValue v) {
        return v.present() ? v.value() : Double.NaN;
    }

    private static Integer toInt(MetricValue v) {
        return v.present() ? (int) Math.round(v.value()) : null;
    }

    private interface SilhouetteOf {
        MetricValue of(PointSet p);
    }

    /**
     * The participation ratio, d90 and d95 of {@code cov} put into {@code v} (missing, with the reason,
     * when there is no covariance: fewer than 2 points); returns the scree's explained fractions. Both
     * engines, in memory and streamed, report these from their covariance through here.
     */
    static double[] covarianceMetrics(Covariance cov, long points, Options o, Map<String, MetricValue> v) {
        if (cov == null) {
            String why = "needs at least 2 points, got " + points;
            v.put("participation_ratio", MetricValue.missing(why));
            v.put("d90", MetricValue.missing(why));
            v.put("d95", MetricValue.missing(why));
            return new double[0];
        }
        v.put("participation_ratio", ParticipationRatio.of(cov));
        VarianceSpectrum s = VarianceSpectrum.of(cov);
        v.put("d90", s.componentsFor(0.90));
        v.put("d95", s.componentsFor(0.95));
        return s.explainedFractions(o.screeComponents());
    }

    private record Computed(Map<String, MetricValue> values, TrajectoryTangling.Summary tangling, double[] scree, double[] twonnRatios) {}

    private static Computed compute(PointSet p, Covariance cov, Double eps, Options o, Map<String, String> reasons, SilhouetteOf silhouette) {
        Map<String, MetricValue> v = new LinkedHashMap<>();
        double[] scree = covarianceMetrics(cov, p.size(), o, v);
        double[] ratios = p.size() >= 3 ? TwoNN.ratios(p, o.distances()) : null;
        v.put("twonn", ratios == null ? MetricValue.missing("TwoNN needs at least 3 points, got " + p.size())
                : TwoNN.estimate(ratios, o.twonnDiscardFraction()));
        v.put("alignment", TrajectoryAlignment.of(p));
        String[] why = new String[1];
        TrajectoryTangling.Summary t = null;
        if (eps == null) {
            why[0] = "needs at least 2 points for the default epsilon";
        } else {
            t = TrajectoryTangling.of(p, eps, o.tanglingMaxTimes(), o.distances(), why);
        }
        v.put("tangling", t == null ? MetricValue.missing(why[0]) : MetricValue.of(t.mean()));
        v.put("step_cosine", StepCosine.of(p));
        v.put("silhouette", silhouette.of(p));
        for (Map.Entry<String, MetricValue> e : v.entrySet()) {
            if (!e.getValue().present()) {
                reasons.put(e.getKey(), e.getValue().reason());
            }
        }
        return new Computed(v, t, scree, ratios);
    }

    /** One null model's baselines of a point set, exactly as a full analysis computes them. */
    static Map<String, Baseline> baselines(PointSet p, String model, Options o) {
        Covariance cov = Covariance.of(p);
        Clustering cl = clustering(p, o);
        MetricValue sil = cl.estimate() == null ? MetricValue.missing(cl.why()) : MetricValue.of(cl.estimate().value());
        Map<String, MetricValue> observed = compute(p, cov, epsilon(cov, o), o, new LinkedHashMap<>(), x -> sil).values;
        return baselines(observed, p, cov, model, o);
    }

    static Map<String, Baseline> summarize(Map<String, MetricValue> observed, List<Map<String, MetricValue>> runs,
            Map<String, String> untested) {
        Map<String, Baseline> out = new LinkedHashMap<>();
        for (String key : POINT_METRICS) {
            if (untested.containsKey(key)) {
                out.put(key, Baseline.untested(untested.get(key)));
                continue;
            }
            List<Double> xs = new ArrayList<>();
            for (Map<String, MetricValue> run : runs) {
                MetricValue mv = run.get(key);
                if (mv.present()) {
                    xs.add(mv.value());
                }
            }
            MetricValue obs = observed.get(key);
            out.put(key, baseline(obs.present() ? obs.value() : null, xs.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return out;
    }

    /**
     * A Student-t statistic with {@code df} degrees of freedom as the standard-normal quantile of the
     * same tail probability, so a z reads the same whatever the number of replicates (|z| &gt; 2:
     * 4.6 % under the null). Computed from the smaller tail; where that probability underflows
     * (|t| in the hundreds) the t value itself is returned.
     */
    static double normalScale(double t, int df) {
        double tail = new TDistribution(df).cumulativeProbability(-Math.abs(t));
        if (!(tail > 0)) {
            return t;
        }
        double z = -new NormalDistribution(0, 1).inverseCumulativeProbability(tail);
        return Math.copySign(Math.min(z, Math.abs(t)), t);
    }

    /** The {@link Baseline} of an observed value (null when missing) against replicate values. */
    static Baseline baseline(Double value, double[] xs) {
        int r = xs.length;
        if (r == 0) {
            return new Baseline(null, null, null, 0, null, null, null, null);
        }
        double mean = Arrays.stream(xs).average().orElseThrow();
        Double sd = null;
        if (r >= 2) {
            double ss = 0;
            for (double x : xs) {
                ss += (x - mean) * (x - mean);
            }
            sd = Math.sqrt(ss / (r - 1));
        }
        if (value == null) {
            return new Baseline(mean, sd, null, r, null, null, null, null);
        }
        Double z = sd != null && sd > 0 ? normalScale((value - mean) / (sd * Math.sqrt(1 + 1.0 / r)), r - 1) : null;
        int above = 0;
        int below = 0;
        for (double x : xs) {
            above += x >= value ? 1 : 0;
            below += x <= value ? 1 : 0;
        }
        double p = Math.min(1, 2.0 * (1 + Math.min(above, below)) / (r + 1));
        return new Baseline(mean, sd, z, r, value - mean, value >= 0 && mean > 0 ? value / mean : null, p, null);
    }
}
