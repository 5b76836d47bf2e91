package org.scalelab.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;
import org.scalelab.model.Prompt;

/**
 * Labelled prompt sets for the capability-phase analyses: does a world model's truthfulness fight or
 * cooperate with its reasoning? Two sets of matched pairs, each prompt ending at the position where
 * the model judges, plus each set's held-out pairs as a multiple-choice task for steering.
 *
 * <ul>
 *   <li><b>truth</b>: every truth statement of the world, "⟨e_h⟩ ⟨r⟩ ⟨e_t⟩ ⟨check⟩", the text up to the
 *       token before ⟨true⟩/⟨false⟩, so the last position is where the model gives its verdict.
 *       Labels {@code truth} "true"|"false"; a pair is one (subject, relation) with its true object and
 *       the world's corrupted one.
 *   <li><b>reasoning</b>: every two-hop composition (h, r1, r2) of the world written step by step,
 *       "⟨e_h⟩ ⟨r1⟩ ⟨r2⟩ ⟨think⟩ m t" with t = r2(r1(h)); the valid prompt has the true intermediate
 *       m = r1(h), the corrupted one a wrong entity m' of the same category in its place and the same
 *       final answer t. Labels {@code valid} "true"|"false". The pair differs in one token, and its
 *       last token (t) is the same, so a difference between the two classes at the last position is
 *       the model's reading of the chain, not the identity of the last token (corrupting the final
 *       answer instead would make the last token differ within every pair).
 * </ul>
 *
 * Every prompt has labels {@code capability} ("truth"|"reasoning"), {@code pair}, {@code split}
 * ("train"|"heldout": whole pairs, drawn from the seed, so no pair straddles the split),
 * {@code world_split} (the example's own split in the world: whether the model was trained on it),
 * and {@code category}. The held-out pairs also become task files: the truth statements with choices
 * [⟨true⟩, ⟨false⟩], and the compositions "⟨e_h⟩ ⟨r1⟩ ⟨r2⟩" with the answer among
 * {@link WorldTasks#CHOICES} entities of its category. Same world and options, same bytes.
 */
public final class WorldPhasePrompts {
    public static final String TRUTH = "truth-prompts.jsonl";
    public static final String REASONING = "reasoning-prompts.jsonl";
    public static final String TRUTH_TASK = "world-phase-truth.jsonl";
    public static final String REASONING_TASK = "world-phase-reasoning.jsonl";
    public static final String TRAIN = "train";
    public static final String HELDOUT = "heldout";

    private WorldPhasePrompts() {}

    /**
     * @param heldout share of each set's pairs held out for measuring interventions (at least one pair, and at least one kept)
     * @param seed    draws the corrupted intermediates, the split and the tasks' distractors
     */
    public record Options(double heldout, long seed) {
        public Options {
            if (!(heldout > 0 && heldout < 1)) {
                throw new InputException("--heldout " + heldout + ": the held-out share of pairs must be in (0, 1)");
            }
        }

        public static Options defaults() {
            return new Options(0.25, 0);
        }
    }

    /** Both prompt sets and both held-out tasks, with the files they belong in. */
    public record Sets(Path truthFile, List<Prompt> truth, Path reasoningFile, List<Prompt> reasoning, EvalTask truthTask,
                       EvalTask reasoningTask) {
        public Sets {
            truth = List.copyOf(truth);
            reasoning = List.copyOf(reasoning);
        }

        /** Pairs per set and split, for a summary: {truth: {train, heldout}, reasoning: {…}}. */
        public Map<String, Map<String, Integer>> pairCounts() {
            Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
            out.put("truth", pairs(truth));
            out.put("reasoning", pairs(reasoning));
            return out;
        }

        private static Map<String, Integer> pairs(List<Prompt> prompts) {
            Map<String, Integer> m = new LinkedHashMap<>();
            m.put(TRAIN, 0);
            m.put(HELDOUT, 0);
            for (Prompt p : prompts) {
                m.merge(p.labels().path("split").asText(), 1, Integer::sum);
            }
            m.replaceAll((k, v) -> v / 2);
            return m;
        }
    }

