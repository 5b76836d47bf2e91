package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * TwoNN over points read in blocks: the in-memory value below the exact size; above it, each sampled
 * point's ratio is the in-memory engine's ratio for that point (exact float64 distances on both sides),
 * whatever the block size, and the interval covers the whole set's value at about its nominal rate.
 */
class SampledTwoNNTest {
    /** n points on a 3-dimensional gaussian cloud embedded in 8 dimensions (rotated, offset from 0). */
    static PointSet cloud(int n, long seed) {
        return PointSet.of(Synthetic.lowRank(n, 8, 3, seed), "cloud-" + seed);
    }

    @Test
    void belowTheExactSizeItIsTheInMemoryValue() {
        PointSet p = cloud(300, 1);
        CountingBlocks blocks = new CountingBlocks(p);
        SampledMetric<MetricValue> m = SampledTwoNN.of(blocks, 300, 50, 9L, TwoNN.DEFAULT_DISCARD_FRACTION, 7);
        assertTrue(m.exact());
        assertEquals(TwoNN.of(p).value(), m.result().value(), 0.0);
        assertEquals(null, m.ciLow());
        assertEquals(1, blocks.passes);
        SampledMetric<MetricValue> float64 = SampledTwoNN.of(new CountingBlocks(p), 300, 50, 9L, 0.1, DistancePrecision.FLOAT64, 300);
        assertEquals(TwoNN.of(p, 0.1, DistancePrecision.FLOAT64).value(), float64.result().value(), 0.0);
    }

    @Test
    void sampledRatiosAreTheInMemoryRatiosOfThePickedPointsForAnyBlockSize() {
        PointSet p = cloud(500, 2);
        double[] all = TwoNN.ratios(p, DistancePrecision.AUTO);
        int[] picked = Silhouette.sample(500, 60, 4L);
        for (int blockRows : new int[] {1, 7, 64, 5000}) {
            CountingBlocks blocks = new CountingBlocks(p);
            double[] mu = SampledTwoNN.ratios(blocks, picked, blockRows);
            for (int i = 0; i < picked.length; i++) {
                assertEquals(all[picked[i]], mu[i], 0.0, "point " + picked[i] + ", blocks of " + blockRows);
            }
            assertEquals(2, blocks.passes, "one pass to copy the sample, one to compare");
            assertTrue(blocks.largestBlock <= blockRows);
        }
        SampledMetric<MetricValue> one = SampledTwoNN.of(new CountingBlocks(p), 100, 60, 4L, 0.1, 1);
        SampledMetric<MetricValue> odd = SampledTwoNN.of(new CountingBlocks(p), 100, 60, 4L, 0.1, 13);
        SampledMetric<MetricValue> big = SampledTwoNN.of(new CountingBlocks(p), 100, 60, 4L, 0.1, 100_000);
        assertEquals(one, odd);
        assertEquals(one, big);
    }

    @Test
    void aDuplicatedPointHasNoRatioAsInMemory() {
        float[][] x = Synthetic.gaussian(200, 4, 5);
        x[17] = x[150].clone();
        PointSet p = PointSet.of(x, "dup");
        double[] mu = SampledTwoNN.ratios(new CountingBlocks(p), new int[] {3, 17, 150}, 9);
        assertTrue(Double.isFinite(mu[0]));
        assertTrue(Double.isNaN(mu[1]));
        assertTrue(Double.isNaN(mu[2]));
    }

    @Test
    void theSampleIsReproducibleFromItsSeed() {
        PointSet p = cloud(400, 3);
        SampledMetric<MetricValue> a = SampledTwoNN.of(new CountingBlocks(p), 100, 80, 11L, 0.1, 32);
        SampledMetric<MetricValue> b = SampledTwoNN.of(new CountingBlocks(p), 100, 80, 11L, 0.1, 32);
        SampledMetric<MetricValue> c = SampledTwoNN.of(new CountingBlocks(p), 100, 80, 12L, 0.1, 32);
        assertFalse(a.exact());
        assertEquals(80, a.scored());
        assertEquals(400, a.population());
        assertEquals(a, b);
        assertNotEquals(a.result().value(), c.result().value());
    }

    /**
     * Over 100 seeds (each a new cloud of 400 points and a new sample of 100), the 95 % interval
     * contains {@link TwoNN#of} of the whole cloud at least 85 times: were its true rate 95 %, 85 or
     * fewer would happen with probability 1.3e-4 (binomial), so the bound catches an interval that is
     * too narrow (below ~85 %) without being a coin toss. The seeds are fixed, so the test is
     * deterministic. The interval's standard error must also match the estimates' actual spread around
     * the exact value (root mean square within 0.6–1.5 of the mean se): a far too wide interval fails too.
     */
    @Test
    void intervalsCoverTheWholeSetsValueAtAboutTheirNominalRate() {
        int covered = 0;
        double squaredErrors = 0;
        double ses = 0;
        int seeds = 100;
        for (long seed = 0; seed < seeds; seed++) {
            PointSet p = cloud(400, 1000 + seed);
            double exact = TwoNN.of(p).value();
            SampledMetric<MetricValue> m = SampledTwoNN.of(new CountingBlocks(p), 200, 100, seed, 0.1, 64);
            double v = m.result().value();
            if (m.ciLow() <= exact && exact <= m.ciHigh()) {
                covered++;
            }
            squaredErrors += (v - exact) * (v - exact);
            ses += (m.ciHigh() - m.ciLow()) / (2 * 1.959964);
        }
        double rmsOverSe = Math.sqrt(squaredErrors / seeds) / (ses / seeds);
        assertTrue(covered >= 85, covered + " of " + seeds + " intervals cover the exact value");
        assertTrue(rmsOverSe > 0.6 && rmsOverSe < 1.5, "rms error / mean se = " + rmsOverSe);
    }
}
