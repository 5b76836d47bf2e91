package org.scalelab.world;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.scalelab.train.DataOrder;

/**
 * Builds a {@link World} from a {@link WorldConfig}, following the design of Minegishi et al.,
 * "Emergent Analogical Reasoning in Transformers" (arXiv 2602.01992): entities split into two
 * categories E1, E2 of equal size linked by a hidden random bijection f; atomic facts (h, r, t)
 * inside E1 and their isomorphic copy (f(h), r, f(t)) in E2; two-hop compositional facts
 * (h, r1, r2, t); analogical facts (e, ⟨f⟩, f(e)). Added so the same models can be probed for more
 * capabilities: true/false statements and step-by-step trajectories, over relation domains of
 * different structure ({@link Domain}).
 *
 * <p>Every random choice comes from its own stream split off the seed in a fixed order (entities,
 * relations, compositions, analogies, truth statements, trajectories), so the same config gives
 * the same world, and e.g. more trajectories do not change the compositions.
 *
 * <p>What is held out, and why nothing held out leaks into training:
 * <ul>
 *   <li>far-OOD: a share of E1 positions are "far heads"; every composition starting at one is
 *       held out, and so is every trajectory that takes two consecutive hops from one;</li>
 *   <li>near-OOD: a share of the other compositions, at random; a trajectory whose consecutive
 *       hops spell a held-out composition is held out too (it would state the answer);</li>
 *   <li>analogies: a share of E1 entities (at least one when the fraction is positive);</li>
 *   <li>truth statements and trajectories: a share of each, at random (on top of the forced ones).</li>
 * </ul>
 * All atomic facts are trained: held-out facts must be inferable from trained ones. E2's
 * compositions and trajectories are the images of E1's, in the same split.
 */
public final class WorldGenerator {
    /** Draws per wanted composition before the sampler gives up (a sparse world may have fewer). */
    static final int DRAWS_PER_COMPOSITION = 50;
    /** Candidate (head, r1, r2) triples up to which every two-hop fact is listed instead of sampled. */
    static final long ENUMERATION_LIMIT = 2_000_000;
    /** Taxonomy tree branching factor: each node has up to this many children. */
    static final int TAXONOMY_BRANCHING = 3;

    private WorldGenerator() {}

    public static World generate(WorldConfig config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom entityRng = root.split();
        SplittableRandom relationRng = root.split();
        SplittableRandom compositionRng = root.split();
        SplittableRandom analogyRng = root.split();
        SplittableRandom truthRng = root.split();
        SplittableRandom trajectoryRng = root.split();

        int n = config.entitiesPerCategory();
        // A uniform permutation of all entities: its first half is E1, its second half E2, and
        // f(e1[p]) = e2[p] is then a uniformly random bijection E1 → E2.
        int[] perm = DataOrder.shuffled(config.entities(), entityRng);
        int[] e1 = java.util.Arrays.copyOfRange(perm, 0, n);
        int[] e2 = java.util.Arrays.copyOfRange(perm, n, 2 * n);
        List<Relation> relations = relations(config, n, relationRng);
        Vocabulary vocab = new Vocabulary(config.relations(), config.entities());

        Builder b = new Builder(e1, e2);
        atomic(b, relations, n);
        Set<Long> heldOutCompositions = new HashSet<>();
        boolean[] farHead = compositions(b, config, relations, n, compositionRng, heldOutCompositions);
        analogies(b, config, n, analogyRng);
        truth(b, config, relations, n, truthRng);
        trajectories(b, config, relations, n, trajectoryRng, farHead, heldOutCompositions);
        return new World(config, vocab, e1, e2, relations, b.examples);
    }

