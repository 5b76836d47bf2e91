package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CurveFitTest {
    /** Compares an analytic Jacobian with central differences (step 1e-6) at θ. */
    static void assertJacobianMatchesFiniteDifferences(CurveFit.Residuals r, CurveFit.Jacobian j, int m, double[] theta) {
        double[][] analytic = new double[m][theta.length];
        j.eval(theta, analytic);
        double[] up = new double[m];
        double[] down = new double[m];
        for (int c = 0; c < theta.length; c++) {
            double[] t = theta.clone();
            double h = 1e-6;
            t[c] = theta[c] + h;
            r.eval(t, up);
            t[c] = theta[c] - h;
            r.eval(t, down);
            for (int i = 0; i < m; i++) {
                double numeric = (up[i] - down[i]) / (2 * h);
                assertEquals(numeric, analytic[i][c], 1e-6 * Math.max(1, Math.abs(numeric)),
                        "d r_" + i + " / d theta_" + c);
            }
        }
    }

    static double[] lu(int n) {
        double[] lu = new double[n];
        for (int i = 0; i < n; i++) {
            lu[i] = -6 + 12.0 * i / (n - 1);
        }
        return lu;
    }

    @Test
    void powerLawJacobianMatchesFiniteDifferences() {
        double[] lu = lu(15);
        double[] ly = new double[15];
        assertJacobianMatchesFiniteDifferences(PowerLawFit.residuals(lu, ly), PowerLawFit.jacobian(lu), 15,
                new double[] {Math.log(1.7), Math.log(0.8), 0.34});
    }

    @Test
    void brokenPowerLawJacobianMatchesFiniteDifferencesWithTwoBreaks() {
        double[] lu = lu(25);
        double[] ly = new double[25];
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 5; trial++) {
            double[] theta = {Math.log(0.5 + rng.nextDouble()), rng.nextDouble(), 0.1 + 0.5 * rng.nextDouble(),
                    rng.nextDouble() - 0.5, -2 + rng.nextDouble(), Math.log(0.2 + rng.nextDouble()),
                    rng.nextDouble() - 0.5, 2 + rng.nextDouble(), Math.log(0.2 + rng.nextDouble())};
            assertJacobianMatchesFiniteDifferences(BrokenPowerLawFit.residuals(lu, ly, 2),
                    BrokenPowerLawFit.jacobian(lu, 2), 25, theta);
        }
    }

    @Test
    void multiStartKeepsTheLowestMinimumAndReportsFailure() {
        // r(θ) = (θ² − 1, 0.1·θ): minima near ±1 with equal cost; any start converges.
        CurveFit.Residuals r = (t, out) -> {
            out[0] = t[0] * t[0] - 1;
            out[1] = 0.1 * (t[0] - 2);
        };
        CurveFit.Optimum o = CurveFit.multiStart(r, 2, List.of(new double[] {-3}, new double[] {3}));
        assertTrue(o.converged());
        assertTrue(o.theta()[0] > 0, "the minimum near +1 has the lower cost: " + o.theta()[0]);
        CurveFit.Residuals undefined = (t, out) -> {
            out[0] = Double.NaN;
            out[1] = 0;
        };
        CurveFit.Optimum bad = CurveFit.multiStart(undefined, 2, List.of(new double[] {0}));
        assertFalse(bad.converged());
        assertTrue(bad.failure().contains("domain"), bad.failure());
    }

    @Test
    void degenerateReasonNamesTheProblem() {
        assertTrue(CurveFit.degenerateReason(new double[] {1, 2}, new double[] {1}, 2, true).contains("x has 2"));
        assertTrue(CurveFit.degenerateReason(new double[] {1, 2, 3, -1}, new double[] {1, 2, 3, 4}, 2, true)
                .contains("point 4"));
        assertTrue(CurveFit.degenerateReason(new double[] {1, 2, 3, 4}, new double[] {1, 0, 3, 4}, 2, true)
                .contains("y must be > 0"));
        assertTrue(CurveFit.degenerateReason(new double[] {1, 2, 3, 4}, new double[] {1, Double.NaN, 3, 4}, 2, false)
                .contains("not finite"));
        assertNull(CurveFit.degenerateReason(new double[] {1, 2, 3, 4}, new double[] {1, 0, 3, 4}, 2, false));
    }
}
