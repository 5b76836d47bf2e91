package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.Provenance;
import org.scalelab.io.Json;

class BrokenPowerLawFitTest {
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);

    /** Caballero et al. 2022 eq. 1 with natural parameters p, times log-normal noise exp(σ·ε). */
    static double[][] bnsl(int n, double lo, double hi, double[] p, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (n - 1));
            y[i] = BrokenPowerLawFit.value(p, x[i]) * Math.exp(sigma * PowerLawFitTest.gaussian(rng));
        }
        return new double[][] {x, y};
    }

    @Test
    void closedFormMatchesEquationOneOfCaballero() {
        // Direct evaluation of eq. 1 at one point: a + b x^-c0 (1 + (x/d)^(1/f))^(-c f).
        double[] p = {0.5, 20, 0.1, 0.4, 1e8, 0.5};
        double x = 3e8;
        double expected = 0.5 + 20 * Math.pow(x, -0.1) * Math.pow(1 + Math.pow(x / 1e8, 1 / 0.5), -0.4 * 0.5);
        assertEquals(expected, BrokenPowerLawFit.value(p, x), 1e-12 * expected);
    }

    @Test
    void oneBreakAtKnownLocationIsFoundAndChosenByBic() {
        // Slope in log–log steepens from −0.2 to −0.6 around x = 1e9 (sharpness 0.3).
        double[] truth = {1.0, 60, 0.2, 0.4, 1e9, 0.3};
        double[][] d = bnsl(50, 1e6, 1e12, truth, 0.005, 7);
        CurveFitResult r = BrokenPowerLawFit.fit(d[0], d[1],
                BrokenPowerLawFit.Options.defaults().withMaxBreaks(2).withBootstrap(100, 1), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals(1, r.nBreaks(), "BIC per k: " + r.candidates());
        assertEquals(3, r.candidates().size());
        CurveFitResult.Break b = r.breaks().get(0);
        assertEquals(9.0, Math.log10(b.d().v()), 0.25);
        assertEquals(0.4, b.c().v(), 0.1);
        List<Double> ci = b.d().ci95();
        assertTrue(ci.get(0) < 1e9 && 1e9 < ci.get(1), "break CI " + ci);
        assertEquals(0.2, r.parameters().get(2).v(), 0.05);
        assertTrue(r.bootstrap().succeeded() >= 90, "succeeded " + r.bootstrap().succeeded());
        // The fitted curve reproduces the truth within the noise over the data range.
        for (double x : new double[] {1e6, 1e9, 1e12}) {
            double t = BrokenPowerLawFit.value(truth, x);
            assertEquals(t, r.predict(x), 0.02 * t);
        }
    }

    @Test
    void plainPowerLawIsNotGivenABreak() {
        double[][] d = bnsl(40, 1e6, 1e12, new double[] {1.5, 300, 0.3}, 0.01, 8);
        CurveFitResult r = BrokenPowerLawFit.fit(d[0], d[1],
                BrokenPowerLawFit.Options.defaults().withMaxBreaks(1).withBootstrap(0, 0), PROV);
        assertEquals(0, r.nBreaks(), "BIC per k: " + r.candidates());
        assertTrue(r.breaks().isEmpty());
        assertEquals(0.3, r.parameters().get(2).v(), 0.05);
    }

    @Test
    void kWithMoreParametersThanPointsIsSkippedWithReason() {
        double[][] d = bnsl(6, 1e6, 1e9, new double[] {1.5, 300, 0.3}, 0.01, 9);
        CurveFitResult r = BrokenPowerLawFit.fit(d[0], d[1],
                BrokenPowerLawFit.Options.defaults().withMaxBreaks(1).withBootstrap(0, 0), PROV);
        assertEquals(0, r.nBreaks());
        CurveFitResult.Candidate k1 = r.candidates().get(1);
        assertEquals(FitStatus.DEGENERATE, k1.status());
        assertTrue(k1.reason().contains("need at least 7"), k1.reason());
    }

    @Test
    void tooFewPointsOrConstantYIsDegenerate() {
        CurveFitResult few = BrokenPowerLawFit.fit(new double[] {1, 2, 3}, new double[] {3, 2, 1},
                BrokenPowerLawFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, few.status());
        CurveFitResult flat = BrokenPowerLawFit.fit(new double[] {1, 2, 3, 4, 5},
                new double[] {2, 2, 2, 2, 2}, BrokenPowerLawFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, flat.status());
        assertTrue(!Json.write(flat).contains("NaN"));
    }
}
