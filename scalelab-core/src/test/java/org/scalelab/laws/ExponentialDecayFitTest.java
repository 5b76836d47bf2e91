package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scalelab.Provenance;

/**
 * The exponential-decay law, the example of adding a law: its definition is one class, and the fitter
 * gives it bootstrap intervals, forecasts and a backtest. Its least-squares optimum is checked against
 * scipy.optimize.curve_fit in {@link LawsScipyReferenceTest#exponentialDecayMatchesScipyCurveFit}.
 */
class ExponentialDecayFitTest {
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);

    /** n points y = E + A·exp(−x/s) + N(0, noise²) at x evenly spread on [lo, hi], seeded. */
    static double[][] decay(int n, double lo, double hi, double e, double a, double s, double noise, long seed) {
        Random rng = new Random(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
            y[i] = ExponentialDecayFit.value(e, a, s, x[i]) + noise * rng.nextGaussian();
        }
        return new double[][] {x, y};
    }

    @Test
    void fitRecoversKnownDecayWithBootstrapForecastAndBacktest() {
        double[][] d = decay(40, 10, 5000, 2.0, 3.0, 800, 0.01, 3);
        CurveFitResult r = ExponentialDecayFit.fit(d[0], d[1], new CurveFitter.Options(100, 1, true, List.of(1e4)), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals("exp", r.law());
        assertEquals(2.0, r.parameter("E").v(), 0.02);
        assertEquals(3.0, r.parameter("A").v(), 0.03);
        assertEquals(800, r.parameter("s").v(), 20);
        List<Double> ci = r.parameter("s").ci95();
        assertNotNull(ci);
        assertTrue(ci.get(0) < 800 && 800 < ci.get(1), "s CI " + ci);
        assertTrue(r.bootstrap().succeeded() >= 95, "succeeded " + r.bootstrap().succeeded());
        assertEquals(ExponentialDecayFit.value(2.0, 3.0, 800, 1e4), r.forecasts().get(0).y(), 0.02);
        assertEquals("ran", r.backtest().status());
    }

    @Test
    void constantDataAreDegenerateWithAReason() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {1, 1, 1, 1, 1};
        CurveFitResult r = ExponentialDecayFit.fit(x, y, CurveFitter.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("constant"), r.reason());
    }
}
