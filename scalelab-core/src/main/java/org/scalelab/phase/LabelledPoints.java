package org.scalelab.phase;

import java.util.List;
import java.util.function.Predicate;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;

/**
 * Two classes of prompts as points: one pooled activation vector per selected trajectory of one
 * activation set at one hook (row i = trajectory i, in manifest order).
 *
 * @param set            the activation set's folder
 * @param model          the checkpoint the activations came from
 * @param parameterCount the model's scalars
 * @param hook           the hook the rows were read at
 * @param x              [n][width] pooled rows
 * @param positive       true for the first (positive) class
 * @param ids            the trajectories' ids
 * @param pairs          each trajectory's {@code labels.pair} value, or null when it has none
 */
public record LabelledPoints(String set, String model, long parameterCount, String hook,
                             double[][] x, boolean[] positive, List<String> ids, List<String> pairs) {

    /** How a trajectory's token rows become one vector. */
    public enum Pool {
        /** the last token's row: what a causal model has read the whole prompt into */
        LAST,
        /** the mean of the trajectory's rows */
        MEAN
    }

    /**
     * The trajectories of {@code set} that {@code positive} or {@code negative} accepts, pooled at
     * {@code hook}. InputException when a class is empty, a trajectory matches both, or the hook was
     * not captured (naming the set folder, the hook and the selector).
     */
    public static LabelledPoints read(ActivationSet set, String hook, Predicate<ActivationManifest.Trajectory> positive,
                                      Predicate<ActivationManifest.Trajectory> negative, Pool pool) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The points at {@code rows}, in that order. */
    public LabelledPoints subset(int[] rows) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Number of points. */
    public int size() {
        return x.length;
    }

    /** Width of each point. */
    public int dimension() {
        return x.length == 0 ? 0 : x[0].length;
    }
}
