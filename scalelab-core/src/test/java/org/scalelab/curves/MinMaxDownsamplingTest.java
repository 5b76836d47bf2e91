package org.scalelab.curves;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

class MinMaxDownsamplingTest {
    /** A noisy decreasing loss curve over {@code n} steps 1..n, seeded. */
    static StepSeries loss(int n, long seed) {
        Random r = new Random(seed);
        long[] steps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            values[i] = 2.0 / Math.sqrt(i + 1.0) + 0.05 * r.nextGaussian();
        }
        return new StepSeries("loss", steps, values);
    }

    @Test
    void aOneStepSpikeSurvivesAtEveryBucketCount() {
        int n = 20_000;
        StepSeries base = loss(n, 7);
        for (int spikeAt : new int[] {0, 1, 4_321, 9_999, n - 2, n - 1}) {
            for (int sign : new int[] {1, -1}) {
                double[] v = base.values().clone();
                v[spikeAt] = sign * 50.0;
                StepSeries s = new StepSeries("loss", base.steps(), v);
                for (int points = 4; points <= 4_000; points = points < 64 ? points + 1 : points * 3 / 2) {
                    int[] kept = MinMaxDownsampling.keep(s, points);
                    assertTrue(kept.length <= points, kept.length + " points kept for a budget of " + points);
                    assertTrue(Arrays.binarySearch(kept, spikeAt) >= 0,
                            "spike at index " + spikeAt + " (sign " + sign + ") lost with a budget of " + points);
                }
            }
        }
    }

    @Test
    void aShortCurveIsKeptWhole() {
        StepSeries s = loss(100, 1);
        assertEquals(s, MinMaxDownsampling.downsample(s, 100));
        assertEquals(100, MinMaxDownsampling.keep(s, 1_000).length);
        assertTrue(MinMaxDownsampling.keep(s, 40).length <= 40, "ten buckets of ten steps, at most four points each");
    }

    @Test
    void nanIsNeverTheLowestOrHighestPoint() {
        long[] steps = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        double[] v = {Double.NaN, 3, Double.NaN, -1, 2, 5, Double.NaN, 0, 1, Double.NaN};
        int[] kept = MinMaxDownsampling.keep(new StepSeries("x", steps, v), 4); // one bucket
        assertArrayEquals(new int[] {0, 3, 5, 9}, kept);
    }

    @Test
    void aBudgetBelowOneBucketIsRefusedNamingTheParameter() {
        InputException e = assertThrows(InputException.class, () -> MinMaxDownsampling.keep(loss(10, 1), 3));
        assertTrue(e.getMessage().startsWith("points: 3"), e.getMessage());
    }

    @Property(tries = 200)
    void keptPointsAreASubsetInStepOrderHoldingTheGlobalExtremes(@ForAll("curves") StepSeries s,
            @ForAll @IntRange(min = 4, max = 300) int points) {
        int[] kept = MinMaxDownsampling.keep(s, points);
        assertTrue(kept.length <= Math.max(points, 0) && kept.length <= s.size());
        for (int i = 1; i < kept.length; i++) {
            assertTrue(kept[i] > kept[i - 1], "indices strictly increase");
        }
        assertEquals(0, kept[0], "first point kept");
        assertEquals(s.size() - 1, kept[kept.length - 1], "last point kept");
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s.values()) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        StepSeries d = s.select(kept);
        double keptMin = Double.POSITIVE_INFINITY;
        double keptMax = Double.NEGATIVE_INFINITY;
        for (double v : d.values()) {
            if (!Double.isNaN(v)) {
                keptMin = Math.min(keptMin, v);
                keptMax = Math.max(keptMax, v);
            }
        }
        assertEquals(min, keptMin, 0.0);
        assertEquals(max, keptMax, 0.0);
    }

    @Provide
    Arbitrary<StepSeries> curves() {
        return Arbitraries.integers().between(1, 2_000).flatMap(n -> Arbitraries.longs().between(1, 1_000_000).flatMap(seed -> {
            Random r = new Random(seed);
            long[] steps = new long[n];
            double[] values = new double[n];
            long step = r.nextInt(5);
            for (int i = 0; i < n; i++) {
                step += 1 + (r.nextInt(10) == 0 ? r.nextInt(1_000) : r.nextInt(3));
                steps[i] = step;
                values[i] = r.nextInt(20) == 0 ? Double.NaN : r.nextInt(8) == 0 ? r.nextInt(3) : r.nextGaussian() * 10;
            }
            return Arbitraries.just(new StepSeries("c", steps, values));
        }));
    }
}
