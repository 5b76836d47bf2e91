package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * TwoNN's default neighbour search (float32 candidates, exact float64 refinement, full recomputation
 * when the float32 error bound cannot separate the candidates) against brute force: every ratio
 * r2/r1 from Σ (x_ik − x_jk)² over all pairs in float64.
 */
class TwoNNFilterTest {
    private static double[] bruteForce(float[][] x) {
        int n = x.length;
        double[] mu = new double[n];
        for (int i = 0; i < n; i++) {
            double r1 = Double.POSITIVE_INFINITY;
            double r2 = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    double v = (double) x[i][c] - x[j][c];
                    s += v * v;
                }
                if (s < r1) {
                    r2 = r1;
                    r1 = s;
                } else if (s < r2) {
                    r2 = s;
                }
            }
            mu[i] = r1 > 0 ? Math.sqrt(r2 / r1) : Double.NaN;
        }
        return mu;
    }

    private static void assertSameRatios(double[] want, double[] got, String what) {
        assertSameRatios(want, got, 1e-12, what);
    }

    private static void assertSameRatios(double[] want, double[] got, double relative, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Double.isNaN(want[i])) {
                assertTrue(Double.isNaN(got[i]), what + ": point " + i + " has a duplicate, got " + got[i]);
            } else {
                assertEquals(want[i], got[i], relative * want[i], what + ": point " + i);
            }
        }
    }

    @Test
    void float32CandidatesRefinedInFloat64GiveTheBruteForceRatiosOnOrdinaryData() {
        for (int d : new int[] {16, 256}) {
            float[][] x = Synthetic.gaussian(700, d, 3 + d);
            int[] fallbacks = new int[1];
            double[] got = TwoNN.filteredRatios(PointSet.of(x, "gaussian"), fallbacks);
            assertSameRatios(bruteForce(x), got, "gaussian d=" + d);
            assertTrue(fallbacks[0] < 700 / 20, "ordinary data should need few full recomputations, got " + fallbacks[0]);
        }
    }

    @Test
    void whenFloat32CannotSeparateNeighboursThePointGoesToTheFloat64Path() {
        // Tight clusters (spread 1e-3) 100 apart, 1e3 from the origin: float32 distances of globally
        // centred rows cannot tell the near neighbours apart, so the bound sends points to the float64
        // blocks, whose candidates are then measured exactly.
        SplittableRandom r = new SplittableRandom(11);
        int n = 300;
        int d = 32;
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            int cluster = i % 3;
            for (int c = 0; c < d; c++) {
                x[i][c] = (float) (1e3 + 100.0 * (c == cluster ? 1 : 0) + 1e-3 * r.nextGaussian());
            }
        }
        x[7] = x[4].clone(); // an exact duplicate: r1 = 0, μ undefined for both copies
        int[] fallbacks = new int[1];
        double[] got = TwoNN.filteredRatios(PointSet.of(x, "tight"), fallbacks);
        double[] want = bruteForce(x);
        assertSameRatios(want, got, "tight clusters");
        assertTrue(fallbacks[0] > 0, "expected full recomputations on data float32 cannot resolve");
        assertSameRatios(want, TwoNN.ratios(PointSet.of(x, "tight"), DistancePrecision.FLOAT64), "tight clusters, float64 pass");
    }

    @Test
    void theDefaultEstimateEqualsTheFloat64One() {
        float[][] x = Synthetic.gaussian(900, 12, 5);
        PointSet p = PointSet.of(x, "gaussian");
        double auto = TwoNN.of(p, TwoNN.DEFAULT_DISCARD_FRACTION, DistancePrecision.AUTO).value();
        double exact = TwoNN.of(p, TwoNN.DEFAULT_DISCARD_FRACTION, DistancePrecision.FLOAT64).value();
        assertEquals(exact, auto, 1e-9 * exact);
    }
}
