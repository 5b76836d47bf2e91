package org.scalelab.geometry;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@link TwoNN} of a point set read in blocks ({@link PointBlocks}), for sets too large to hold.
 *
 * <p>Up to {@code exactMax} points the rows are held and the in-memory {@link TwoNN#of} runs: the
 * same value. Above it, a seeded simple random sample of {@code sample} points is held and every
 * point is streamed past it once: each sampled point's first and second nearest neighbours among
 * <em>all</em> points are found with sgemm tiles ({@link NeighbourTiles#nearestTwo}) whose candidates are measured
 * exactly in float64 — a streamed point is measured when its float32 squared distance, less the
 * {@link Float32Bound} of its error, is below the sampled point's current exact second-nearest — so
 * each sampled ratio μ_i = r2/r1 is the one the in-memory engine computes for that point, whatever the
 * block size. The estimate is Facco et al.'s line fit ({@link TwoNN#estimate}) on the sampled ratios.
 *
 * <p>Interval: the sampled points are a simple random sample of the finite set of ratios, and the
 * estimate is a smooth functional of their empirical distribution. Its standard error is the
 * standard deviation of the fit over {@value #BOOTSTRAP} bootstrap resamples of the sampled ratios
 * (Efron &amp; Tibshirani 1993, ch. 6), times the finite-population correction √(1 − s/N) (the bootstrap
 * draws from an infinite population; Cochran 1977, §2.15), and the interval is the normal one,
 * estimate ± 1.96 se. It covers the value of every point ({@link TwoNN#of} on the whole set) at about
 * its nominal rate (measured over seeds by the tests); it says nothing of the estimator's
 * own error as a model of the data's dimension.
 */
public final class SampledTwoNN {
    private SampledTwoNN() {}

    /** Above this many points TwoNN is estimated from a sample by default. */
    public static final int DEFAULT_EXACT_MAX = 20_000;
    /** Points sampled by default. */
    public static final int DEFAULT_SAMPLE = 5_000;
    /** Bootstrap resamples behind the interval's standard error. */
    static final int BOOTSTRAP = 400;

    /**
     * TwoNN of {@code points}: exact (the in-memory value) up to {@code exactMax} points or when
     * {@code sample} ≥ n, else from {@code sample} points drawn with {@code seed}; rows are read in
     * blocks of at most {@code blockRows}. The value is missing (with the reason) as in memory.
     */
    public static SampledMetric<MetricValue> of(PointBlocks points, int exactMax, int sample, long seed, double discardFraction, int blockRows) {
        return of(points, exactMax, sample, seed, discardFraction, DistancePrecision.AUTO, blockRows);
    }

    /**
     * As above, the exact path in the given arithmetic ({@link TwoNN#of(PointSet, double, DistancePrecision)});
     * the sampled path measures every ratio exactly whatever the arithmetic.
     */
    public static SampledMetric<MetricValue> of(PointBlocks points, int exactMax, int sample, long seed, double discardFraction,
            DistancePrecision arithmetic, int blockRows) {
        long n = points.size();
        if (n < 3) {
            return SampledMetric.exact(MetricValue.missing("TwoNN needs at least 3 points, got " + n), n, seed);
        }
        if (n <= exactMax || sample >= n) {
            return SampledMetric.exact(TwoNN.of(PointSample.whole(points, blockRows), discardFraction, arithmetic), n, seed);
        }
        if (sample < 3) {
            return SampledMetric.exact(MetricValue.missing(n + " points is above the exact limit of " + exactMax
                    + " and the sample size " + sample + " is below 3"), n, seed);
        }
        double[] mu = ratios(points, PointSample.draw(n, sample, seed, points.source()), blockRows);
        MetricValue value = TwoNN.estimate(mu.clone(), discardFraction);
        if (!value.present()) {
            return new SampledMetric<>(value, false, sample, n, null, null, seed);
        }
        double se = bootstrapError(mu, discardFraction, seed) * Math.sqrt(1 - (double) sample / n);
        return new SampledMetric<>(value, false, sample, n, value.value() - 1.959964 * se, value.value() + 1.959964 * se, seed);
    }

    /** μ_i = r2/r1 of each sampled row against all rows (NaN for a row with an exact duplicate, r1 = 0). */
    static double[] ratios(PointBlocks points, int[] picked, int blockRows) {
        int s = picked.length;
        PointSample sample = PointSample.of(points, picked, blockRows);
        NeighbourTiles tiles = NeighbourTiles.float32(sample.values, Arrays.stream(picked).asLongStream().toArray(), points.dimension(), true);
        double[] r1 = new double[s];
        double[] r2 = new double[s];
        Arrays.fill(r1, Double.POSITIVE_INFINITY);
        Arrays.fill(r2, Double.POSITIVE_INFINITY);
        points.forEachBlock(blockRows, (first, count, block) -> tiles.nearestTwo(block, rowNumbers(first, count), count, r1, r2));
        double[] mu = new double[s];
        for (int i = 0; i < s; i++) {
            mu[i] = r1[i] > 0 ? Math.sqrt(r2[i] / r1[i]) : Double.NaN;
        }
        return mu;
    }

    /** first, first + 1, …: the row numbers of a block. */
    static long[] rowNumbers(long first, int count) {
        long[] ids = new long[count];
        for (int j = 0; j < count; j++) {
            ids[j] = first + j;
        }
        return ids;
    }

    /** Standard deviation of the fit over bootstrap resamples of the finite sampled ratios (seeded from {@code seed}). */
    public static double bootstrapError(double[] mu, double discardFraction, long seed) {
        double[] finite = Arrays.stream(mu).filter(Double::isFinite).toArray();
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] fits = new double[BOOTSTRAP];
        int kept = 0;
        double[] draw = new double[finite.length];
        for (int b = 0; b < BOOTSTRAP; b++) {
            for (int i = 0; i < draw.length; i++) {
                draw[i] = finite[random.nextInt(finite.length)];
            }
            MetricValue fit = TwoNN.fit(draw, discardFraction);
            if (fit.present()) {
                fits[kept++] = fit.value();
            }
        }
        double mean = 0;
        for (int b = 0; b < kept; b++) {
            mean += fits[b];
        }
        mean /= kept;
        double ss = 0;
        for (int b = 0; b < kept; b++) {
            ss += (fits[b] - mean) * (fits[b] - mean);
        }
        return kept < 2 ? Double.NaN : Math.sqrt(ss / (kept - 1));
    }
}
