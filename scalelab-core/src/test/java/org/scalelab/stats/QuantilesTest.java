package org.scalelab.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantilesTest {
    @Test
    void quantileInterpolatesLinearlyBetweenOrderStatisticsLikeNumpy() {
        double[] sorted = {1, 2, 3, 4};
        // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 2.5, 3.7, 4]
        assertEquals(1.0, Quantiles.quantile(sorted, 0), 0);
        assertEquals(1.75, Quantiles.quantile(sorted, 0.25), 1e-15);
        assertEquals(2.5, Quantiles.quantile(sorted, 0.5), 1e-15);
        assertEquals(3.7, Quantiles.quantile(sorted, 0.9), 1e-15);
        assertEquals(4.0, Quantiles.quantile(sorted, 1), 0);
        assertEquals(7.0, Quantiles.quantile(new double[] {7}, 0.3), 0);
    }

    @Test
    void percentileIntervalIgnoresNonFiniteSamplesAndIsNanWhenNoneIsFinite() {
        double[] s = {Double.NaN, 4, 1, 3, 2, Double.POSITIVE_INFINITY};
        // numpy.percentile([1, 2, 3, 4], [25, 75]) = [1.75, 3.25]
        assertArrayEquals(new double[] {1.75, 3.25}, Quantiles.percentileInterval(s, 0.5), 1e-15);
        double[] none = Quantiles.percentileInterval(new double[] {Double.NaN}, 0.95);
        assertTrue(Double.isNaN(none[0]) && Double.isNaN(none[1]));
    }

    @Test
    void bootstrapReplicatesAreReproducibleAndTheStandardErrorIsTheSampleDeviation() {
        assertArrayEquals(Bootstrap.resample(10, 3, 7), Bootstrap.resample(10, 3, 7));
        int[] counts = Bootstrap.counts(Bootstrap.resample(10, 3, 7), 10);
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        assertEquals(10, total);
        // numpy.std([1, 2, 3, 4], ddof=1) = 1.2909944487358056
        assertEquals(1.2909944487358056, Bootstrap.standardError(new double[] {1, 2, Double.NaN, 3, 4}), 1e-15);
    }
}