    /** The sets of {@code world} with their files in {@code dir}; nothing is written. */
    public static Sets build(World world, Path dir, Options o) {
        SplittableRandom root = new SplittableRandom(o.seed());
        SplittableRandom corruption = root.split();
        SplittableRandom truthSplit = root.split();
        SplittableRandom reasoningSplit = root.split();
        SplittableRandom distractors = root.split();

        List<Example[]> truthPairs = truthPairs(world);
        List<Chain> chains = chains(world, corruption);
        if (truthPairs.size() < 2) {
            throw new InputException("the world has " + truthPairs.size() + " truth statement pair(s); the truth set needs at least 2"
                    + " (one to train on, one held out): generate it with a larger --truth-facts");
        }
        if (chains.size() < 2) {
            throw new InputException("the world has " + chains.size() + " composition(s); the reasoning set needs at least 2"
                    + " (one to train on, one held out): generate it with a larger --compositions");
        }
        boolean[] truthHeld = heldOut(truthPairs.size(), o.heldout(), truthSplit);
        boolean[] chainHeld = heldOut(chains.size(), o.heldout(), reasoningSplit);

        List<Prompt> truth = new ArrayList<>();
        List<EvalExample> truthTask = new ArrayList<>();
        for (int q = 0; q < truthPairs.size(); q++) {
            String pair = String.format("truth-%05d", q);
            for (Example e : truthPairs.get(q)) {
                boolean isTrue = e.target().equals(Vocabulary.TRUE);
                ObjectNode labels = labels("truth", pair, truthHeld[q], e);
                labels.put("truth", Boolean.toString(isTrue));
                truth.add(new Prompt(e.id(), e.text(), domain(e), labels, List.of()));
                if (truthHeld[q]) {
                    truthTask.add(new EvalExample(e.id(), e.text(), List.of(Vocabulary.TRUE, Vocabulary.FALSE), new int[] {isTrue ? 0 : 1},
                            domain(e), taskLabels(labels), "world example " + e.id()));
                }
            }
        }

        List<Prompt> reasoning = new ArrayList<>();
        List<EvalExample> reasoningTask = new ArrayList<>();
        for (int q = 0; q < chains.size(); q++) {
            Chain c = chains.get(q);
            Example e = c.composition();
            String pair = String.format("reasoning-%05d", q);
            String question = e.text() + " " + Vocabulary.THINK + " ";
            List<Integer> steps = List.of(4, 5); // ⟨e_h⟩ ⟨r1⟩ ⟨r2⟩ ⟨think⟩ then the two steps
            for (boolean valid : new boolean[] {true, false}) {
                ObjectNode labels = labels("reasoning", pair, chainHeld[q], e);
                labels.put("valid", Boolean.toString(valid));
                labels.put("composition", e.id());
                String text = question + (valid ? c.intermediate() : c.wrongIntermediate()) + " " + e.target();
                reasoning.add(new Prompt(pair + (valid ? "-valid" : "-corrupted"), text, domain(e), labels, steps));
            }
            if (chainHeld[q]) {
                WorldTasks.Choices choice = WorldTasks.choices(e.id(), e.target(), c.category(), distractors);
                ObjectNode labels = labels("reasoning", pair, true, e);
                labels.put("composition", e.id());
                reasoningTask.add(new EvalExample(pair, e.text(), choice.choices(), new int[] {choice.gold()}, domain(e), taskLabels(labels),
                        "world example " + e.id()));
            }
        }
        return new Sets(dir.resolve(TRUTH), truth, dir.resolve(REASONING), reasoning,
                new EvalTask(name(TRUTH_TASK), dir.resolve(TRUTH_TASK), truthTask),
                new EvalTask(name(REASONING_TASK), dir.resolve(REASONING_TASK), reasoningTask));
    }

    /** Builds the sets and writes the four files into {@code dir} (created if missing), each through a temporary sibling. */
    public static Sets write(World world, Path dir, Options o) {
        Sets s = build(world, dir, o);
        try {
            java.nio.file.Files.createDirectories(dir);
            AtomicFiles.writeString(s.truthFile(), lines(s.truth()));
            AtomicFiles.writeString(s.reasoningFile(), lines(s.reasoning()));
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot write the prompt sets: " + e.getMessage(), e);
        }
        s.truthTask().write();
        s.reasoningTask().write();
        return s;
    }

    /** The four files {@link #write} writes into {@code dir}. */
    public static List<Path> files(Path dir) {
        return List.of(dir.resolve(TRUTH), dir.resolve(REASONING), dir.resolve(TRUTH_TASK), dir.resolve(REASONING_TASK));
    }

