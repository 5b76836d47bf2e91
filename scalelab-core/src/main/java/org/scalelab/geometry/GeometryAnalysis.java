package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * All geometry metrics of a point set, each beside its null baselines: {@code Result analyze(PointSet,
 * Options)}. A metric that cannot be computed for the input is null, with its reason in
 * {@code reasons}.
 */
public final class GeometryAnalysis {
    private GeometryAnalysis() {}

    public static final String GAUSSIAN = "gaussian";
    public static final String SHUFFLED_STEPS = "shuffled_steps";
    static final List<String> METRICS = List.of("participation_ratio", "d90", "d95", "twonn", "alignment", "tangling",
            "step_cosine", "silhouette");

    /**
     * @param twonnDiscardFraction fraction of the largest TwoNN ratios left out (scikit-dimension: 0.1)
     * @param tanglingEpsilon absolute ε of tangling; null: {@code tanglingEpsilonFraction} × total variance
     * @param nullReplicates replicates of each null model (0: no baselines)
     * @param seed seed of the null models
     * @param screeComponents how many explained-variance fractions to keep for the scree plot
     * @param distances arithmetic of pairwise distances (silhouette, TwoNN); FLOAT64 matches scikit-learn
     * @param tanglingMaxTimes above this many trajectory times tangling is null with a reason (O(m²) pairs)
     */
    public record Options(double twonnDiscardFraction, Double tanglingEpsilon, double tanglingEpsilonFraction,
            int nullReplicates, long seed, int screeComponents, DistancePrecision distances, int tanglingMaxTimes) {
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
                distances = DistancePrecision.FLOAT64;
            }
            if (nullReplicates < 0 || nullReplicates == 1) {
                throw new InputException("null replicates must be 0 (no baselines) or at least 2 (for a z-score), got " + nullReplicates);
            }
        }

        public static Options defaults() {
            return new Options(TwoNN.DEFAULT_DISCARD_FRACTION, null, TrajectoryTangling.DEFAULT_EPSILON_FRACTION, 5, 0L, 50,
                    DistancePrecision.FLOAT64, TrajectoryTangling.DEFAULT_MAX_TIMES);
        }

        public Options withNullReplicates(int r) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, r, seed, screeComponents, distances, tanglingMaxTimes);
        }

        public Options withSeed(long s) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, s, screeComponents, distances, tanglingMaxTimes);
        }

        public Options withTanglingEpsilon(Double e) {
            return new Options(twonnDiscardFraction, e, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, distances, tanglingMaxTimes);
        }

        public Options withTanglingMaxTimes(int max) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents,
                    distances, max);
        }

        public Options withDistances(DistancePrecision p) {
            return new Options(twonnDiscardFraction, tanglingEpsilon, tanglingEpsilonFraction, nullReplicates, seed, screeComponents, p, tanglingMaxTimes);
        }
    }

    /**
     * One metric under one null model: mean and sample standard deviation over the replicates where
     * it was computable, and z = (value − mean) / sd (null when the sd is 0 or the metric is missing).
     */
    public record Baseline(Double mean, Double sd, Double z, int replicates) {}

    /** The metrics of one group of points (JSON keys are the snake_case component names). */
    public record Group(
            String name,
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
            double[] explainedVariance,
            Map<String, String> reasons,
            Map<String, Map<String, Baseline>> baselines) {

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
                default -> throw new IllegalArgumentException("unknown metric " + key);
            };
        }
    }

    public record Result(List<Group> groups, Provenance provenance) {}

    public static List<String> metricNames() {
        return METRICS;
    }

    public static Result analyze(PointSet points, Options options, List<Provenance.Input> inputs) {
        Group g = group("all", points, options);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("twonn_discard_fraction", options.twonnDiscardFraction());
        opts.put("tangling_epsilon", options.tanglingEpsilon());
        opts.put("tangling_epsilon_fraction", options.tanglingEpsilonFraction());
        opts.put("null_replicates", options.nullReplicates());
        opts.put("tangling_max_times", options.tanglingMaxTimes());
        opts.put("distances", options.distances().name().toLowerCase(java.util.Locale.ROOT));
        return new Result(List.of(g), Provenance.of("geometry", inputs, opts, options.seed()));
    }

    /** Every metric of one point set, with baselines when {@code options.nullReplicates() ≥ 2}. */
    public static Group group(String name, PointSet p, Options options) {
        Covariance cov = p.size() >= 2 ? Covariance.of(p) : null;
        Double eps = options.tanglingEpsilon();
        if (eps == null && cov != null) {
            eps = options.tanglingEpsilonFraction() * cov.trace();
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        Computed c = compute(p, cov, eps, options, reasons);
        Map<String, Map<String, Baseline>> baselines = new LinkedHashMap<>();
        if (options.nullReplicates() >= 2 && cov != null) {
            FloatBuffer factor = NullModels.covarianceFactorTransposed(cov);
            List<Map<String, MetricValue>> runs = new ArrayList<>();
            for (int r = 0; r < options.nullReplicates(); r++) {
                PointSet g = NullModels.gaussian(p, cov, factor, options.seed() * 1_000_003L + r);
                runs.add(compute(g, Covariance.of(g), eps, options, new LinkedHashMap<>()).values);
            }
            baselines.put(GAUSSIAN, summarize(c.values, runs));
            if (p.hasTrajectories()) {
                List<Map<String, MetricValue>> shuffled = new ArrayList<>();
                for (int r = 0; r < options.nullReplicates(); r++) {
                    PointSet s = NullModels.shuffledSteps(p, options.seed() * 1_000_003L + 500_000 + r);
                    shuffled.add(compute(s, Covariance.of(s), eps, options, new LinkedHashMap<>()).values);
                }
                baselines.put(SHUFFLED_STEPS, summarize(c.values, shuffled));
            } else {
                reasons.putIfAbsent("baseline_shuffled_steps", "no trajectories given");
            }
        } else if (options.nullReplicates() >= 2) {
            reasons.put("baselines", "null models need at least 2 points");
        }
        TrajectoryTangling.Summary t = c.tangling;
        List<Double> perTrajectory = null;
        if (t != null) {
            perTrajectory = new ArrayList<>();
            for (double v : t.perTrajectoryMean()) {
                perTrajectory.add(Double.isNaN(v) ? null : v);
            }
        }
        return new Group(name, p.size(), p.dimension(), p.trajectoryCount(),
                c.values.get("participation_ratio").value(),
                toInt(c.values.get("d90")), toInt(c.values.get("d95")),
                c.values.get("twonn").value(), c.values.get("alignment").value(),
                t == null ? null : t.mean(), t == null ? null : t.median(), t == null ? null : t.p90(),
                t == null ? null : t.epsilon(), perTrajectory,
                c.values.get("step_cosine").value(), c.values.get("silhouette").value(),
                c.scree, reasons, baselines);
    }

    private static Integer toInt(MetricValue v) {
        return v.present() ? (int) Math.round(v.value()) : null;
    }

    private record Computed(Map<String, MetricValue> values, TrajectoryTangling.Summary tangling, double[] scree) {}

    private static Computed compute(PointSet p, Covariance cov, Double eps, Options o, Map<String, String> reasons) {
        Map<String, MetricValue> v = new LinkedHashMap<>();
        double[] scree = new double[0];
        if (cov == null) {
            String why = "needs at least 2 points, got " + p.size();
            v.put("participation_ratio", MetricValue.missing(why));
            v.put("d90", MetricValue.missing(why));
            v.put("d95", MetricValue.missing(why));
        } else {
            v.put("participation_ratio", ParticipationRatio.of(cov));
            VarianceSpectrum s = VarianceSpectrum.of(cov);
            v.put("d90", s.componentsFor(0.90));
            v.put("d95", s.componentsFor(0.95));
            scree = s.explainedFractions(o.screeComponents());
        }
        v.put("twonn", TwoNN.of(p, o.twonnDiscardFraction(), o.distances()));
        v.put("alignment", TrajectoryAlignment.of(p));
        String[] why = new String[1];
        TrajectoryTangling.Summary t = null;
        if (eps == null) {
            why[0] = "needs at least 2 points for the default epsilon";
        } else {
            t = TrajectoryTangling.of(p, eps, o.tanglingMaxTimes(), why);
        }
        v.put("tangling", t == null ? MetricValue.missing(why[0]) : MetricValue.of(t.mean()));
        v.put("step_cosine", StepCosine.of(p));
        v.put("silhouette", Silhouette.of(p, o.distances()));
        for (Map.Entry<String, MetricValue> e : v.entrySet()) {
            if (!e.getValue().present()) {
                reasons.put(e.getKey(), e.getValue().reason());
            }
        }
        return new Computed(v, t, scree);
    }

    private static Map<String, Baseline> summarize(Map<String, MetricValue> observed, List<Map<String, MetricValue>> runs) {
        Map<String, Baseline> out = new LinkedHashMap<>();
        for (String key : METRICS) {
            List<Double> xs = new ArrayList<>();
            for (Map<String, MetricValue> run : runs) {
                MetricValue mv = run.get(key);
                if (mv.present()) {
                    xs.add(mv.value());
                }
            }
            if (xs.isEmpty()) {
                out.put(key, new Baseline(null, null, null, 0));
                continue;
            }
            double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            Double sd = null;
            if (xs.size() >= 2) {
                double ss = 0;
                for (double x : xs) {
                    ss += (x - mean) * (x - mean);
                }
                sd = Math.sqrt(ss / (xs.size() - 1));
            }
            Double z = null;
            MetricValue obs = observed.get(key);
            if (obs.present() && sd != null && sd > 0) {
                z = (obs.value() - mean) / sd;
            }
            out.put(key, new Baseline(mean, sd, z, xs.size()));
        }
        return out;
    }
}
