package org.scalelab.world;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;

/**
 * The world's examples as multiple-choice task files for {@code scalelab eval}, so a world model's
 * abilities are scored by log-likelihood like any benchmark's:
 *
 * <ul>
 *   <li>{@code world-true-false.jsonl}: every truth statement, context "⟨e_h⟩ ⟨r⟩ ⟨e_t⟩ ⟨check⟩",
 *       choices [⟨true⟩, ⟨false⟩], gold the statement's label.
 *   <li>{@code world-composition.jsonl}: every two-hop composition, context "⟨e_h⟩ ⟨r1⟩ ⟨r2⟩", the answer
 *       r2(r1(h)) among {@link #CHOICES} entities of its category.
 *   <li>{@code world-analogy.jsonl}: every analogy, context "⟨e⟩ ⟨f⟩", the answer f(e) among
 *       {@link #CHOICES} entities of E2.
 * </ul>
 *
 * Distractors are distinct other entities of the answer's category, and the answer's place among the
 * choices is drawn too, both from a generator seeded by the world's seed and the file, so the same world
 * gives the same bytes. Each example keeps its world id and domain, with labels {@code split} (train,
 * near_ood, far_ood, ood), {@code eval_set} and {@code category}: trained and held-out facts share a
 * file, and the labels tell them apart.
 */
public final class WorldTasks {
    public static final String TRUE_FALSE = "world-true-false.jsonl";
    public static final String COMPOSITION = "world-composition.jsonl";
    public static final String ANALOGY = "world-analogy.jsonl";
    /** Choices per composition and analogy example (fewer when a category has fewer entities). */
    public static final int CHOICES = 4;

    private WorldTasks() {}

    /** The three tasks of {@code world}, with their files in {@code dir}; nothing is written. */
    public static List<EvalTask> tasks(World world, Path dir) {
        return List.of(
                new EvalTask("world-true-false", dir.resolve(TRUE_FALSE), trueFalse(world)),
                new EvalTask("world-composition", dir.resolve(COMPOSITION), entityChoice(world, Kind.COMPOSITIONAL, 1)),
                new EvalTask("world-analogy", dir.resolve(ANALOGY), entityChoice(world, Kind.ANALOGICAL, 2)));
    }

    /** Writes the three task files into {@code dir} (each through a temporary sibling); returns the tasks. */
    public static List<EvalTask> write(World world, Path dir) {
        List<EvalTask> tasks = tasks(world, dir);
        tasks.forEach(EvalTask::write);
        return tasks;
    }

    private static List<EvalExample> trueFalse(World world) {
        List<EvalExample> out = new ArrayList<>();
        for (Example e : world.examples()) {
            if (e.kind() == Kind.TRUTH) {
                int gold = e.target().equals(Vocabulary.TRUE) ? 0 : 1;
                out.add(example(e, List.of(Vocabulary.TRUE, Vocabulary.FALSE), gold));
            }
        }
        return out;
    }

    private static List<EvalExample> entityChoice(World world, Kind kind, long stream) {
        SplittableRandom rng = new SplittableRandom(world.config().seed() * 0x9E3779B97F4A7C15L + stream);
        List<EvalExample> out = new ArrayList<>();
        for (Example e : world.examples()) {
            if (e.kind() != kind) {
                continue;
            }
            // an analogy's answer is in E2 whatever its head's category; a composition stays in its head's
            int[] category = kind == Kind.ANALOGICAL || e.category().equals("E2") ? world.e2() : world.e1();
            Choices c = choices(e.id(), e.target(), category, rng);
            out.add(example(e, c.choices(), c.gold()));
        }
        return out;
    }

    /** Choices of one entity question: the answer at a drawn place among distinct distractors. */
    record Choices(List<String> choices, int gold) {}

    /**
     * The answer among {@code min(CHOICES, |category|)} entities of its category: the answer's place is drawn
     * first, then the distractors, distinct and other than the answer (a partial Fisher–Yates shuffle).
     */
    static Choices choices(String id, String answer, int[] category, SplittableRandom rng) {
        int k = Math.min(CHOICES, category.length);
        List<String> choices = new ArrayList<>(k);
        int gold = rng.nextInt(k);
        List<String> others = new ArrayList<>();
        for (int entity : category) {
            String token = Vocabulary.entity(entity);
            if (!token.equals(answer)) {
                others.add(token);
            }
        }
        if (others.size() != category.length - 1) {
            throw new IllegalStateException(id + ": answer " + answer + " is not in its category");
        }
        for (int i = 0; i < k - 1; i++) {
            int j = i + rng.nextInt(others.size() - i);
            String t = others.get(i);
            others.set(i, others.get(j));
            others.set(j, t);
        }
        for (int i = 0, d = 0; i < k; i++) {
            choices.add(i == gold ? answer : others.get(d++));
        }
        return new Choices(choices, gold);
    }

    private static EvalExample example(Example e, List<String> choices, int gold) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("split", e.split().label());
        labels.put("eval_set", e.evalSet());
        labels.put("category", e.category());
        return new EvalExample(e.id(), e.text(), choices, new int[] {gold}, e.domain() == null ? null : e.domain().label(), labels,
                "world example " + e.id());
    }
}
