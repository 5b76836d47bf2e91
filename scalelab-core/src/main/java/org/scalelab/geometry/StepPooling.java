package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.Locale;
import org.scalelab.InputException;

/**
 * Reasoning steps as the points of geometry. A trajectory of token states becomes a trajectory of
 * step states: step j of a trajectory is its rows {@code [s_j, s_{j+1})} (the last one up to the
 * trajectory's end), and its state is the mean of those rows ({@link Pool#MEAN}) or the row of its
 * last token ({@link Pool#LAST}). Rows before the first step belong to no step and are left out.
 * Every trajectory metric then runs unchanged on the pooled points: a "time" is a step.
 */
public final class StepPooling {
    private StepPooling() {}

    /** What one point of the analysis is: a token's hidden state or a reasoning step's. */
    public enum Unit {
        TOKEN, STEP;

        /** Parses {@code token} or {@code step}; anything else names {@code --unit}. */
        public static Unit parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "token", "tokens" -> TOKEN;
                case "step", "steps" -> STEP;
                default -> throw new InputException("--unit: '" + InputException.quote(s) + "' is not one of token, step");
            };
        }

        /** The name the results carry ({@code token}, {@code step}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a step's token states become one state. */
    public enum Pool {
        /** The mean of the step's token rows (each coordinate averaged in float64, stored as float32). */
        MEAN,
        /** The row of the step's last token: in a causal model the state that has read the whole step. */
        LAST;

        /** Parses {@code mean} or {@code last}; anything else names {@code --pool}. */
        public static Pool parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "mean" -> MEAN;
                case "last" -> LAST;
                default -> throw new InputException("--pool: '" + InputException.quote(s) + "' is not one of mean, last");
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The unit as results name it: {@code token}, or {@code step (mean)} / {@code step (last)}. */
    public static String describe(Unit unit, Pool pool) {
        return unit == Unit.TOKEN ? "token" : "step (" + pool.label() + ")";
    }

    /**
     * One point per step, one trajectory per trajectory of {@code tokens} that has steps (a
     * trajectory with no steps, an empty {@code stepRowStarts[k]}, gives no points); a point's label
     * is the label of its step's first row.
     *
     * @param tokens        token rows with trajectory offsets
     * @param stepRowStarts per trajectory, its step starts as row indices relative to the trajectory's
     *                      first row: strictly increasing, each inside the trajectory
     */
    public static PointSet pool(PointSet tokens, int[][] stepRowStarts, Pool pool) {
        if (!tokens.hasTrajectories()) {
            throw new InputException(tokens.source() + ": steps need trajectories; the points have no trajectory offsets");
        }
        int trajectories = tokens.trajectoryCount();
        if (stepRowStarts.length != trajectories) {
            throw new IllegalArgumentException(stepRowStarts.length + " step lists for " + trajectories + " trajectories");
        }
        int total = 0;
        for (int k = 0; k < trajectories; k++) {
            int rows = tokens.trajectoryEnd(k) - tokens.trajectoryStart(k);
            int[] s = stepRowStarts[k];
            for (int j = 0; j < s.length; j++) {
                if (s[j] < 0 || s[j] >= rows || (j > 0 && s[j] <= s[j - 1])) {
                    throw new InputException(tokens.source() + ": trajectory " + k + " step " + j + " starts at row " + s[j]
                            + "; step starts must increase strictly inside the trajectory's " + rows + " rows");
                }
            }
            total += s.length;
        }
        int d = tokens.dimension();
        FloatBuffer out = PointSet.allocate((long) total * d);
        int[] labels = tokens.hasLabels() ? new int[total] : null;
        long[] offsets = new long[trajectories];
        int kept = 0;
        int p = 0;
        double[] sum = new double[d];
        float[] row = new float[d];
        for (int k = 0; k < trajectories; k++) {
            int[] s = stepRowStarts[k];
            if (s.length == 0) {
                continue;
            }
            int first = tokens.trajectoryStart(k);
            int end = tokens.trajectoryEnd(k);
            offsets[kept++] = p;
            for (int j = 0; j < s.length; j++) {
                int from = first + s[j];
                int to = j + 1 < s.length ? first + s[j + 1] : end; // [from, to), at least one row
                if (pool == Pool.LAST) {
                    tokens.row(to - 1, row);
                } else {
                    java.util.Arrays.fill(sum, 0);
                    for (int i = from; i < to; i++) {
                        tokens.row(i, row);
                        for (int c = 0; c < d; c++) {
                            sum[c] += row[c];
                        }
                    }
                    int count = to - from;
                    for (int c = 0; c < d; c++) {
                        row[c] = (float) (sum[c] / count);
                    }
                }
                out.put(p * d, row, 0, d);
                if (labels != null) {
                    labels[p] = tokens.label(from);
                }
                p++;
            }
        }
        PointSet pooled = PointSet.trusted(out, total, d, tokens.source());
        if (labels != null) {
            pooled = pooled.withLabels(labels);
        }
        return kept == 0 ? pooled : pooled.withTrajectories(java.util.Arrays.copyOf(offsets, kept), tokens.source());
    }
}
