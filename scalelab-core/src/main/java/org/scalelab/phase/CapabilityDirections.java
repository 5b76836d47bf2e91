package org.scalelab.phase;

import java.util.List;

/**
 * Where a capability lives inside a model at one hook: the directions that separate two classes of
 * prompts (e.g. true vs false statements), how well a linear probe reads the class on held-out
 * prompts, and how stable the direction is across resamples.
 */
public final class CapabilityDirections {
    private CapabilityDirections() {}

    /**
     * @param holdout   fraction of each class held out for the accuracy estimates
     * @param resamples random halvings for the stability estimate
     * @param c         the probe's inverse L2 regularisation (scikit-learn's C)
     * @param level     confidence level of the intervals
     * @param seed      seed of the split and the halvings
     */
    public record Options(double holdout, int resamples, double c, double level, long seed) {
        public static Options defaults() {
            return new Options(0.25, 200, 1.0, 0.95, 0);
        }
    }

    /** The three directions. */
    public enum Method {
        MEAN_DIFF("mean_diff"),
        PCA_DIFF("pca_diff"),
        PROBE("probe");

        private final String key;

        Method(String key) {
            this.key = key;
        }

        /** The name in files and JSON. */
        public String key() {
            return key;
        }
    }

    /**
     * A direction as a unit vector, signed toward the positive class (mean(pos)·unit &gt; mean(neg)·unit).
     *
     * @param norm the length of the unnormalised direction (e.g. ‖mean(pos) − mean(neg)‖)
     */
    public record Direction(Method method, double[] unit, double norm) {}

    /** One activation set at one hook. */
    public record Result(String set, String model, long parameterCount, String hook, int nPositive, int nNegative,
                         List<Direction> directions, double probeHeldOutAccuracy, double[] probeAccuracyCi,
                         double meanDiffHeldOutAccuracy, double[] meanDiffAccuracyCi, double stabilityCosine,
                         double[] stabilityCi) {}

    public static Result analyze(LabelledPoints points, Options o) {
        throw new UnsupportedOperationException("not yet");
    }

    /** mean(positive rows) − mean(negative rows), not normalised: the centred direction (a mean shared by both classes cancels). */
    public static double[] meanDifference(LabelledPoints p) {
        throw new UnsupportedOperationException("not yet");
    }
}
