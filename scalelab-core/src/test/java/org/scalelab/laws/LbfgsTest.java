package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {

    /** Rosenbrock (N&amp;W eq. 2.22 generalised): Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1). */
    private static double rosenbrock(double[] x, double[] g) {
        double f = 0;
        java.util.Arrays.fill(g, 0);
        for (int i = 0; i + 1 < x.length; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * x[i] * a - 2 * b;
            g[i + 1] += 200 * a;
        }
        return f;
    }

    @Test
    void minimizesRosenbrockFromTheClassicStart() {
        Lbfgs.Result r = new Lbfgs(2).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertTrue(r.status().converged(), r.status().json());
        assertEquals(1.0, r.x()[0], 1e-4);
        assertEquals(1.0, r.x()[1], 1e-4);
        assertTrue(r.value() < 1e-8, "f = " + r.value());
        assertTrue(r.evaluations() < 200, "evaluations " + r.evaluations());
    }

    @Test
    void minimizesTenDimensionalRosenbrock() {
        double[] x0 = new double[10];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = i % 2 == 0 ? -1.2 : 1.0;
        }
        Lbfgs.Result r = new Lbfgs(10).minimize(LbfgsTest::rosenbrock, x0);
        assertTrue(r.status().converged(), r.status().json());
        for (double xi : r.x()) {
            assertEquals(1.0, xi, 1e-3);
        }
    }

    @Test
    void findsTheMinimumOfAnIllConditionedQuadratic() {
        // f = ½ xᵀQx − cᵀx with Q = [[10, 2, 0], [2, 5, 1], [0, 1, 1]] (SPD, condition ≈ 15); minimiser solves Qx = c.
        double[][] q = {{10, 2, 0}, {2, 5, 1}, {0, 1, 1}};
        double[] c = {1, -2, 3};
        Lbfgs.Objective f = (x, g) -> {
            double v = 0;
            for (int i = 0; i < 3; i++) {
                double qx = 0;
                for (int j = 0; j < 3; j++) {
                    qx += q[i][j] * x[j];
                }
                g[i] = qx - c[i];
                v += 0.5 * x[i] * qx - c[i] * x[i];
            }
            return v;
        };
        Lbfgs.Result r = new Lbfgs(3).minimize(f, new double[] {5, 5, 5});
        // Closed form Q⁻¹c by Cramer's rule: det Q = 10(5−1) − 2(2−0) = 36.
        double[] expected = {
            (1 * (5 * 1 - 1 * 1) - 2 * (-2 * 1 - 1 * 3) + 0) / 36.0,
            (10 * (-2 * 1 - 1 * 3) - 1 * (2 * 1 - 0 * 1) + 0) / 36.0,
            (10 * (5 * 3 - (-2) * 1) - 2 * (2 * 3 - (-2) * 0) + 1 * (2 * 1 - 5 * 0)) / 36.0,
        };
        assertTrue(r.status().converged(), r.status().json());
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], r.x()[i], 1e-5, "x[" + i + "]");
        }
    }

    @Test
    void aStartAtTheMinimumConvergesWithoutIterating() {
        Lbfgs.Result r = new Lbfgs(2).minimize(LbfgsTest::rosenbrock, new double[] {1, 1});
        assertEquals(Lbfgs.Status.CONVERGED_GTOL, r.status());
        assertEquals(0, r.iterations());
        assertEquals(1, r.evaluations());
    }

    @Test
    void stopsAtTheIterationCapAndSaysSo() {
        Lbfgs.Options o = new Lbfgs.Options(10, 2.220446049250313e-09, 1e-5, 3, 15000, 20, 1e-3, 0.9);
        Lbfgs.Result r = new Lbfgs(2, o).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertEquals(Lbfgs.Status.MAX_ITERATIONS, r.status());
        assertEquals(3, r.iterations());
        assertFalse(r.status().converged());
    }

    @Test
    void stopsAtTheEvaluationCapAndSaysSo() {
        Lbfgs.Options o = new Lbfgs.Options(10, 2.220446049250313e-09, 1e-5, 15000, 10, 20, 1e-3, 0.9);
        Lbfgs.Result r = new Lbfgs(2, o).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertEquals(Lbfgs.Status.MAX_EVALUATIONS, r.status());
        assertTrue(r.evaluations() <= 10, "evaluations " + r.evaluations());
    }

    @Test
    void aNonFiniteStartIsReportedNotOptimised() {
        Lbfgs.Result r = new Lbfgs(1).minimize((x, g) -> {
            g[0] = Double.NaN;
            return Double.NaN;
        }, new double[] {0});
        assertEquals(Lbfgs.Status.NON_FINITE, r.status());
    }

    @Test
    void stepsIntoOverflowAreShortenedNotAccepted() {
        // f = exp(x) + exp(−x) has its minimum at 0 but overflows for |x| > 709; start far out.
        Lbfgs.Result r = new Lbfgs(1).minimize((x, g) -> {
            g[0] = Math.exp(x[0]) - Math.exp(-x[0]);
            return Math.exp(x[0]) + Math.exp(-x[0]);
        }, new double[] {30});
        assertTrue(r.status().converged(), r.status().json());
        assertEquals(0.0, r.x()[0], 1e-5);
    }

    @Test
    void anUnboundedFunctionNeverCountsAsConverged() {
        Lbfgs.Options o = new Lbfgs.Options(10, 2.220446049250313e-09, 1e-5, 200, 15000, 20, 1e-3, 0.9);
        Lbfgs.Result r = new Lbfgs(1, o).minimize((x, g) -> {
            g[0] = -1;
            return -x[0];
        }, new double[] {0});
        assertFalse(r.status().converged(), r.status().json());
    }

    @Test
    void cubicInterpolationIsExactForACubic() {
        // φ(a) = (a − 2)³/3 − (a − 2)·1 → φ'(a) = (a − 2)² − 1, local minimum at a = 3.
        java.util.function.DoubleUnaryOperator phi = a -> Math.pow(a - 2, 3) / 3 - (a - 2);
        java.util.function.DoubleUnaryOperator dphi = a -> (a - 2) * (a - 2) - 1;
        double m = Lbfgs.cubicMinimizer(2.5, phi.applyAsDouble(2.5), dphi.applyAsDouble(2.5),
                4, phi.applyAsDouble(4), dphi.applyAsDouble(4));
        assertEquals(3.0, m, 1e-12);
    }
}
