package org.scalelab.stats;

/** Two models compared on the same examples: McNemar's exact test for 0/1 outcomes, a paired bootstrap for real values. */
public final class PairedComparison {
    private PairedComparison() {}

    /** McNemar's exact test of {@code a[i]} against {@code b[i]}, with the accuracy difference's interval at {@code level}. */
    public static McNemarResult mcnemar(boolean[] a, boolean[] b, double level) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Paired bootstrap of mean(a) − mean(b), resampling examples with {@code seed}. */
    public static PairedBootstrapResult bootstrap(double[] a, double[] b, int replicates, long seed, double level) {
        throw new UnsupportedOperationException("not yet");
    }
}
