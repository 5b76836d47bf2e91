package org.scalelab.eval;

import java.util.List;
import java.util.Map;

/**
 * One multiple-choice example: a line of a task file. {@code gold} lists the indices of the correct
 * choices (one for most tasks, several for TruthfulQA's mc2); {@code domain} may be null and
 * {@code labels} empty; {@code where} is "FILE:LINE", for error messages.
 */
public record EvalExample(String id, String context, List<String> choices, int[] gold, String domain,
                          Map<String, String> labels, String where) {
    public EvalExample {
        choices = List.copyOf(choices);
        gold = gold.clone();
        labels = Map.copyOf(labels);
    }

    @Override
    public int[] gold() {
        return gold.clone();
    }
}
