package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.Provenance;

class SigmoidFitTest {
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);

    /** n log-spaced x over [lo, hi]; accuracy = floor + (ceil − floor)·logistic(k(log10 x − m)) + σ·ε. */
    static double[][] emergence(int n, double lo, double hi, double m, double k, double floor, double ceil,
                                double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.pow(10, Math.log10(lo) + (Math.log10(hi) - Math.log10(lo)) * i / (n - 1));
            y[i] = SigmoidFit.value(m, k, floor, ceil, x[i]) + sigma * PowerLawFitTest.gaussian(rng);
        }
        return new double[][] {x, y};
    }

    @Test
    void fitRecoversMidpointAndSteepnessWithFixedChanceFloor() {
        // 4-way multiple choice: chance 0.25; emergence at 10^22 FLOPs, k = 3 per decade.
        double[][] d = emergence(30, 1e18, 1e26, 22, 3, 0.25, 1.0, 0.02, 1);
        CurveFitResult r = SigmoidFit.fit(d[0], d[1],
                SigmoidFit.Options.defaults().withFloorCeiling(0.25, 1.0).withBootstrap(200, 3), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals(22, r.parameter("m").v(), 0.1);
        assertEquals(3, r.parameter("k").v(), 0.5);
        List<Double> ci = r.parameter("x50").ci95();
        assertTrue(ci.get(0) < 1e22 && 1e22 < ci.get(1), "x50 CI " + ci);
        assertNull(r.parameter("floor").se(), "a fixed floor has no uncertainty");
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void bootstrapIntervalsOfMidpointAndSteepnessCoverTheTruthInMostSeeds() {
        // Nominal 95 %; the pairs bootstrap on 30 points runs a little narrow, so ask for ≥ 85 % of 40 seeds.
        int seeds = 40;
        int coverM = 0;
        int coverK = 0;
        for (int s = 0; s < seeds; s++) {
            double[][] d = emergence(30, 1e18, 1e26, 22, 3, 0.25, 1.0, 0.02, 100 + s);
            CurveFitResult r = SigmoidFit.fit(d[0], d[1], SigmoidFit.Options.defaults()
                    .withFloorCeiling(0.25, 1.0).withBootstrap(200, s).withBacktest(false), PROV);
            List<Double> m = r.parameter("m").ci95();
            List<Double> k = r.parameter("k").ci95();
            coverM += m.get(0) <= 22 && 22 <= m.get(1) ? 1 : 0;
            coverK += k.get(0) <= 3 && 3 <= k.get(1) ? 1 : 0;
        }
        System.out.printf("sigmoid CI coverage over %d seeds: m %d, k %d%n", seeds, coverM, coverK);
        assertTrue(coverM >= 34, "m covered in " + coverM + "/" + seeds);
        assertTrue(coverK >= 34, "k covered in " + coverK + "/" + seeds);
    }

    @Test
    void fittedFloorAndCeilingAreRecoveredWhenBothPlateausAreObserved() {
        double[][] d = emergence(40, 1e6, 1e12, 9, 2, 0.1, 0.8, 0.01, 2);
        CurveFitResult r = SigmoidFit.fit(d[0], d[1],
                SigmoidFit.Options.defaults().withFloorCeiling(null, null).withBootstrap(100, 1), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals(0.1, r.parameter("floor").v(), 0.02);
        assertEquals(0.8, r.parameter("ceiling").v(), 0.02);
        assertEquals(9, r.parameter("m").v(), 0.1);
        assertTrue(r.parameter("ceiling").se() > 0);
    }

    @Test
    void midpointBeyondTheDataIsFlaggedAsExtrapolation() {
        // Only the foot of the curve is observed: m = 12 but x stops at 1e10.
        double[][] d = emergence(20, 1e6, 1e10, 12, 1, 0.0, 1.0, 0.005, 3);
        CurveFitResult r = SigmoidFit.fit(d[0], d[1], SigmoidFit.Options.defaults().withBootstrap(0, 0), PROV);
        assertFalse(r.warnings().isEmpty());
        assertTrue(r.warnings().get(0).contains("extrapolation"), r.warnings().toString());
    }

    @Test
    void stepBetweenTwoRunsIsDegenerateNotAPreciseMidpoint() {
        double[] x = {1e6, 1e7, 1e8, 1e9, 1e10, 1e11};
        double[] y = {0.25, 0.25, 0.25, 0.9, 0.9, 0.9};
        CurveFitResult r = SigmoidFit.fit(x, y,
                SigmoidFit.Options.defaults().withFloorCeiling(0.25, 0.9).withBootstrap(0, 0), PROV);
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("between the runs at x = 1.0E8 and x = 1.0E9"), r.reason());
    }

    @Test
    void unobservedCeilingIsFlaggedWhenFitted() {
        // Only the foot of the rise (x ≤ 1e8, m = 9): a fitted ceiling is not pinned by the data.
        double[][] d = emergence(15, 1e5, 1e8, 9, 1, 0.2, 0.9, 0.01, 4);
        CurveFitResult r = SigmoidFit.fit(d[0], d[1],
                SigmoidFit.Options.defaults().withFloorCeiling(0.2, null).withBootstrap(0, 0), PROV);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("ceiling")) || r.status() != FitStatus.CONVERGED,
                r.status() + " ceiling " + r.parameter("ceiling").value() + " " + r.warnings());
    }

    @Test
    void constantAccuracyAndTooFewPointsAreDegenerate() {
        CurveFitResult flat = SigmoidFit.fit(new double[] {1, 10, 100, 1000}, new double[] {0.3, 0.3, 0.3, 0.3},
                SigmoidFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, flat.status());
        CurveFitResult few = SigmoidFit.fit(new double[] {1, 10}, new double[] {0.3, 0.5},
                SigmoidFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, few.status());
        assertTrue(few.reason().contains("need at least 3"), few.reason());
    }
}
