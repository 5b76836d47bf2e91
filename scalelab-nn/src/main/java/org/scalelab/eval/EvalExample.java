package org.scalelab.eval;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One multiple-choice example: a line of a task file.
 *
 * <p>A choice is scored as the continuation {@link #DELIMITER} + choice after the context, as
 * lm-evaluation-harness scores its multiple-choice tasks with its default {@code target_delimiter} of
 * one space: the file holds {@code "context": "Question: …\nAnswer:"} and {@code "choices": ["Paris", …]},
 * and the space belongs to the continuation. A choice's length for {@code acc_norm} is that of the choice
 * without the delimiter, as lm-eval measures it ({@link #chars}, {@link #bytes}).
 *
 * @param id unique within its task
 * @param context the text every choice continues (may be empty)
 * @param choices at least two non-empty choices
 * @param gold the indices of the correct choices, at least one, distinct, in file order (one for most
 *     tasks; several for TruthfulQA's mc2, where the first is the best answer)
 * @param domain null when the line has none
 * @param labels the line's labels as text, in file order; empty when it has none
 * @param where "FILE:LINE", for error messages
 */
public record EvalExample(String id, String context, List<String> choices, int[] gold, String domain,
                          Map<String, String> labels, String where) {
    /** What separates the context from each choice: one space, lm-eval's default {@code target_delimiter}. */
    public static final String DELIMITER = " ";

    /**
     * Holds the invariants {@link EvalTask#read} reports to users as input errors; an example made in code
     * that breaks one is a programming error.
     */
    public EvalExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(context, "context");
        choices = List.copyOf(choices);
        gold = gold.clone();
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        if (choices.size() < 2 || choices.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException(where + ": an example needs at least 2 non-empty choices, got " + choices);
        }
        int k = choices.size();
        if (gold.length == 0 || Arrays.stream(gold).anyMatch(g -> g < 0 || g >= k) || Arrays.stream(gold).distinct().count() != gold.length) {
            throw new IllegalArgumentException(where + ": gold " + Arrays.toString(gold) + " is not a set of distinct indices of " + k + " choices");
        }
    }

    @Override
    public int[] gold() {
        return gold.clone();
    }

    /** The text scored after the context for choice {@code i}: the delimiter, then the choice. */
    public String continuation(int i) {
        return DELIMITER + choices.get(i);
    }

    /** Each choice's length in characters as Python's {@code len(str)} counts them: Unicode code points. */
    public int[] chars() {
        int[] out = new int[choices.size()];
        for (int i = 0; i < out.length; i++) {
            String c = choices.get(i);
            out[i] = c.codePointCount(0, c.length());
        }
        return out;
    }

    /** Each choice's length in UTF-8 bytes. */
    public int[] bytes() {
        int[] out = new int[choices.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = choices.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        return out;
    }

    /** Whether choice {@code i} is one of the golds. */
    public boolean isGold(int i) {
        for (int g : gold) {
            if (g == i) {
                return true;
            }
        }
        return false;
    }
}
