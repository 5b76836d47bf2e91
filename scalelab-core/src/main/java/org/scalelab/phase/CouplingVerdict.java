package org.scalelab.phase;

/**
 * Whether two capabilities' centred directions fight, ignore or help each other at one layer, read
 * from the centred cosine between them, its bootstrap interval and its label-shuffled null:
 * <ul>
 *   <li>{@link #ANTAGONISTIC}: the whole interval is below 0 and the observed cosine lies outside the
 *       null's central 95 %;</li>
 *   <li>{@link #COOPERATIVE}: likewise above 0;</li>
 *   <li>{@link #INDEPENDENT}: anything else — no coupling the data can tell from chance.</li>
 * </ul>
 */
public enum CouplingVerdict {
    ANTAGONISTIC,
    INDEPENDENT,
    COOPERATIVE;

    /** The verdict's lower-case name, as JSON and tables print it. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param observed the centred cosine
     * @param ci its bootstrap interval {low, high}
     * @param nullLow the label-shuffled null's 2.5th percentile
     * @param nullHigh the null's 97.5th percentile
     */
    public static CouplingVerdict of(double observed, double[] ci, double nullLow, double nullHigh) {
        if (ci == null || !Double.isFinite(observed) || !Double.isFinite(ci[0]) || !Double.isFinite(ci[1])) {
            return INDEPENDENT;
        }
        if (ci[1] < 0 && observed < nullLow) {
            return ANTAGONISTIC;
        }
        if (ci[0] > 0 && observed > nullHigh) {
            return COOPERATIVE;
        }
        return INDEPENDENT;
    }
}
