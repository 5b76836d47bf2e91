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
}
