package org.scalelab.geometry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationSet;

/**
 * Geometry at every layer at once: the hooks a glob such as {@code blocks.*.hook_resid_post} names
 * are read in one pass over each activation set's shards ({@link ActivationGroups#ofLayers}) and
 * every group is analysed at every layer exactly as {@link GeometryAnalysis} analyses one hook (same
 * options, same seed: the same numbers). Across layers and sizes it adds
 * <ul>
 *   <li>linear CKA ({@link LinearCka}) between consecutive profiled layers of each group, and between
 *       consecutive model sizes at matched relative depth, on the tokens both saw (same trajectory id
 *       and row count);</li>
 *   <li>phase verdicts ({@link PhaseVerdict}) per layer and domain between consecutive sizes, each
 *       layer of the smaller model against the larger model's layer at the nearest relative depth.</li>
 * </ul>
 * Relative depth of block L in a model of n blocks is L / (n − 1): 0 is the first block, 1 the last
 * (a one-block model's block is at 1), so the last layers of two sizes always meet. A smaller
 * model's layer is matched to the larger's profiled layer nearest in relative depth (the shallower
 * on a tie). A hook that is not residual-stream wide, or outside the blocks, is left out with a reason.
 */
public final class LayerProfile {
    private LayerProfile() {}

    /** Name of the analysis in the lab. */
    public static final String ANALYSIS = "geometry_layers";

    /**
     * @param sets         the activation sets
     * @param groups       how to group them; its {@code hook} is ignored (the glob names the hooks)
     * @param hooks        a hook glob, e.g. {@code blocks.*.hook_resid_post}, or one hook's name
     * @param inputs       the files read, for the provenance
     * @param compareSizes whether to give phase verdicts between consecutive sizes per layer and domain
     */
    public record Input(List<ActivationSet> sets, ActivationGroups.Options groups, String hooks, List<Provenance.Input> inputs,
                        boolean compareSizes) {}

    /**
     * One model's (or size's) groups at one layer.
     *
     * @param layer         block number L of the hook ({@code blocks.L.…})
     * @param nLayers       blocks of the model (the manifest's n_layers)
     * @param relativeDepth L / (nLayers − 1), 1 for a one-block model
     * @param groups        the groups (domains, labels) at this layer, as {@link GeometryAnalysis} gives them
     */
    public record Layer(String model, long parameterCount, String hook, int layer, int nLayers, double relativeDepth,
                        List<GeometryAnalysis.Group> groups) {}

    /**
     * Linear CKA between two layers of one group ({@code consecutive}) or of two model sizes at
     * matched relative depth ({@code across_sizes}), on {@code points} matched rows; null value with
     * the reason when it cannot be computed.
     */
    public record Cka(String kind, String domain, String label, String fromModel, long fromParameters, String fromHook, int fromLayer,
                      double fromDepth, String toModel, long toParameters, String toHook, int toLayer, double toDepth, Double value,
                      int points, String reason) {}

    /** A phase verdict at one layer of the smaller model against the larger's layer at the nearest relative depth. */
    public record Comparison(String fromHook, int fromLayer, double fromDepth, String toHook, int toLayer, double toDepth,
                             PhaseVerdict.Comparison verdict) {}

    /**
     * @param reasons what the profile left out and why (hooks not residual-stream wide or outside the blocks)
     */
    public record Result(List<Layer> layers, List<Cka> cka, List<Comparison> comparisons, List<String> reasons, Provenance provenance) {}

    public static final String CONSECUTIVE = "consecutive";
    public static final String ACROSS_SIZES = "across_sizes";

    /** L / (n − 1); a one-block model's block is at depth 1. */
    public static double relativeDepth(int layer, int nLayers) {
        return nLayers <= 1 ? 1.0 : (double) layer / (nLayers - 1);
    }

    /**
     * Index into {@code depths} of the depth nearest {@code depth} (the first, i.e. shallower, on a tie);
     * {@code depths} ascending.
     */
    public static int nearest(double depth, double[] depths) {
        int best = 0;
        for (int i = 1; i < depths.length; i++) {
            if (Math.abs(depths[i] - depth) < Math.abs(depths[best] - depth)) {
                best = i;
            }
        }
        return best;
    }

    /** The hooks the glob names in {@code set} that the profile can use; the others go to {@code reasons}. */
    static List<String> profiledHooks(ActivationSet set, String glob, Set<String> reasons) {
        List<String> out = new ArrayList<>();
        for (String h : ActivationGroups.hooks(set, glob)) {
            if (ActivationGroups.blockOf(h) < 0) {
                reasons.add(h + ": not a block's hook (blocks.L.…), so it has no layer; left out of the profile");
            } else if (set.width(h) != set.dModel()) {
                reasons.add(h + " in " + set.dir() + ": rows of shape " + java.util.Arrays.toString(set.rowShape(h)) + " are not d_model ("
                        + set.dModel() + ") wide, unlike the residual stream; geometry and CKA compare residual-stream-wide layers, so it is left out");
            } else {
                out.add(h);
            }
        }
        if (out.isEmpty()) {
            throw new InputException("--hook: '" + glob + "' names no residual-stream-wide block hook of " + set.dir() + ": " + String.join("; ", reasons));
        }
        return out;
    }