    private static String lines(List<Prompt> prompts) {
        return Prompt.toJsonl(prompts);
    }

    private static String name(String file) {
        return file.substring(0, file.length() - ".jsonl".length());
    }

    private static String domain(Example e) {
        return e.domain() == null ? null : e.domain().label();
    }

    private static ObjectNode labels(String capability, String pair, boolean heldOut, Example e) {
        ObjectNode l = Json.mapper().createObjectNode();
        l.put("capability", capability);
        l.put("pair", pair);
        l.put("split", heldOut ? HELDOUT : TRAIN);
        l.put("world_split", e.split().label());
        l.put("category", e.category());
        return l;
    }

    private static Map<String, String> taskLabels(ObjectNode labels) {
        Map<String, String> m = new LinkedHashMap<>();
        labels.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asText()));
        return m;
    }

    /** Whole pairs held out: a seeded shuffle of the pair indices, its first round(share · n) (at least one, never all). */
    private static boolean[] heldOut(int pairs, double share, SplittableRandom rng) {
        int count = Math.min(pairs - 1, WorldConfig.heldOut(share, pairs));
        int[] order = org.scalelab.train.DataOrder.shuffled(pairs, rng);
        boolean[] held = new boolean[pairs];
        for (int q = 0; q < count; q++) {
            held[order[q]] = true;
        }
        return held;
    }

    /** The world's truth statements as [true, false] pairs of one (category, subject, relation), in world order. */
    private static List<Example[]> truthPairs(World world) {
        Map<String, Example[]> byQuestion = new LinkedHashMap<>();
        for (Example e : world.examples()) {
            if (e.kind() != Kind.TRUTH) {
                continue;
            }
            String[] tok = e.text().split(" ");
            Example[] pair = byQuestion.computeIfAbsent(e.category() + " " + tok[0] + " " + tok[1], k -> new Example[2]);
            int slot = e.target().equals(Vocabulary.TRUE) ? 0 : 1;
            if (pair[slot] != null) {
                throw new IllegalStateException(e.id() + ": a second " + e.target() + " statement of " + tok[0] + " " + tok[1]);
            }
            pair[slot] = e;
        }
        List<Example[]> out = new ArrayList<>();
        for (Example[] p : byQuestion.values()) {
            if (p[0] == null || p[1] == null) {
                throw new IllegalStateException("a truth statement without its " + (p[0] == null ? "true" : "false") + " twin: "
                        + (p[0] == null ? p[1] : p[0]).id());
            }
            out.add(p);
        }
        return out;
    }

    /**
     * One composition written as a chain: its category (entity indices by position), the true
     * intermediate r1(h) and a wrong one drawn uniformly from the category's other entities.
     */
    private record Chain(Example composition, int[] category, String intermediate, String wrongIntermediate) {}

    private static List<Chain> chains(World world, SplittableRandom rng) {
        Map<Integer, Integer> position = new LinkedHashMap<>();
        for (int p = 0; p < world.e1().length; p++) {
            position.put(world.e1()[p], p);
            position.put(world.e2()[p], p);
        }
        List<Chain> out = new ArrayList<>();
        for (Example e : world.examples()) {
            if (e.kind() != Kind.COMPOSITIONAL) {
                continue;
            }
            String[] tok = e.text().split(" ");
            int[] category = e.category().equals("E1") ? world.e1() : world.e2();
            int head = position.get(entityIndex(tok[0]));
            Relation r1 = world.relations().get(relationIndex(tok[1]));
            Relation r2 = world.relations().get(relationIndex(tok[2]));
            int middle = r1.apply(head);
            if (middle < 0 || !Vocabulary.entity(category[r2.apply(middle)]).equals(e.target())) {
                throw new IllegalStateException(e.id() + ": " + e.text() + " → " + e.target() + " does not follow the world's relations");
            }
            int wrong = rng.nextInt(category.length - 1);
            if (wrong >= middle) {
                wrong++;
            }
            out.add(new Chain(e, category, Vocabulary.entity(category[middle]), Vocabulary.entity(category[wrong])));
        }
        return out;
    }

    private static int entityIndex(String token) {
        return Integer.parseInt(token.substring("<e_".length(), token.length() - 1));
    }

    private static int relationIndex(String token) {
        return Integer.parseInt(token.substring("<r_".length(), token.length() - 1));
    }
}
