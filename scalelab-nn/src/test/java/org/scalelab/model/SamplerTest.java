package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

/** Golden distributions are closed forms of softmax over logits log(0.5), log(0.3), log(0.2). */
class SamplerTest {
    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};

    @Test
    void temperatureOneKeepsTheSoftmax() {
        assertArrayEquals(new double[] {0.5, 0.3, 0.2}, new Sampler(1, 0, 1).distribution(LOGITS), 1e-6);
    }

    @Test
    void temperatureHalfSquaresTheProbabilities() {
        double z = 0.25 + 0.09 + 0.04; // p^(1/T) with T = 0.5, renormalised
        assertArrayEquals(new double[] {0.25 / z, 0.09 / z, 0.04 / z}, new Sampler(0.5, 0, 1).distribution(LOGITS), 1e-6);
    }

    @Test
    void topKAndTopPKeepTheMostLikelySet() {
        assertArrayEquals(new double[] {0.625, 0.375, 0}, new Sampler(1, 2, 1).distribution(LOGITS), 1e-6);
        // 0.5 < 0.6 ≤ 0.5 + 0.3: the nucleus is the two most likely tokens.
        assertArrayEquals(new double[] {0.625, 0.375, 0}, new Sampler(1, 0, 0.6).distribution(LOGITS), 1e-6);
        assertArrayEquals(new double[] {1, 0, 0}, new Sampler(1, 0, 0.5).distribution(LOGITS), 1e-6);
        assertArrayEquals(new double[] {1, 0, 0}, new Sampler(1, 1, 1).distribution(LOGITS), 1e-6);
    }

    @Test
    void drawsFollowTheDistribution() {
        Sampler s = new Sampler(1, 0, 1);
        SplittableRandom rng = new SplittableRandom(42);
        int n = 40_000;
        int[] counts = new int[3];
        for (int i = 0; i < n; i++) {
            counts[s.next(LOGITS, rng)]++;
        }
        double[] p = {0.5, 0.3, 0.2};
        for (int i = 0; i < 3; i++) {
            double sd = Math.sqrt(n * p[i] * (1 - p[i]));
            assertEquals(n * p[i], counts[i], 4 * sd, "token " + i); // 4 binomial standard deviations
        }
    }

    @Test
    void zeroTemperatureIsGreedyAndBadOptionsAreRejected() {
        assertEquals(0, Sampler.GREEDY.next(LOGITS, new SplittableRandom(1)));
        assertThrows(InputException.class, () -> new Sampler(-1, 0, 1));
        assertThrows(InputException.class, () -> new Sampler(1, -2, 1));
        assertThrows(InputException.class, () -> new Sampler(1, 0, 0));
    }
}