    private static List<Relation> relations(WorldConfig c, int n, SplittableRandom rng) {
        Map<Domain, Integer> rank = new LinkedHashMap<>();
        // Structures shared by a domain's relations, built once.
        int[] parent = null;
        int[] topAncestor = null;
        int[] states = null;
        int[] offsets = null;
        List<Relation> out = new ArrayList<>();
        for (int j = 0; j < c.relations(); j++) {
            Domain d = c.domains().get(j % c.domains().size());
            int k = rank.merge(d, 1, Integer::sum) - 1;
            int[] tails = new int[n];
            switch (d) {
                case CHAIN -> tails = DataOrder.shuffled(n, rng);
                case TAXONOMY -> {
                    if (parent == null) {
                        // A complete TAXONOMY_BRANCHING-ary tree over a random order of the positions.
                        int[] order = DataOrder.shuffled(n, rng);
                        parent = new int[n];
                        topAncestor = new int[n];
                        parent[order[0]] = -1;
                        topAncestor[order[0]] = -1;
                        for (int q = 1; q < n; q++) {
                            int p = order[(q - 1) / TAXONOMY_BRANCHING];
                            parent[order[q]] = p;
                            topAncestor[order[q]] = p == order[0] ? order[q] : topAncestor[p];
                        }
                    }
                    if (k == 0) {
                        tails = parent.clone(); // "is a": child → parent
                    } else {
                        // An attribute set on the root's children and inherited by their subtrees.
                        int[] value = new int[n];
                        for (int p = 0; p < n; p++) {
                            value[p] = rng.nextInt(n);
                        }
                        for (int p = 0; p < n; p++) {
                            tails[p] = topAncestor[p] < 0 ? -1 : value[topAncestor[p]];
                        }
                    }
                }
                case MODULAR -> {
                    if (offsets == null) {
                        offsets = DataOrder.shuffled(n - 1, rng); // offsets 1 … n−1, distinct while they last
                    }
                    int offset = 1 + offsets[k % (n - 1)];
                    for (int p = 0; p < n; p++) {
                        tails[p] = (p + offset) % n;
                    }
                }
                case STATE_MACHINE -> {
                    if (states == null) {
                        states = java.util.Arrays.copyOf(DataOrder.shuffled(n, rng), c.stateMachineStates());
                    }
                    java.util.Arrays.fill(tails, -1);
                    for (int s : states) {
                        tails[s] = states[rng.nextInt(states.length)];
                    }
                }
            }
            out.add(new Relation(j, d, tails));
        }
        return out;
    }

    private static void atomic(Builder b, List<Relation> relations, int n) {
        for (int cat = 0; cat < 2; cat++) {
            for (Relation r : relations) {
                for (int p = 0; p < n; p++) {
                    if (r.definedAt(p)) {
                        b.add(Kind.ATOMIC, Split.TRAIN, r.domain(), cat, b.entity(cat, p) + " " + Vocabulary.relation(r.index()),
                                b.entity(cat, r.apply(p)), Map.of(), List.of());
                    }
                }
            }
        }
    }

    private static long key(int head, int r1, int r2) {
        return ((long) head << 40) | ((long) r1 << 20) | r2;
    }

    /** Samples E1 compositions, splits them, adds them and their E2 images; returns the far heads. */
    private static boolean[] compositions(Builder b, WorldConfig c, List<Relation> relations, int n, SplittableRandom rng,
                                          Set<Long> heldOut) {
        boolean[] far = new boolean[n];
        int[] order = DataOrder.shuffled(n, rng);
        for (int q = 0; q < WorldConfig.heldOut(c.farOodFraction(), n); q++) {
            far[order[q]] = true;
        }
        Map<Domain, List<Relation>> byDomain = new LinkedHashMap<>();
        for (Relation r : relations) {
            byDomain.computeIfAbsent(r.domain(), x -> new ArrayList<>()).add(r);
        }
        LinkedHashSet<Long> chosen = new LinkedHashSet<>();
        long space = 0;
        for (Relation r1 : relations) {
            space += (long) n * byDomain.get(r1.domain()).size();
        }
        if (space <= ENUMERATION_LIMIT) {
            // Small worlds: list every two-hop fact and take a uniform random subset, so the count is
            // exactly min(requested, available).
            List<Long> every = new ArrayList<>();
            for (int head = 0; head < n; head++) {
                for (Relation r1 : relations) {
                    if (!r1.definedAt(head)) {
                        continue;
                    }
                    for (Relation r2 : byDomain.get(r1.domain())) {
                        if (r2.definedAt(r1.apply(head))) {
                            every.add(key(head, r1.index(), r2.index()));
                        }
                    }
                }
            }
            int[] shuffled = DataOrder.shuffled(every.size(), rng);
            for (int q = 0; q < Math.min(c.compositions(), every.size()); q++) {
                chosen.add(every.get(shuffled[q]));
            }
        }
        // Large worlds (the paper's 10,000 relations): rejection sampling, up to DRAWS_PER_COMPOSITION draws per fact.
        long draws = space <= ENUMERATION_LIMIT ? 0 : (long) DRAWS_PER_COMPOSITION * c.compositions();
        for (long t = 0; t < draws && chosen.size() < c.compositions(); t++) {
            int head = rng.nextInt(n);
            Relation r1 = relations.get(rng.nextInt(relations.size()));
            List<Relation> same = byDomain.get(r1.domain());
            Relation r2 = same.get(rng.nextInt(same.size()));
            if (r1.definedAt(head) && r2.definedAt(r1.apply(head))) {
                chosen.add(key(head, r1.index(), r2.index()));
            }
        }
        List<long[]> nonFar = new ArrayList<>();
        List<long[]> all = new ArrayList<>();
        for (long k : chosen) {
            long[] c3 = {k >>> 40, (k >>> 20) & 0xFFFFF, k & 0xFFFFF};
            all.add(c3);
            if (!far[(int) c3[0]]) {
                nonFar.add(c3);
            }
        }
        Set<Long> near = new HashSet<>();
        int[] pick = DataOrder.shuffled(nonFar.size(), rng);
        for (int q = 0; q < WorldConfig.heldOut(c.nearOodFraction(), nonFar.size()); q++) {
            long[] c3 = nonFar.get(pick[q]);
            near.add(key((int) c3[0], (int) c3[1], (int) c3[2]));
        }
        for (int cat = 0; cat < 2; cat++) {
            for (long[] c3 : all) {
                int head = (int) c3[0];
                Relation r1 = relations.get((int) c3[1]);
                Relation r2 = relations.get((int) c3[2]);
                long k = key(head, r1.index(), r2.index());
                Split split = far[head] ? Split.FAR_OOD : near.contains(k) ? Split.NEAR_OOD : Split.TRAIN;
                if (split != Split.TRAIN) {
                    heldOut.add(k);
                }
                b.add(Kind.COMPOSITIONAL, split, r1.domain(), cat,
                        b.entity(cat, head) + " " + Vocabulary.relation(r1.index()) + " " + Vocabulary.relation(r2.index()),
                        b.entity(cat, r2.apply(r1.apply(head))), Map.of(), List.of());
            }
        }
        return far;
    }