    /**
     * One group (model × domain × label) at each profiled layer, with the analysis outcome per layer, and
     * each layer's points prepared for CKA once ({@code sides}, filled when first needed): a layer meets
     * the one before it, the one after it and its matched layers of other sizes.
     */
    private record Profiled(ActivationGroups.Input first, ActivationSet set, List<String> hooks, List<ActivationGroups.Input> inputs,
                            List<GeometryAnalysis.Outcome> outcomes, LinearCka.Side[] sides) {
        LinearCka.Side side(int i) {
            if (sides[i] == null) {
                sides[i] = LinearCka.side(inputs.get(i).points());
            }
            return sides[i];
        }

        double depth(int i) {
            return relativeDepth(ActivationGroups.blockOf(hooks.get(i)), set.manifest().nLayers());
        }

        double[] depths() {
            double[] d = new double[hooks.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = depth(i);
            }
            return d;
        }
    }

    public static Result analyze(Input input, GeometryAnalysis.Options options) {
        return analyze(input, options, true);
    }

    /** With {@code cka} false, no CKA at all (its list is empty): for timing the per-layer analyses alone against one run per hook. */
    static Result analyze(Input input, GeometryAnalysis.Options options, boolean cka) {
        if (input.sets().isEmpty()) {
            throw new InputException("--acts: the layer profile needs at least one activation set");
        }
        Set<String> reasons = new LinkedHashSet<>();
        Map<ActivationSet, List<String>> hooksBySet = new HashMap<>();
        for (ActivationSet set : input.sets()) {
            hooksBySet.put(set, profiledHooks(set, input.hooks(), reasons));
        }
        List<ActivationGroups.Layers> read = ActivationGroups.ofLayers(input.sets(), input.groups(), hooksBySet::get);
        List<Profiled> profiled = new ArrayList<>();
        int total = read.stream().mapToInt(l -> l.hooks().size()).sum();
        try (Progress.Task task = Progress.start("geometry per layer", total)) {
            for (ActivationGroups.Layers l : read) {
                List<GeometryAnalysis.Outcome> outcomes = new ArrayList<>();
                for (ActivationGroups.Input in : l.inputs()) {
                    outcomes.add(GeometryAnalysis.analyzeGroup(in, options));
                    task.step();
                }
                ActivationGroups.Input first = l.inputs().get(0);
                profiled.add(new Profiled(first, l.set(), l.hooks(), l.inputs(), outcomes, new LinearCka.Side[l.hooks().size()]));
            }
        }
        List<Layer> layers = layers(profiled);
        List<Cka> ckas = new ArrayList<>();
        for (Profiled p : cka ? profiled : List.<Profiled>of()) {
            for (int i = 0; i + 1 < p.hooks().size(); i++) {
                ckas.add(cka(CONSECUTIVE, p, i, p, i + 1));
            }
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (List<Profiled> sizes : bySizes(profiled)) {
            for (int s = 0; s + 1 < sizes.size(); s++) {
                Profiled small = sizes.get(s);
                Profiled large = sizes.get(s + 1);
                double[] largeDepths = large.depths();
                for (int i = 0; i < small.hooks().size(); i++) {
                    int j = nearest(small.depth(i), largeDepths);
                    if (cka) {
                        ckas.add(cka(ACROSS_SIZES, small, i, large, j));
                    }
                    if (input.compareSizes()) {
                        PhaseVerdict.Comparison v = PhaseVerdict.compare(small.outcomes().get(i), large.outcomes().get(j), options.phase());
                        comparisons.add(new Comparison(small.hooks().get(i), ActivationGroups.blockOf(small.hooks().get(i)), small.depth(i),
                                large.hooks().get(j), ActivationGroups.blockOf(large.hooks().get(j)), largeDepths[j], v));
                    }
                }
            }
        }
        Map<String, Object> opts = GeometryAnalysis.provenanceOptions(options, input.compareSizes());
        opts.put("hooks", input.hooks());
        opts.put("by", input.groups().by().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toList());
        opts.put("relative_depth", "layer / (n_layers - 1)");
        opts.put("unit", input.groups().unit().label());
        if (input.groups().unit() == StepPooling.Unit.STEP) {
            opts.put("pool", input.groups().pool().label());
        }
        return new Result(layers, List.copyOf(ckas), List.copyOf(comparisons), List.copyOf(reasons),
                Provenance.of(ANALYSIS, input.inputs(), opts, options.seed()));
    }

    /** The profile's layers: per model (in input order) and layer, its groups. */
    private static List<Layer> layers(List<Profiled> profiled) {
        Map<List<Object>, List<GeometryAnalysis.Group>> byLayer = new LinkedHashMap<>();
        Map<List<Object>, Profiled> firstOf = new LinkedHashMap<>();
        Map<List<Object>, Integer> indexOf = new LinkedHashMap<>();
        for (Profiled p : profiled) {
            for (int i = 0; i < p.hooks().size(); i++) {
                List<Object> key = List.of(p.first().model(), p.first().parameterCount(), p.hooks().get(i));
                byLayer.computeIfAbsent(key, k -> new ArrayList<>()).add(p.outcomes().get(i).group());
                firstOf.putIfAbsent(key, p);
                indexOf.putIfAbsent(key, i);
            }
        }
        List<Layer> out = new ArrayList<>();
        for (Map.Entry<List<Object>, List<GeometryAnalysis.Group>> e : byLayer.entrySet()) {
            Profiled p = firstOf.get(e.getKey());
            int i = indexOf.get(e.getKey());
            String hook = p.hooks().get(i);
            out.add(new Layer(p.first().model(), p.first().parameterCount(), hook, ActivationGroups.blockOf(hook), p.set().manifest().nLayers(),
                    p.depth(i), List.copyOf(e.getValue())));
        }
        return out;
    }

    /** Groups of the same domain and label, one per model, ordered by parameter count (then model name). */
    private static List<List<Profiled>> bySizes(List<Profiled> profiled) {
        Map<List<String>, List<Profiled>> byDomain = new LinkedHashMap<>();
        for (Profiled p : profiled) {
            byDomain.computeIfAbsent(java.util.Arrays.asList(p.first().domain(), p.first().label()), k -> new ArrayList<>()).add(p);
        }
        List<List<Profiled>> out = new ArrayList<>();
        for (List<Profiled> list : byDomain.values()) {
            list.sort(Comparator.comparingLong((Profiled p) -> p.first().parameterCount()).thenComparing(p -> Objects.toString(p.first().model())));
            out.add(list);
        }
        return out;
    }

    /** Whether {@code picked} is 0, 1, …, count − 1: every trajectory, in order. */
    private static boolean isAll(int[] picked, int count) {
        if (picked.length != count) {
            return false;
        }
        for (int k = 0; k < count; k++) {
            if (picked[k] != k) {
                return false;
            }
        }
        return true;
    }

    /**
     * CKA between layer i of {@code a} and layer j of {@code b}. Within one group the rows are the
     * same tokens; across groups only the trajectories with the same id and row count in both are
     * compared (CKA needs the same inputs on both sides).
     */
    private static Cka cka(String kind, Profiled a, int i, Profiled b, int j) {
        PointSet x = a.inputs().get(i).points();
        PointSet y = b.inputs().get(j).points();
        String reason = null;
        LinearCka.Side sx = null;
        LinearCka.Side sy = null;
        if (a == b) {
            sx = a.side(i);
            sy = b.side(j);
        } else {
            Map<String, Integer> rowsOfB = new HashMap<>();
            List<String> idsB = b.inputs().get(j).trajectoryIds();
            for (int k = 0; k < idsB.size() && k < y.trajectoryCount(); k++) {
                rowsOfB.put(idsB.get(k), k);
            }
            List<String> idsA = a.inputs().get(i).trajectoryIds();
            List<Integer> pickA = new ArrayList<>();
            List<Integer> pickB = new ArrayList<>();
            for (int k = 0; k < idsA.size() && k < x.trajectoryCount(); k++) {
                Integer m = rowsOfB.get(idsA.get(k));
                if (m != null && x.trajectoryEnd(k) - x.trajectoryStart(k) == y.trajectoryEnd(m) - y.trajectoryStart(m)) {
                    pickA.add(k);
                    pickB.add(m);
                }
            }
            if (pickA.isEmpty()) {
                reason = "no trajectory has the same id and token count in " + a.first().model() + " and " + b.first().model()
                        + "; CKA compares two representations of the same tokens (capture both models on the same prompts and tokenizer)";
            } else {
                // Every trajectory of a side, in its own order, is that side's layer as prepared once; a subset is prepared here.
                int[] ka = pickA.stream().mapToInt(Integer::intValue).toArray();
                int[] kb = pickB.stream().mapToInt(Integer::intValue).toArray();
                x = x.selectTrajectories(ka);
                y = y.selectTrajectories(kb);
                PointSet wholeX = a.inputs().get(i).points();
                PointSet wholeY = b.inputs().get(j).points();
                sx = isAll(ka, wholeX.trajectoryCount()) && x.size() == wholeX.size() ? a.side(i) : LinearCka.side(x);
                sy = isAll(kb, wholeY.trajectoryCount()) && y.size() == wholeY.size() ? b.side(j) : LinearCka.side(y);
            }
        }
        Double value = null;
        if (reason == null) {
            MetricValue v = LinearCka.of(sx, sy);
            value = v.present() ? v.value() : null;
            reason = v.present() ? null : v.reason();
        }
        ActivationGroups.Input fa = a.first();
        ActivationGroups.Input fb = b.first();
        return new Cka(kind, fa.domain(), fa.label(), fa.model(), fa.parameterCount(), a.hooks().get(i), ActivationGroups.blockOf(a.hooks().get(i)),
                a.depth(i), fb.model(), fb.parameterCount(), b.hooks().get(j), ActivationGroups.blockOf(b.hooks().get(j)), b.depth(j), value,
                reason == null ? x.size() : 0, reason);
    }
}
