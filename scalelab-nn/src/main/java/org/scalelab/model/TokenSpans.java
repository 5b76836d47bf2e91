package org.scalelab.model;

/**
 * Tokens with the part of a text each came from: token {@code i} is {@code ids[i]} and covers the
 * characters {@code start[i]} … {@code end[i] − 1} of {@code text} (UTF-16 indices, as Java's
 * {@link String} counts). A token that covers no character, such as a BOS the tokenizer's
 * post-processor adds, has {@code start == end}.
 */
public record TokenSpans(String text, int[] ids, int[] start, int[] end) {
    public TokenSpans {
        if (ids.length != start.length || ids.length != end.length) {
            throw new IllegalArgumentException(ids.length + " tokens but " + start.length + " starts and " + end.length + " ends");
        }
        ids = ids.clone();
        start = start.clone();
        end = end.clone();
    }

    public int size() {
        return ids.length;
    }

    /**
     * The token where a step beginning at character {@code c} starts: the first token covering
     * {@code c}, or when no token covers it (whitespace the tokenizer dropped) the first token after
     * it; −1 when no token covers {@code c} or anything after it. Tokens covering no character are
     * never chosen.
     */
    public int tokenAt(int c) {
        for (int i = 0; i < ids.length; i++) {
            if (end[i] > start[i] && end[i] > c) {
                return i;
            }
        }
        return -1;
    }
}
