package org.scalelab.geometry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;
import org.scalelab.stats.RankCorrelation;

/**
 * The cost of thought: does how long a model reasons follow the geometry of its trajectory, or the
 * difficulty of the problem?
 *
 * <p>Per trajectory: its cost in tokens, steps and forward FLOPs (from the manifest) and its own
 * geometry: mean tangling Q(t) over its times ({@link TrajectoryTangling}, t' over the whole group),
 * mean step cosine ({@link StepCosine#perTrajectory}) and alignment to its domain's mean direction,
 * cos(u_k, m_{−k}) with u_k the unit displacement (last − first) of trajectory k and m_{−k} the mean of
 * the unit displacements of the group's <em>other</em> trajectories (leaving k out keeps a trajectory
 * from being aligned with itself, which would raise every value by about 1/K).
 *
 * <p>Per group (a model size × a domain): Spearman's ρ of the cost with each geometry measure and with
 * {@code labels.difficulty}, the partial ρ of cost with each measure given difficulty, and the partial
 * ρ of cost with difficulty given each measure ({@link RankCorrelation}), each with a percentile
 * bootstrap interval over trajectories (one seeded resample of trajectories serves every association
 * of a replicate). The group's answer to "the cost of thought follows the geometry rather than the
 * difficulty" judges the geometry from the partial correlations given difficulty at a Bonferroni
 * level over the measures it compares (so that looking at three measures does not triple the rate of
 * false claims), and the difficulty from ρ(cost, difficulty) at the nominal level.
 */
public final class ThoughtCost {
    private ThoughtCost() {}

    /** Fewer trajectories than this give no association (a reason instead): ranks of a handful say little. */
    public static final int MIN_TRAJECTORIES = 8;

    public static final int DEFAULT_BOOTSTRAP = 1000;

    public static final String DIFFICULTY_LABEL = "difficulty";

    /** The geometry measures of a trajectory, as they are named in the associations. */
    public static final List<String> MEASURES = List.of("tangling", "step_cosine", "alignment");

    /** What a trajectory's cost is counted in. */
    public enum Cost {
        TOKENS, STEPS, FLOPS;

