package org.scalelab.world;

import java.util.List;
import java.util.Map;

/**
 * One line of the world's JSONL: a prompt, the tokens the model must produce after it, and where
 * the example belongs. The loss is taken on the target tokens only.
 *
 * @param id             unique within the world, e.g. "compositional-E1-00017"
 * @param kind           what the example asks for
 * @param split          train, or which held-out set
 * @param domain         the relation family; null for analogies (the functor is not a relation)
 * @param category       "E1" or "E2": the category of the head entity
 * @param text           the prompt, space-separated tokens
 * @param target         the tokens to produce, space-separated (several for trajectories)
 * @param labels         extra facts about the example (truth statements: "truth" true/false; trajectories: "hops")
 * @param stepBoundaries for trajectories, the token positions in text + target where each step's entity is produced
 */
public record Example(String id, Kind kind, Split split, Domain domain, String category, String text, String target,
                      Map<String, Object> labels, List<Integer> stepBoundaries) {
    public Example {
        // Sorted, so the JSONL bytes do not depend on the JVM's hash salt.
        labels = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
        stepBoundaries = List.copyOf(stepBoundaries);
    }

    /** The evaluation set this example counts towards, e.g. "atomic_id" or "compositional_near_ood". */
    public String evalSet() {
        return split.evalSet(kind);
    }

    /** Prompt and target as one text: what a model reads when the example is captured. */
    public String fullText() {
        return text + " " + target;
    }
}