    private static void analogies(Builder b, WorldConfig c, int n, SplittableRandom rng) {
        boolean[] held = new boolean[n];
        int[] order = DataOrder.shuffled(n, rng);
        for (int q = 0; q < WorldConfig.heldOut(c.analogyHoldoutFraction(), n); q++) {
            held[order[q]] = true;
        }
        for (int p = 0; p < n; p++) {
            b.add(Kind.ANALOGICAL, held[p] ? Split.OOD : Split.TRAIN, null, 0, b.entity(0, p) + " " + Vocabulary.FUNCTOR,
                    b.entity(1, p), Map.of(), List.of());
        }
    }

    private static void truth(Builder b, WorldConfig c, List<Relation> relations, int n, SplittableRandom rng) {
        List<int[]> facts = new ArrayList<>(); // {category, relation, head position}
        for (int cat = 0; cat < 2; cat++) {
            for (Relation r : relations) {
                for (int p = 0; p < n; p++) {
                    if (r.definedAt(p)) {
                        facts.add(new int[] {cat, r.index(), p});
                    }
                }
            }
        }
        int count = Math.min(c.truthFacts(), facts.size());
        int[] order = DataOrder.shuffled(facts.size(), rng);
        boolean[] held = new boolean[count];
        int[] heldOrder = DataOrder.shuffled(count, rng);
        for (int q = 0; q < WorldConfig.heldOut(c.truthHoldoutFraction(), count); q++) {
            held[heldOrder[q]] = true;
        }
        for (int q = 0; q < count; q++) {
            int[] f = facts.get(order[q]);
            Relation r = relations.get(f[1]);
            int tail = r.apply(f[2]);
            // A relation is a function: any other tail in the category makes a false statement.
            int wrong = rng.nextInt(n - 1);
            if (wrong >= tail) {
                wrong++;
            }
            String prefix = b.entity(f[0], f[2]) + " " + Vocabulary.relation(r.index()) + " ";
            Split split = held[q] ? Split.OOD : Split.TRAIN;
            b.add(Kind.TRUTH, split, r.domain(), f[0], prefix + b.entity(f[0], tail) + " " + Vocabulary.CHECK, Vocabulary.TRUE,
                    Map.of("truth", true), List.of());
            b.add(Kind.TRUTH, split, r.domain(), f[0], prefix + b.entity(f[0], wrong) + " " + Vocabulary.CHECK, Vocabulary.FALSE,
                    Map.of("truth", false), List.of());
        }
    }

