package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.scalelab.Provenance;
import org.scalelab.io.Json;

class ShapeTestTest {
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);
    static final ShapeTest.Options OPTS = ShapeTest.Options.defaults().withBootstrap(200, 1);

    /** n points log-spaced over [lo, hi], y = f(x) + σ·ε. */
    static double[][] sample(int n, double lo, double hi, DoubleUnaryOperator f, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.pow(10, Math.log10(lo) + (Math.log10(hi) - Math.log10(lo)) * i / (n - 1));
            y[i] = f.applyAsDouble(x[i]) + sigma * PowerLawFitTest.gaussian(rng);
        }
        return new double[][] {x, y};
    }

    static int count(String shape, int seeds, int n, double lo, double hi, DoubleUnaryOperator f, double sigma) {
        int k = 0;
        for (int s = 0; s < seeds; s++) {
            double[][] d = sample(n, lo, hi, f, sigma, 1000 + s);
            if (shape.equals(ShapeTest.test(d[0], d[1], OPTS.withBootstrap(200, s), PROV).shape())) {
                k++;
            }
        }
        return k;
    }

    @Test
    void plantedUIsFoundWithTurningPointIntervalCoveringTruth() {
        // Loss falls then rises again past x* = 1e9 (log10 x* = 9) over 1e7..1e11.
        DoubleUnaryOperator u = x -> 2.0 + 0.15 * Math.pow(Math.log10(x) - 9, 2);
        double[][] d = sample(20, 1e7, 1e11, u, 0.05, 42);
        ShapeTest.Result r = ShapeTest.test(d[0], d[1], OPTS, PROV);
        assertEquals("U", r.shape(), r.why());
        assertNotNull(r.turningPoint());
        List<Double> ci = r.turningPoint().ci95();
        assertTrue(ci.get(0) < 1e9 && 1e9 < ci.get(1), "CI " + ci);
        assertTrue(r.pValue() < 0.05);
    }

    @Test
    void plantedUAndInvertedUAreDetectedInAtLeast90PercentOfSeeds() {
        DoubleUnaryOperator u = x -> 2.0 + 0.15 * Math.pow(Math.log10(x) - 9, 2);
        // Inverted U: accuracy peaks at medium scale (inverse scaling past 1e9, cf. McKenzie et al. 2023).
        DoubleUnaryOperator inv = x -> 0.7 - 0.08 * Math.pow(Math.log10(x) - 8.6, 2);
        int seeds = 100;
        int hitsU = count("U", seeds, 20, 1e7, 1e11, u, 0.05);
        int hitsInv = count("inverted_U", seeds, 20, 1e7, 1e11, inv, 0.03);
        System.out.printf("shape detection: U %d/%d, inverted_U %d/%d%n", hitsU, seeds, hitsInv, seeds);
        assertTrue(hitsU >= 90, "U detected in " + hitsU + "/" + seeds);
        assertTrue(hitsInv >= 90, "inverted U detected in " + hitsInv + "/" + seeds);
    }

    @Test
    void monotonePowerLawsAreFlaggedAsUInAtMostFivePercentOf200Seeds() {
        int seeds = 200;
        // Chinchilla-like loss: convex in log x, so the quadratic alone has c2 > 0 almost always.
        DoubleUnaryOperator chinchilla = x -> 1.69 + 406.4 * Math.pow(x, -0.34);
        // Strongly saturating: flat over the last two decades, the classic false-U trap.
        DoubleUnaryOperator saturating = x -> 2.0 + 5.0 * Math.pow(x / 1e7, -1.0);
        // Rising accuracy with diminishing returns: concave, the inverted-U trap.
        DoubleUnaryOperator accuracy = x -> 0.9 - 0.6 * Math.pow(x / 1e7, -0.5);
        // α = 2: flat for the last three of four decades, the hardest case found (the flat tail is the null's
        // boundary, and the turning point is chosen from the same data).
        DoubleUnaryOperator flatTail = x -> 2.0 + 5.0 * Math.pow(x / 1e7, -2.0);
        int fpA = count("U", seeds, 15, 1e7, 1e11, chinchilla, 0.02);
        int fpB = count("U", seeds, 20, 1e7, 1e11, saturating, 0.02);
        int fpC = count("inverted_U", seeds, 20, 1e7, 1e11, accuracy, 0.01);
        int fpD = count("U", seeds, 40, 1e7, 1e11, flatTail, 0.05);
        System.out.printf("shape false positives: chinchilla %d/%d, saturating %d/%d, accuracy %d/%d, flat tail %d/%d%n",
                fpA, seeds, fpB, seeds, fpC, seeds, fpD, seeds);
        assertTrue(fpA <= 10, "chinchilla-like FPR " + fpA + "/" + seeds);
        assertTrue(fpB <= 10, "saturating FPR " + fpB + "/" + seeds);
        assertTrue(fpC <= 10, "accuracy FPR " + fpC + "/" + seeds);
        assertTrue(fpD <= 10, "flat-tail FPR " + fpD + "/" + seeds);
    }

    @Test
    void noiselessPowerLawIsConvexButMonotoneDecreasing() {
        double[][] d = sample(20, 1e7, 1e11, x -> 2.0 + 5.0 * Math.pow(x / 1e7, -1.0), 0.0, 1);
        ShapeTest.Result r = ShapeTest.test(d[0], d[1], OPTS, PROV);
        assertTrue(r.coefficients().get("c2") > 0, "a power law is convex in log x");
        assertEquals("monotone_decreasing", r.shape(), r.why());
        assertNull(r.turningPoint());
        assertNotNull(r.why());
    }

    @Test
    void quadraticCoefficientsAndPValueMatchClosedFormOnExactParabola() {
        // y = 3 − 0.5t + 0.5t² on t = log10 x − mean: OLS recovers it (±1e-3 wiggle), p(c2) → 0, t* = 0.5.
        double[] x = new double[9];
        double[] y = new double[9];
        for (int i = 0; i < 9; i++) {
            x[i] = Math.pow(10, i);
            double t = i - 4.0;
            y[i] = 3 - 0.5 * t + 0.5 * t * t + (i % 2 == 0 ? 1e-3 : -1e-3);
        }
        ShapeTest.Result r = ShapeTest.test(x, y, OPTS.withBootstrap(0, 0), PROV);
        assertEquals(0.5, r.coefficients().get("c2"), 1e-3);
        assertEquals(-0.5, r.coefficients().get("c1"), 1e-3);
        assertEquals(4.0, r.coefficients().get("t_center"), 1e-12);
        assertTrue(r.pValue() < 1e-6);
        assertEquals("U", r.shape(), r.why());
        assertEquals(4.5, Math.log10(r.turningPoint().x()), 1e-2); // t* = 0.5 → log10 x = 4.5
        assertNull(r.turningPoint().ci95());
    }

    @Test
    void degenerateInputsAreReportedNotGuessed() {
        ShapeTest.Result few = ShapeTest.test(new double[] {1, 10, 100}, new double[] {1, 2, 1}, OPTS, PROV);
        assertEquals(FitStatus.DEGENERATE, few.status());
        assertNull(few.shape());
        ShapeTest.Result flat = ShapeTest.test(new double[] {1, 10, 100, 1000, 1e4}, new double[] {1, 1, 1, 1, 1}, OPTS, PROV);
        assertEquals(FitStatus.DEGENERATE, flat.status());
        assertTrue(flat.reason().contains("constant"));
    }

    @Test
    void jsonHasShapeTurningPointAndPValue() {
        double[][] d = sample(20, 1e7, 1e11, x -> 2.0 + 0.15 * Math.pow(Math.log10(x) - 9, 2), 0.05, 42);
        String json = Json.write(ShapeTest.test(d[0], d[1], OPTS, PROV));
        assertTrue(json.contains("\"shape\":\"U\""), json);
        assertTrue(json.contains("\"turning_point\":{\"x\":"), json);
        assertTrue(json.contains("\"ci95\":["), json);
        assertTrue(json.contains("\"p_value\":"), json);
        assertTrue(json.contains("\"n_points\":20"), json);
        assertTrue(json.contains("\"status\":\"converged\""), json);
    }
}
