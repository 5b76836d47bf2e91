package org.scalelab.model;

import org.scalelab.InputException;

/**
 * Which sequence positions a hook copies out: {@code all}, {@code last}, one index {@code 5}, or a
 * half-open range {@code 2:10} (end clamped to the sequence, as a Python slice). Indices count the
 * tokens of the forward pass (with a KV cache: the new tokens only). Selecting fewer positions
 * is how a capture keeps its memory small.
 *
 * @param from first position, or -1 for "last"
 * @param to   end (exclusive), or {@link Integer#MAX_VALUE} for "to the end"
 */
public record Positions(int from, int to) {
    public static final Positions ALL = new Positions(0, Integer.MAX_VALUE);
    public static final Positions LAST = new Positions(-1, Integer.MAX_VALUE);

    public Positions {
        if (from < -1 || (from >= 0 && to <= from)) {
            throw new InputException("positions [" + from + ", " + to + ") must be a non-empty range of non-negative indices");
        }
    }

    /** Parses {@code all}, {@code last}, {@code N} or {@code FROM:TO} (either side may be empty). */
    public static Positions parse(String s) {
        String t = s.trim();
        if (t.equalsIgnoreCase("all")) {
            return ALL;
        }
        if (t.equalsIgnoreCase("last")) {
            return LAST;
        }
        try {
            int colon = t.indexOf(':');
            if (colon < 0) {
                int i = Integer.parseInt(t);
                return new Positions(i, i + 1);
            }
            String a = t.substring(0, colon).trim();
            String b = t.substring(colon + 1).trim();
            return new Positions(a.isEmpty() ? 0 : Integer.parseInt(a), b.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(b));
        } catch (NumberFormatException e) {
            throw new InputException("positions \"" + s + "\": expected all, last, an index like 5, or a range like 2:10");
        }
    }

    /** The selected [start, end) of a sequence of {@code seq} positions. */
    int[] resolve(int seq) {
        if (from == -1) {
            return new int[] {seq - 1, seq};
        }
        if (from >= seq) {
            throw new InputException("positions " + this + " start beyond the " + seq + " tokens of the sequence");
        }
        return new int[] {from, Math.min(to, seq)};
    }

    @Override
    public String toString() {
        if (from == -1) {
            return "last";
        }
        if (from == 0 && to == Integer.MAX_VALUE) {
            return "all";
        }
        return from + ":" + (to == Integer.MAX_VALUE ? "" : Integer.toString(to));
    }
}
