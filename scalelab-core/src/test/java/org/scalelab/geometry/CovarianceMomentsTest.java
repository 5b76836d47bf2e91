package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Moments gathered in blocks and merged in any grouping give the covariance of the whole: checked
 * against the two-pass float64 covariance written out here (mean first, then Σ (x − x̄)(x − x̄)ᵀ /
 * (n − 1), numpy.cov's definition) on rows whose mean is 1,000 times their spread, where a sum of
 * raw squares would lose about six digits. Tolerance 1e-10 relative: float64 sums of a few hundred
 * terms in another order.
 */
class CovarianceMomentsTest {
    private static final int N = 301;
    private static final int D = 7;

    private static float[] rows(long seed) {
        Random r = new Random(seed);
        float[] x = new float[N * D];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                x[i * D + j] = (float) (1000 * (j + 1) + (1 + j) * r.nextGaussian() + (j > 0 ? 0.5 * x[i * D] / 1000 : 0));
            }
        }
        return x;
    }

    /** The reference: two passes in float64. */
    private static double[] covariance(float[] x) {
        double[] mean = new double[D];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                mean[j] += x[i * D + j];
            }
        }
        for (int j = 0; j < D; j++) {
            mean[j] /= N;
        }
        double[] c = new double[D * D];
        for (int i = 0; i < N; i++) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    c[a * D + b] += (x[i * D + a] - mean[a]) * (x[i * D + b] - mean[b]);
                }
            }
        }
        for (int k = 0; k < c.length; k++) {
            c[k] /= N - 1;
        }
        return c;
    }

    private static CovarianceMoments inBlocks(float[] x, int[] cuts) {
        CovarianceMoments total = new CovarianceMoments(D);
        int from = 0;
        for (int cut : cuts) {
            total.merge(new CovarianceMoments(D).add(x, from * D, cut - from));
            from = cut;
        }
        return total.merge(new CovarianceMoments(D).add(x, from * D, N - from));
    }

    @Test
    void blocksMergedInAnyGroupingGiveTheTwoPassCovariance() {
        float[] x = rows(5);
        double[] expected = covariance(x);
        CovarianceMoments[] ways = {
            new CovarianceMoments(D).add(x, 0, N),
            inBlocks(x, new int[] {1, 2, 50, 51, 200}),
            inBlocks(x, new int[] {150}),
        };
        for (CovarianceMoments m : ways) {
            assertEquals(N, m.count());
            Covariance c = m.covariance();
            for (int a = 0; a < D; a++) {
                for (int b = a; b < D; b++) {
                    assertEquals(expected[a * D + b], c.matrix[a * D + b], 1e-10 * Math.sqrt(expected[a * D + a] * expected[b * D + b]),
                            a + "," + b);
                }
            }
        }
        double tr = 0;
        double f2 = 0;
        for (int a = 0; a < D; a++) {
            tr += expected[a * D + a];
            for (int b = 0; b < D; b++) {
                f2 += expected[a * D + b] * expected[a * D + b];
            }
        }
        assertEquals(tr * tr / f2, ways[1].participationRatio().value(), 1e-10 * tr * tr / f2);
        assertEquals(tr, ways[2].trace(), 1e-10 * tr);
    }

    @Test
    void fewerThanTwoRowsHaveNoParticipationRatio() {
        CovarianceMoments one = new CovarianceMoments(3).add(new float[] {1, 2, 3}, 0, 1);
        assertFalse(one.participationRatio().present());
        assertArrayEquals(new double[] {1, 2, 3}, one.mean(), 0);
    }
}
