package org.scalelab.geometry;

/**
 * A metric of a point set too large to compare every point with every other: computed on all points
 * ({@code exact}) or estimated from a seeded simple random sample of {@code scored} of the
 * {@code population} points (or times), each sampled one scored against all of them, with a 95 %
 * interval from the sample. {@code result} is the in-memory engine's own result type, so both engines
 * feed one report.
 *
 * @param ciLow  lower end of the 95 % interval (null when exact)
 * @param ciHigh upper end of the 95 % interval (null when exact)
 * @param seed   the seed the sample was drawn with: the same seed draws the same points
 */
public record SampledMetric<T>(T result, boolean exact, int scored, long population, Double ciLow, Double ciHigh, long seed) {
    static <T> SampledMetric<T> exact(T result, long population, long seed) {
        return new SampledMetric<>(result, true, (int) Math.min(population, Integer.MAX_VALUE), population, null, null, seed);
    }

    /**
     * The note a result carries for a sampled metric (its {@code twonn_sample} or {@code tangling_sample}
     * reason), worded alike by every engine: "estimated from a seeded sample of 5,000 of 200,000 points
     * (seed 0), each scored against all; 95 % interval [a, b]".
     *
     * @param what the population's unit, plural ("points", "times")
     */
    public String note(String what) {
        return String.format(java.util.Locale.ROOT,
                "estimated from a seeded sample of %,d of %,d %s (seed %d), each scored against all; 95 %% interval [%.4g, %.4g]", scored,
                population, what, seed, ciLow, ciHigh);
    }
}