        public static Cost parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "tokens" -> TOKENS;
                case "steps" -> STEPS;
                case "flops" -> FLOPS;
                default -> throw new InputException("--cost: '" + InputException.quote(s) + "' is not one of tokens, steps, flops");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What the manifest says of one trajectory.
     *
     * @param tokens     the tokens of its sequence ({@code token_count}: prompt and chain, every position the model ran)
     * @param steps      its reasoning steps: the number of its {@code step_boundaries} (each starts a step; 0 when none)
     * @param flops      forward FLOPs of its sequence ({@link #forwardFlops}); null when the manifest lacks the model's size
     * @param difficulty its numeric {@code labels.difficulty}, or null when it has none
     */
    public record Facts(int tokens, int steps, Double flops, Double difficulty) {
        /** The facts of trajectory {@code t} of {@code set}; a difficulty that is not a number is an InputException. */
        public static Facts of(ActivationSet set, ActivationManifest.Trajectory t) {
            return of(set, t, DIFFICULTY_LABEL);
        }

        /** As above with the difficulty read from {@code labels.KEY}. */
        public static Facts of(ActivationSet set, ActivationManifest.Trajectory t, String difficultyKey) {
            ActivationManifest m = set.manifest();
            int steps = t.stepBoundaries() == null ? 0 : t.stepBoundaries().size();
            Double flops = m.parameterCount() > 0 && m.nLayers() > 0 && m.dModel() > 0
                    ? forwardFlops(m.parameterCount(), m.nLayers(), m.dModel(), t.tokenCount()) : null;
            return new Facts(t.tokenCount(), steps, flops, labelledDifficulty(set, t, difficultyKey));
        }
    }

    /**
     * Forward FLOPs of a sequence of T tokens, after Kaplan et al. 2020 (Scaling Laws for Neural Language
     * Models, Table 1): C_forward ≈ 2N + 2·n_layer·n_ctx·d_model per token, with n_ctx the positions the
     * token attends to (p + 1 at position p, causal). Summed over p = 0 … T−1:
     * 2N·T + n_layer·d_model·T·(T + 1). N is the manifest's parameter count (embeddings included, where
     * Kaplan et al. count non-embedding parameters: a constant per token, so ranks are the same).
     */
    public static double forwardFlops(long parameterCount, int nLayers, int dModel, int tokens) {
        double t = tokens;
        return 2.0 * parameterCount * t + (double) nLayers * dModel * t * (t + 1);
    }

    private static Double labelledDifficulty(ActivationSet set, ActivationManifest.Trajectory t, String key) {
        JsonNode labels = t.labels();
        if (labels == null || !labels.isObject() || !labels.has(key) || labels.get(key).isNull()) {
            return null;
        }
        JsonNode v = labels.get(key);
        double d;
        if (v.isNumber()) {
            d = v.asDouble();
        } else {
            try {
                d = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
        }
        if (!Double.isFinite(d)) {
            throw new InputException(set.dir() + ": trajectory \"" + t.id() + "\" has labels." + key + " = " + InputException.quote(v.toString())
                    + ", not a finite number; give difficulty as a number (an ordinal such as 1, 2, 3) or leave it out");
        }
        return d;
    }

    /** One group's points with the facts of its trajectories, in the order of {@code points.trajectoryIds()}. */
    public record Group(ActivationGroups.Input points, List<Facts> facts) {
        public Group {
            facts = List.copyOf(facts);
            if (facts.size() != points.trajectoryIds().size()) {
                throw new IllegalArgumentException(facts.size() + " facts for " + points.trajectoryIds().size() + " trajectories of " + points.name());
            }
        }
    }

    public record Input(List<Group> groups, List<Provenance.Input> inputs) {
        public Input {
            groups = List.copyOf(groups);
            inputs = List.copyOf(inputs);
        }

        /**
         * The groups of {@code sets} (as {@link ActivationGroups#of} split them, by model and domain) with
         * each trajectory's facts from the set of its model that holds it.
         */
        public static Input of(List<ActivationSet> sets, List<ActivationGroups.Input> groups, List<Provenance.Input> inputs) {
            return of(sets, groups, inputs, DIFFICULTY_LABEL);
        }

        /** As above with each trajectory's difficulty read from {@code labels.KEY} (e.g. the world's {@code hops}). */
        public static Input of(List<ActivationSet> sets, List<ActivationGroups.Input> groups, List<Provenance.Input> inputs, String difficultyKey) {
            // model → domain → id → the first trajectory of that model holding it (sets of one model are pooled by ActivationGroups)
            Map<String, Map<String, Map<String, Facts>>> byModel = new LinkedHashMap<>();
            for (ActivationSet set : sets) {
                Map<String, Map<String, Facts>> byDomain = byModel.computeIfAbsent(set.model(), k -> new LinkedHashMap<>());
                for (ActivationManifest.Trajectory t : set.trajectories()) {
                    String domain = t.domain() == null ? "(none)" : t.domain();
                    Map<String, Facts> ids = byDomain.computeIfAbsent(domain, k -> new LinkedHashMap<>());
                    if (!ids.containsKey(t.id())) {
                        ids.put(t.id(), Facts.of(set, t, difficultyKey));
                    }
                }
            }
            List<Group> out = new ArrayList<>();
            for (ActivationGroups.Input g : groups) {
                Map<String, Map<String, Facts>> byDomain = byModel.getOrDefault(g.model(), Map.of());
                List<Facts> facts = new ArrayList<>();
                for (String id : g.trajectoryIds()) {
                    Facts f = null;
                    if (g.domain() != null) {
                        f = byDomain.getOrDefault(g.domain(), Map.of()).get(id);
                    } else {
                        for (Map<String, Facts> ids : byDomain.values()) {
                            f = f != null ? f : ids.get(id);
                        }
                    }
                    if (f == null) {
                        throw new IllegalStateException("trajectory " + id + " of group " + g.name() + " is in none of its model's sets");
                    }
                    facts.add(f);
                }
                out.add(new Group(g, facts));
            }
            return new Input(out, inputs);
        }
    }

    /**
     * @param cost             what cost is counted in
     * @param bootstrap        resamples of trajectories for the intervals (at least 100 for a claim: fewer leave the
     *                         tails of a 95 % interval to a handful of replicates)
     * @param seed             the bootstrap's seed
     * @param level            the intervals' confidence level
     * @param tanglingEpsilon  absolute ε of tangling; null: 0.1 × the group's total variance
     * @param tanglingMaxTimes above this many times a group's tangling is null with a reason
     * @param unit             what a point is ("token", "step (mean)"), recorded with the result
     * @param difficultyLabel  the label the difficulty was read from ({@code difficulty} unless the input says otherwise), for messages
     */
    public record Options(Cost cost, int bootstrap, long seed, double level, Double tanglingEpsilon, int tanglingMaxTimes, String unit,
                          String difficultyLabel) {
        public Options {
            if (bootstrap < 0 || bootstrap > 1_000_000) {
                throw new InputException("--bootstrap " + bootstrap + ": give 0 (no intervals) to 1000000 resamples");
            }
            if (!(level > 0 && level < 1)) {
                throw new InputException("level " + level + ": give a confidence level between 0 and 1 (e.g. 0.95)");
            }
            if (tanglingEpsilon != null && !(tanglingEpsilon > 0 && Double.isFinite(tanglingEpsilon))) {
                throw new InputException("--tangling-epsilon " + tanglingEpsilon + ": give a positive finite number");
            }
            unit = unit == null ? "token" : unit;
            difficultyLabel = difficultyLabel == null ? DIFFICULTY_LABEL : difficultyLabel;
        }

        /** Difficulty from {@code labels.difficulty}. */
        public Options(Cost cost, int bootstrap, long seed, double level, Double tanglingEpsilon, int tanglingMaxTimes, String unit) {
            this(cost, bootstrap, seed, level, tanglingEpsilon, tanglingMaxTimes, unit, DIFFICULTY_LABEL);
        }

        public static Options defaults(Cost cost) {
            return new Options(cost, DEFAULT_BOOTSTRAP, 0L, 0.95, null, TrajectoryTangling.DEFAULT_MAX_TIMES, "token");
        }

        public Options withBootstrap(int b) {
            return new Options(cost, b, seed, level, tanglingEpsilon, tanglingMaxTimes, unit, difficultyLabel);
        }

        public Options withSeed(long s) {
            return new Options(cost, bootstrap, s, level, tanglingEpsilon, tanglingMaxTimes, unit, difficultyLabel);
        }
    }

    /** One trajectory's cost and geometry; a measure it cannot have (too few points) is null. */
    public record Row(String id, String model, long parameterCount, String domain, Double difficulty, int tokens, int steps, Double flops,
                      Double tangling, Double stepCosine, Double alignment) {
        /**
         * Its cost in the given unit; null for FLOPs without the model's size, and for steps when it has no
         * step boundary (the set did not segment it: a prompt that is not a chain, not a chain of no steps).
         */
        public Double cost(Cost c) {
            return switch (c) {
                case TOKENS -> (double) tokens;
                case STEPS -> steps == 0 ? null : (double) steps;
                case FLOPS -> flops;
            };
        }

        Double measure(String name) {
            return switch (name) {
                case "tangling" -> tangling;
                case "step_cosine" -> stepCosine;
                case "alignment" -> alignment;
                case DIFFICULTY_LABEL -> difficulty;
                default -> throw new IllegalArgumentException(name);
            };
        }
    }

    /**
     * ρ of the cost with {@code with} (a geometry measure or difficulty), partial given {@code given} when
     * that is not null, over the {@code n} trajectories that have every value; {@code ci} at the
     * options' level and {@code familyCi} at the level the answer judges it (equal but for geometry
     * given difficulty, Bonferroni over the measures); null with a reason when it cannot be computed.
     */
    public record Association(String with, String given, Double rho, double[] ci, double[] familyCi, int n, String reason) {
        boolean excludesZero(boolean family) {
            double[] c = family ? familyCi : ci;
            return rho != null && c != null && Double.isFinite(c[0]) && Double.isFinite(c[1]) && (c[0] > 0 || c[1] < 0);
        }
    }

    /** What a group's answer says. */
    public enum Verdict { GEOMETRY, DIFFICULTY, BOTH, CANNOT_SAY }

    /**
     * One model size × domain.
     *
     * @param notes what could not be computed for this group, and why (a measure, difficulty, the intervals)
     */
    public record GroupResult(String name, String model, long parameterCount, String domain, int trajectories, List<Association> associations,
                              Verdict verdict, String answer, List<String> notes) {}

    /**
     * @param cost         what cost was counted in
     * @param unit         what a point was
     * @param trajectories every group's per-trajectory rows
     * @param answer       the one-sentence answer (the group's, or a summary of the groups' answers)
     */
    public record Result(String cost, String unit, List<Row> trajectories, List<GroupResult> groups, String answer, Provenance provenance) {}

    public static Result analyze(Input input, Options o) {
        if (input.groups().isEmpty()) {
            throw new InputException("no trajectories to analyse: the activation sets hold no prompts");
        }
        List<Row> rows = new ArrayList<>();
        List<GroupResult> groups = new ArrayList<>();
        for (Group g : input.groups()) {
            List<String> notes = new ArrayList<>();
            if (g.points().dropped() != null) {
                notes.add("trajectories: " + g.points().dropped());
            }
            List<Row> mine = rows(g, o, notes);
            rows.addAll(mine);
            ActivationGroups.Input in = g.points();
            groups.add(group(in.name(), in.model(), in.parameterCount(), in.domain(), mine, o, notes));
        }
        if (rows.isEmpty()) {
            throw new InputException("no trajectories to analyse: the activation sets hold no captured rows of any prompt");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("cost", o.cost().label());
        options.put("unit", o.unit());
        options.put("difficulty_label", o.difficultyLabel());
        options.put("bootstrap", o.bootstrap());
        options.put("level", o.level());
        options.put("tangling_epsilon", o.tanglingEpsilon());
        options.put("tangling_max_times", o.tanglingMaxTimes());
        Provenance p = Provenance.of("thought_cost", input.inputs(), options, o.seed());
        return new Result(o.cost().label(), o.unit(), rows, groups, answer(groups), p);
    }

    /** The group's trajectories with their own geometry. */
    static List<Row> rows(Group g, Options o, List<String> notes) {
        ActivationGroups.Input in = g.points();
        PointSet p = in.points();
        int k = in.trajectoryIds().size();
        double[] tangling = new double[k];
        double[] cosine = new double[k];
        double[] alignment = new double[k];
        Arrays.fill(tangling, Double.NaN);
        Arrays.fill(cosine, Double.NaN);
        Arrays.fill(alignment, Double.NaN);
        if (k > 0 && p.hasTrajectories() && p.trajectoryCount() == k) {
            String[] why = new String[1];
            TrajectoryTangling.Summary t = TrajectoryTangling.of(p, o.tanglingEpsilon(), o.tanglingMaxTimes(), why);
            if (t == null) {
                notes.add("tangling: " + why[0]);
            } else {
                tangling = t.perTrajectoryMean();
            }
            cosine = StepCosine.perTrajectory(p);
            alignment = leaveOneOutAlignment(p);
        } else if (k > 0) {
            throw new IllegalStateException(in.name() + ": " + p.trajectoryCount() + " trajectories of points for " + k + " ids");
        }
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Facts f = g.facts().get(i);
            out.add(new Row(in.trajectoryIds().get(i), in.model(), in.parameterCount(), in.domain(), f.difficulty(), f.tokens(), f.steps(), f.flops(),
                    finite(tangling[i]), finite(cosine[i]), finite(alignment[i])));
        }
        return out;
    }

    /**
     * cos(u_k, m_{−k}) per trajectory: u_k its unit displacement, m_{−k} the mean of the other
     * trajectories' unit displacements; NaN for a trajectory without displacement, or with no other to
     * compare, or when the others' directions cancel.
     */
    static double[] leaveOneOutAlignment(PointSet p) {
        double[][] u = TrajectoryAlignment.directions(p);
        int k = u.length;
        double[] out = new double[k];
        Arrays.fill(out, Double.NaN);
        double[] sum = null;
        int used = 0;
        for (double[] v : u) {
            if (v == null) {
                continue;
            }
            if (sum == null) {
                sum = new double[v.length];
            }
            for (int j = 0; j < v.length; j++) {
                sum[j] += v[j];
            }
            used++;
        }
        for (int i = 0; i < k; i++) {
            if (u[i] == null || used < 2) {
                continue;
            }
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < sum.length; j++) {
                double m = sum[j] - u[i][j]; // the others' sum: the same direction as their mean
                dot += u[i][j] * m;
                norm += m * m;
            }
            if (norm > 1e-24) {
                out[i] = dot / Math.sqrt(norm);
            }
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** One association's values over the trajectories that have all of them: cost, with, given (or null). */
    private record Columns(double[] cost, double[] with, double[] given) {}

    private static Columns columns(List<Row> rows, Cost cost, String with, String given) {
        List<double[]> keep = new ArrayList<>();
        for (Row r : rows) {
            Double c = r.cost(cost);
            Double w = r.measure(with);
            Double z = given == null ? Double.valueOf(0) : r.measure(given);
            if (c != null && w != null && z != null) {
                keep.add(new double[] {c, w, z});
            }
        }
        int n = keep.size();
        double[] c = new double[n];
        double[] w = new double[n];
        double[] z = given == null ? null : new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = keep.get(i)[0];
            w[i] = keep.get(i)[1];
            if (z != null) {
                z[i] = keep.get(i)[2];
            }
        }
        return new Columns(c, w, z);
    }

    private static double rho(double[] c, double[] w, double[] z) {
        return z == null ? RankCorrelation.spearman(c, w) : RankCorrelation.partialSpearman(c, w, z);
    }

    /** The associations and answer of one group's rows (each row's model, size and domain are the group's). */
    static GroupResult associate(String name, List<Row> rows, Options o) {
        Row first = rows.isEmpty() ? null : rows.get(0);
        return group(name, first == null ? null : first.model(), first == null ? 0 : first.parameterCount(), first == null ? null : first.domain(),
                rows, o, new ArrayList<>());
    }

    private static GroupResult group(String name, String model, long parameterCount, String domain, List<Row> rows, Options o, List<String> notes) {
        int n = rows.size();
        List<Association> associations = new ArrayList<>();
        long withDifficulty = rows.stream().filter(r -> r.difficulty() != null).count();
        String noDifficulty = null;
        if (withDifficulty == 0) {
            noDifficulty = "no trajectory carries labels." + o.difficultyLabel() + " (a number); give the prompts a difficulty to weigh cost against it";
            notes.add("difficulty: " + noDifficulty);
        } else if (withDifficulty < n) {
            notes.add("difficulty: " + (n - withDifficulty) + " of " + n + " trajectories have no labels." + o.difficultyLabel() + " and are left out of "
                    + "difficulty's associations");
        }
        long unsegmented = rows.stream().filter(r -> r.steps() == 0).count();
        if (o.cost() == Cost.STEPS && unsegmented > 0) {
            notes.add("cost: " + unsegmented + " of " + n + " trajectories have no step boundaries, so no cost in steps, and are left out");
        }
        if (o.bootstrap() == 0) {
            notes.add("intervals: none (--bootstrap 0), so no claim can be made");
        }
        // the measures compared with difficulty held fixed: Bonferroni over those the group can compute
        List<String> measures = new ArrayList<>();
        for (String m : MEASURES) {
            if (rows.stream().anyMatch(r -> r.measure(m) != null)) {
                measures.add(m);
            } else {
                notes.add(m + ": no trajectory of the group has it (each needs enough points: alignment 2, step cosine 3, tangling 2 with a next step)");
            }
        }
        double familyLevel = 1 - (1 - o.level()) / Math.max(1, measures.size());
        List<String[]> specs = new ArrayList<>();
        for (String m : MEASURES) {
            specs.add(new String[] {m, null});
        }
        specs.add(new String[] {DIFFICULTY_LABEL, null});
        for (String m : MEASURES) {
            specs.add(new String[] {m, DIFFICULTY_LABEL});
        }
        for (String m : MEASURES) {
            specs.add(new String[] {DIFFICULTY_LABEL, m});
        }
        for (String[] spec : specs) {
            String with = spec[0];
            String given = spec[1];
            boolean needsDifficulty = DIFFICULTY_LABEL.equals(with) || DIFFICULTY_LABEL.equals(given);
            if (needsDifficulty && noDifficulty != null) {
                associations.add(new Association(with, given, null, null, null, 0, noDifficulty));
                continue;
            }
            boolean family = DIFFICULTY_LABEL.equals(given);
            associations.add(association(rows, o, with, given, family ? familyLevel : o.level()));
        }
        Verdict[] verdict = new Verdict[1];
        String answer = answer(name, o, associations, noDifficulty, measures.size(), familyLevel, verdict);
        return new GroupResult(name, model, parameterCount, domain, n, associations, verdict[0], answer, notes);
    }

    private static Association association(List<Row> rows, Options o, String with, String given, double familyLevel) {
        Columns c = columns(rows, o.cost(), with, given);
        int n = c.cost().length;
        if (n < MIN_TRAJECTORIES) {
            return new Association(with, given, null, null, null, n, "needs at least " + MIN_TRAJECTORIES + " trajectories with cost, " + with
                    + (given == null ? "" : " and " + given) + "; the group has " + n);
        }
        String constant = constant(c.cost(), "cost (" + o.cost().label() + ")");
        constant = constant != null ? constant : constant(c.with(), with);
        constant = constant != null || c.given() == null ? constant : constant(c.given(), given);
        if (constant != null) {
            return new Association(with, given, null, null, null, n, constant);
        }
        double rho = rho(c.cost(), c.with(), c.given());
        if (!Double.isFinite(rho)) {
            return new Association(with, given, null, null, null, n, "the partial correlation is undefined: " + given + " determines the ranks of cost or of "
                    + with + " completely");
        }
        if (o.bootstrap() == 0) {
            return new Association(with, given, rho, null, null, n, null);
        }
        double[] replicates = new double[o.bootstrap()];
        // replicate b always draws the same indices (Bootstrap.resample), so the parallel loop is reproducible
        java.util.stream.IntStream.range(0, replicates.length).parallel().forEach(b -> {
            int[] idx = Bootstrap.resample(n, o.seed(), b);
            replicates[b] = rho(Bootstrap.take(c.cost(), idx), Bootstrap.take(c.with(), idx), c.given() == null ? null : Bootstrap.take(c.given(), idx));
        });
        long finite = Arrays.stream(replicates).filter(Double::isFinite).count();
        if (finite < 0.9 * replicates.length) {
            return new Association(with, given, rho, null, null, n, (replicates.length - finite) + " of " + replicates.length
                    + " resamples had a constant variable (too many ties), so the interval is not given");
        }
        double[] ci = Quantiles.percentileInterval(replicates, o.level());
        double[] family = Quantiles.percentileInterval(replicates, familyLevel);
        return new Association(with, given, rho, ci, family, n, null);
    }

    private static String constant(double[] v, String what) {
        for (double x : v) {
            if (x != v[0]) {
                return null;
            }
        }
        return what + " is the same (" + fmt(v[0]) + ") for all " + v.length + " trajectories, so it has no ranks to correlate";
    }

    private static Association find(List<Association> all, String with, String given) {
        for (Association a : all) {
            if (a.with().equals(with) && java.util.Objects.equals(a.given(), given)) {
                return a;
            }
        }
        throw new IllegalArgumentException(with + " | " + given);
    }

    /** The group's one-sentence answer, and its verdict in {@code verdict[0]}. */
    private static String answer(String name, Options o, List<Association> all, String noDifficulty, int measures, double familyLevel, Verdict[] verdict) {
        String cost = "the cost of thought (" + o.cost().label() + ")";
        verdict[0] = Verdict.CANNOT_SAY;
        if (noDifficulty != null) {
            return name + ": cannot say whether " + cost + " follows the geometry rather than the difficulty: " + noDifficulty + ".";
        }
        Association geometry = null;
        Association strongest = null;
        for (String m : MEASURES) {
            Association a = find(all, m, DIFFICULTY_LABEL);
            if (a.rho() == null) {
                continue;
            }
            if (strongest == null || Math.abs(a.rho()) > Math.abs(strongest.rho())) {
                strongest = a;
            }
            if (a.excludesZero(true) && (geometry == null || Math.abs(a.rho()) > Math.abs(geometry.rho()))) {
                geometry = a;
            }
        }
        Association difficulty = find(all, DIFFICULTY_LABEL, null);
        String family = "(" + pct(familyLevel) + " interval" + (measures > 1 ? ", Bonferroni over " + measures + " measures" : "") + ")";
        if (geometry != null) {
            Association beyond = find(all, DIFFICULTY_LABEL, geometry.with());
            String said = "its partial rank correlation with " + words(geometry.with()) + " given difficulty is ρ = " + fmt(geometry.rho())
                    + " " + interval(geometry.familyCi()) + " " + family + ", n = " + geometry.n();
            if (beyond.excludesZero(false)) {
                verdict[0] = Verdict.BOTH;
                return name + ": " + cost + " follows both the geometry and the difficulty: " + said + ", and difficulty given "
                        + words(geometry.with()) + " still has ρ = " + fmt(beyond.rho()) + " " + interval(beyond.ci()) + ".";
            }
            verdict[0] = Verdict.GEOMETRY;
            return name + ": " + cost + " follows the geometry rather than the difficulty: " + said
                    + (beyond.rho() == null ? "." : ", while difficulty given " + words(geometry.with()) + " has ρ = " + fmt(beyond.rho()) + " "
                    + interval(beyond.ci()) + ".");
        }
        if (difficulty.excludesZero(false)) {
            verdict[0] = Verdict.DIFFICULTY;
            return name + ": " + cost + " follows the difficulty, not the geometry: ρ(cost, difficulty) = " + fmt(difficulty.rho()) + " "
                    + interval(difficulty.ci()) + " (" + pct(o.level()) + " interval, n = " + difficulty.n() + ")"
                    + (strongest == null ? "." : ", and no geometry measure adds to it given difficulty (strongest: " + words(strongest.with())
                    + ", partial ρ = " + fmt(strongest.rho()) + " " + interval(strongest.familyCi()) + ").");
        }
        if (o.bootstrap() == 0) {
            return name + ": cannot say: no intervals were computed (--bootstrap 0).";
        }
        if (difficulty.rho() == null && strongest == null) {
            return name + ": cannot say: " + (difficulty.reason() == null ? "no association could be computed" : difficulty.reason()) + ".";
        }
        return name + ": cannot say whether " + cost + " follows the geometry rather than the difficulty: no interval excludes 0"
                + (difficulty.rho() == null ? "" : " (ρ(cost, difficulty) = " + fmt(difficulty.rho()) + " " + interval(difficulty.ci()))
                + (strongest == null ? "" : (difficulty.rho() == null ? " (" : "; ") + "partial ρ with " + words(strongest.with())
                + " given difficulty = " + fmt(strongest.rho()) + " " + interval(strongest.familyCi()))
                + (difficulty.rho() == null && strongest == null ? "" : ")") + ".";
    }

    /** The result's sentence: the one group's answer, or how the groups' answers split. */
    private static String answer(List<GroupResult> groups) {
        if (groups.size() == 1) {
            return groups.get(0).answer();
        }
        Map<Verdict, Integer> count = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            count.put(v, 0);
        }
        for (GroupResult g : groups) {
            count.merge(g.verdict(), 1, Integer::sum);
        }
        return "Across " + groups.size() + " model × domain groups, the cost of thought follows the geometry rather than the difficulty in "
                + count.get(Verdict.GEOMETRY) + ", the difficulty in " + count.get(Verdict.DIFFICULTY) + ", both in " + count.get(Verdict.BOTH)
                + ", and the data cannot say in " + count.get(Verdict.CANNOT_SAY) + " (each group's sentence gives its interval).";
    }

    static String words(String measure) {
        return measure.replace('_', ' ');
    }

    private static String pct(double level) {
        double p = level * 100;
        return (Math.abs(p - Math.rint(p)) < 1e-9 ? Long.toString(Math.round(p)) : String.format(Locale.ROOT, "%.1f", p)) + " %";
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String interval(double[] ci) {
        return ci == null ? "(no interval)" : "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]";
    }
}