    private static void trajectories(Builder b, WorldConfig c, List<Relation> relations, int n, SplittableRandom rng,
                                     boolean[] farHead, Set<Long> heldOutCompositions) {
        Map<Domain, List<Relation>> byDomain = new LinkedHashMap<>();
        for (Relation r : relations) {
            byDomain.computeIfAbsent(r.domain(), x -> new ArrayList<>()).add(r);
        }
        List<Domain> domains = new ArrayList<>(byDomain.keySet());
        Set<String> seen = new HashSet<>();
        List<int[]> paths = new ArrayList<>(); // {head, r1 … rk}
        List<Domain> pathDomains = new ArrayList<>();
        int attempts = 0;
        while (paths.size() < c.trajectories() && attempts < DRAWS_PER_COMPOSITION * Math.max(1, c.trajectories())) {
            attempts++;
            Domain d = domains.get(paths.size() % domains.size());
            List<Relation> rs = byDomain.get(d);
            int hops = 2 + rng.nextInt(c.maxHops() - 1);
            int[] path = new int[hops + 1];
            path[0] = rng.nextInt(n);
            int at = path[0];
            boolean ok = true;
            for (int h = 1; h <= hops && ok; h++) {
                Relation r = rs.get(rng.nextInt(rs.size()));
                ok = r.definedAt(at);
                if (ok) {
                    path[h] = r.index();
                    at = r.apply(at);
                }
            }
            if (ok && seen.add(java.util.Arrays.toString(path))) {
                paths.add(path);
                pathDomains.add(d);
            }
        }
        boolean[] held = new boolean[paths.size()];
        int[] order = DataOrder.shuffled(paths.size(), rng);
        for (int q = 0; q < WorldConfig.heldOut(c.trajectoryHoldoutFraction(), paths.size()); q++) {
            held[order[q]] = true;
        }
        for (int q = 0; q < paths.size(); q++) {
            int[] path = paths.get(q);
            int[] visited = new int[path.length];
            visited[0] = path[0];
            for (int h = 1; h < path.length; h++) {
                visited[h] = relations.get(path[h]).apply(visited[h - 1]);
            }
            for (int h = 1; h + 1 < path.length; h++) {
                // Two consecutive hops from visited[h-1] spell the composition (visited[h-1], r_h, r_{h+1}).
                if (farHead[visited[h - 1]] || heldOutCompositions.contains(key(visited[h - 1], path[h], path[h + 1]))) {
                    held[q] = true;
                }
            }
        }
        for (int cat = 0; cat < 2; cat++) {
            for (int q = 0; q < paths.size(); q++) {
                int[] path = paths.get(q);
                int hops = path.length - 1;
                StringBuilder text = new StringBuilder(b.entity(cat, path[0]));
                for (int h = 1; h <= hops; h++) {
                    text.append(' ').append(Vocabulary.relation(path[h]));
                }
                text.append(' ').append(Vocabulary.THINK);
                StringBuilder target = new StringBuilder();
                List<Integer> steps = new ArrayList<>();
                int promptLength = hops + 2;
                int at = path[0];
                for (int h = 1; h <= hops; h++) {
                    at = relations.get(path[h]).apply(at);
                    target.append(h == 1 ? "" : " ").append(b.entity(cat, at));
                    steps.add(promptLength + h - 1);
                }
                b.add(Kind.TRAJECTORY, held[q] ? Split.OOD : Split.TRAIN, pathDomains.get(q), cat, text.toString(), target.toString(),
                        Map.of("hops", hops), steps);
            }
        }
    }

    /** Accumulates examples with ids numbered per kind and category. */
    private static final class Builder {
        final int[][] categories;
        final List<Example> examples = new ArrayList<>();
        final Map<String, Integer> counters = new LinkedHashMap<>();

        Builder(int[] e1, int[] e2) {
            this.categories = new int[][] {e1, e2};
        }

        String entity(int category, int position) {
            return Vocabulary.entity(categories[category][position]);
        }

        void add(Kind kind, Split split, Domain domain, int category, String text, String target, Map<String, Object> labels,
                 List<Integer> steps) {
            String cat = category == 0 ? "E1" : "E2";
            int number = counters.merge(kind.label() + cat, 1, Integer::sum) - 1;
            examples.add(new Example(String.format("%s-%s-%05d", kind.label(), cat, number), kind, split, domain, cat, text, target,
                    labels, steps));
        }
    }
}
