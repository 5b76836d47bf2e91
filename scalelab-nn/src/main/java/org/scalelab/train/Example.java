package org.scalelab.train;

import java.util.Arrays;
import org.scalelab.InputException;

/**
 * One training sequence and the tokens it is scored on. Position i of the model predicts token
 * i + 1, so {@code lossMask[j]} says whether token j is a <em>target</em>: the loss includes
 * −log p(tokens[j] | tokens[0..j−1]) exactly when it is true. Token 0 has no context and is never
 * a target. For the controlled world's facts "h r t" only the last token is scored
 * ({@link #lastToken}); for plain language modelling every token after the first ({@link #allTokens}).
 *
 * @param tokens   token ids, at least 2
 * @param lossMask one flag per token; at least one true, and lossMask[0] false
 */
public record Example(int[] tokens, boolean[] lossMask) {
    public Example {
        if (tokens == null || lossMask == null) {
            throw new InputException("example: tokens and loss mask are required");
        }
        if (tokens.length < 2) {
            throw new InputException("example: needs at least 2 tokens (a context and a target), got " + tokens.length);
        }
        if (lossMask.length != tokens.length) {
            throw new InputException("example: loss mask has " + lossMask.length + " entries for " + tokens.length + " tokens");
        }
        if (lossMask[0]) {
            throw new InputException("example: token 0 cannot be a target (it has no context)");
        }
        int targets = 0;
        for (boolean b : lossMask) {
            targets += b ? 1 : 0;
        }
        if (targets == 0) {
            throw new InputException("example: the loss mask selects no target token");
        }
        tokens = tokens.clone();
        lossMask = lossMask.clone();
    }

    /** Scores only the last token (e.g. the tail entity of a fact). */
    public static Example lastToken(int... tokens) {
        boolean[] mask = new boolean[tokens.length];
        if (tokens.length > 0) {
            mask[tokens.length - 1] = true;
        }
        return new Example(tokens, mask);
    }

    /** Scores every token after the first (next-token language modelling). */
    public static Example allTokens(int... tokens) {
        boolean[] mask = new boolean[tokens.length];
        Arrays.fill(mask, true);
        if (tokens.length > 0) {
            mask[0] = false;
        }
        return new Example(tokens, mask);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean[] lossMask() {
        return lossMask.clone();
    }

    public int length() {
        return tokens.length;
    }

    int token(int i) {
        return tokens[i];
    }

    boolean isTarget(int i) {
        return lossMask[i];
    }

    public int targetCount() {
        int n = 0;
        for (boolean b : lossMask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Example e && Arrays.equals(tokens, e.tokens) && Arrays.equals(lossMask, e.lossMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(lossMask);
    }

    @Override
    public String toString() {
        return "Example" + Arrays.toString(tokens) + " targets " + Arrays.toString(lossMask);
    }
}
