package org.scalelab.model;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Rows of different lengths in one forward pass, right-padded to the longest: row b's real tokens
 * continue its own {@code past[b]} cached positions (the cache may hold padding after them, left
 * by an earlier ragged pass), and only its first {@code valid[b]} new tokens are real. Row b's new
 * token i therefore sits at position {@code past[b] + i} (RoPE angle, learned position), and the
 * attention mask hides every padded key from every query, so a row's results are those of the row
 * run alone: they do not depend on what it was batched with or how far it was padded. The mask
 * takes a row's cached tokens to be the cache's first {@code past[b]} columns, so a pass may not
 * continue a row that an earlier ragged pass scattered (its new tokens written after padding):
 * {@link KvCache} refuses it.
 *
 * <p>A padded query still sees itself, so that no softmax row is all −∞ (which would put NaN into
 * the values a padded position passes on, and 0 × NaN into the real rows' products).
 *
 * @param past  per row: cached positions holding this row's tokens (≤ the cache's length)
 * @param valid per row: real tokens among this pass's new ones (≤ the pass's length)
 */
public record RaggedBatch(int[] past, int[] valid) {
    public RaggedBatch {
        if (past.length != valid.length) {
            throw new IllegalArgumentException("ragged batch: " + past.length + " past lengths for " + valid.length + " rows");
        }
        for (int b = 0; b < past.length; b++) {
            if (past[b] < 0 || valid[b] < 0) {
                throw new IllegalArgumentException("ragged batch: row " + b + " has past " + past[b] + ", valid " + valid[b]);
            }
        }
        past = past.clone();
        valid = valid.clone();
    }

    /** Rows without a cache: row b's first {@code lengths[b]} tokens are real. */
    public static RaggedBatch of(int[] lengths) {
        return new RaggedBatch(new int[lengths.length], lengths);
    }

    public int rows() {
        return past.length;
    }

    /** The position of row {@code row}'s new token {@code i}. */
    int position(int row, int i) {
        return past[row] + i;
    }

    /** The largest position a real token takes plus one: the positions the model must have. */
    int positionsNeeded() {
        int max = 0;
        for (int b = 0; b < rows(); b++) {
            max = Math.max(max, past[b] + valid[b]);
        }
        return max;
    }

    /** Checks that the rows fit a pass of {@code seq} new tokens after {@code offset} cached positions. */
    void check(int batch, int offset, int seq) {
        if (batch != rows()) {
            throw new IllegalArgumentException("ragged batch of " + rows() + " rows for a pass of " + batch);
        }
        for (int b = 0; b < rows(); b++) {
            if (past[b] > offset || valid[b] > seq) {
                throw new IllegalArgumentException("ragged batch: row " + b + " (past " + past[b] + ", valid " + valid[b]
                        + ") does not fit a pass of " + seq + " tokens after " + offset + " cached positions");
            }
        }
    }

    /** [batch, 1, seq, offset + seq]: the shape of {@link #mask}, broadcast over heads. */
    Shape maskShape(int offset, int seq) {
        return new Shape(rows(), 1, seq, offset + seq);
    }

    /**
     * The additive mask of a pass of {@code seq} new tokens after {@code offset} cached ones: key
     * column j &lt; offset is row b's cached position j, real iff j &lt; past[b]; column offset + t is
     * the row's new token t, at position past[b] + t, real iff t &lt; valid[b]. A query sees a real
     * key at or before its own position and, with a {@code window} (0: none), fewer than
     * {@code window} positions back, as {@link Pass#mask(int)} does for equal rows.
     */
    float[] mask(int offset, int seq, int window) {
        int keys = offset + seq;
        float[] m = new float[rows() * seq * keys];
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        for (int b = 0; b < rows(); b++) {
            for (int i = 0; i < seq; i++) {
                int base = (b * seq + i) * keys;
                int query = past[b] + i;
                for (int j = 0; j < past[b]; j++) {
                    if (window <= 0 || query - j < window) {
                        m[base + j] = 0;
                    }
                }
                for (int t = 0; t <= i; t++) {
                    int key = past[b] + t;
                    if ((t < valid[b] || t == i) && (window <= 0 || query - key < window)) {
                        m[base + offset + t] = 0;
                    }
                }
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RaggedBatch r && Arrays.equals(past, r.past) && Arrays.equals(valid, r.valid);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(past) + Arrays.hashCode(valid);
    }

    @Override
    public String toString() {
        return "RaggedBatch[past=" + Arrays.toString(past) + ", valid=" + Arrays.toString(valid) + "]";
    }
}
