package org.scalelab.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated world: its two entity categories and the hidden bijection between them, its
 * relations, and every example (see {@link WorldGenerator} for how each is made).
 *
 * <p>Entity positions: E1 = {@code e1[0..n)}, E2 = {@code e2[0..n)} (entity indices i of ⟨e_i⟩),
 * and the functor is f(e1[p]) = e2[p]. A relation maps positions to positions, so its E1 fact
 * (e1[p], r, e1[q]) has the E2 image (e2[p], r, e2[q]).
 */
public record World(WorldConfig config, Vocabulary vocabulary, int[] e1, int[] e2, List<Relation> relations, List<Example> examples) {
    /** Below this many examples a held-out accuracy is too coarse to compare runs: warn. */
    public static final int MIN_MEASURABLE = 30;

    public World {
        relations = List.copyOf(relations);
        examples = List.copyOf(examples);
    }

    /** f(e) for an E1 entity index, −1 for an E2 entity. */
    public int functor(int entity) {
        for (int p = 0; p < e1.length; p++) {
            if (e1[p] == entity) {
                return e2[p];
            }
        }
        return -1;
    }

    /** The functor's edges as entity index pairs (e, f(e)), in E1 position order. */
    public int[][] functorEdges() {
        int[][] edges = new int[e1.length][];
        for (int p = 0; p < e1.length; p++) {
            edges[p] = new int[] {e1[p], e2[p]};
        }
        return edges;
    }

    public List<Example> examples(Kind kind, Split split) {
        return examples.stream().filter(e -> e.kind() == kind && e.split() == split).toList();
    }

    public List<Example> training() {
        return examples.stream().filter(e -> e.split() == Split.TRAIN).toList();
    }

    /** Examples grouped by evaluation set ("atomic_id", "compositional_near_ood", …), in a fixed order. */
    public Map<String, List<Example>> evalSets() {
        Map<String, List<Example>> sets = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            for (Split s : Split.values()) {
                List<Example> l = examples(k, s);
                if (!l.isEmpty()) {
                    sets.put(s.evalSet(k), l);
                }
            }
        }
        return sets;
    }

    /** Longest prompt + target, in tokens: the context a model needs. */
    public int maxSequenceLength() {
        int longest = 0;
        for (Example e : examples) {
            longest = Math.max(longest, vocabulary.encode(e.fullText()).length);
        }
        return longest;
    }

    /** Examples per split and per evaluation set, with a warning for each held-out set too small to measure. */
    public SplitSizes splitSizes() {
        Map<String, Integer> bySplit = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            bySplit.put(s.label(), (int) examples.stream().filter(e -> e.split() == s).count());
        }
        Map<String, Integer> bySet = new LinkedHashMap<>();
        evalSets().forEach((k, v) -> bySet.put(k, v.size()));
        List<String> warnings = new ArrayList<>();
        expect(warnings, bySet, "compositional_near_ood", config.nearOodFraction() > 0 && config.compositions() > 0);
        expect(warnings, bySet, "compositional_far_ood", config.farOodFraction() > 0 && config.compositions() > 0);
        expect(warnings, bySet, "analogical_ood", config.analogyHoldoutFraction() > 0);
        expect(warnings, bySet, "truth_ood", config.truthHoldoutFraction() > 0 && config.truthFacts() > 0);
        expect(warnings, bySet, "trajectory_ood", config.trajectoryHoldoutFraction() > 0 && config.trajectories() > 0);
        return new SplitSizes(bySplit, bySet, warnings);
    }

    private static void expect(List<String> warnings, Map<String, Integer> sizes, String set, boolean asked) {
        int n = sizes.getOrDefault(set, 0);
        if (asked && n == 0) {
            warnings.add(set + ": empty although a held-out fraction was asked for (the world has no such facts); it cannot be measured");
        } else if (n > 0 && n < MIN_MEASURABLE) {
            // Half-width of a 95 % binomial interval at p = 0.5 is 1.96·√(0.25/n) ≈ 0.98/√n.
            warnings.add(String.format(java.util.Locale.ROOT,
                    "%s: only %d example%s, so one run's accuracy moves in steps of %.3g (95 %% interval up to ±%.2f); "
                            + "report it across seeds (--seeds) or hold out more", set, n, n == 1 ? "" : "s", 1.0 / n,
                    Math.min(1.0, 0.98 / Math.sqrt(n))));
        }
    }

    /**
     * @param splits   examples per split (train, near_ood, far_ood, ood)
     * @param evalSets examples per evaluation set (kind_id, kind_near_ood, …)
     * @param warnings held-out sets that are empty or too small to measure from one run
     */
    public record SplitSizes(Map<String, Integer> splits, Map<String, Integer> evalSets, List<String> warnings) {}

    @Override
    public boolean equals(Object o) {
        return o instanceof World w && config.equals(w.config) && Arrays.equals(e1, w.e1) && Arrays.equals(e2, w.e2)
                && examples.equals(w.examples);
    }

    @Override
    public int hashCode() {
        return config.hashCode() * 31 + examples.hashCode();
    }

    @Override
    public String toString() {
        return "World(" + config.entities() + " entities, " + relations.size() + " relations, " + examples.size() + " examples)";
    }
}
