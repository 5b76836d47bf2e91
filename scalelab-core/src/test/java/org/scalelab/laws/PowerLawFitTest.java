package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.Provenance;
import org.scalelab.io.Json;

class PowerLawFitTest {
    static final Provenance PROV = Provenance.of("test", List.of(), null, 0L);

    /** x log-spaced over [lo, hi]; y = (E + A x^-α)·exp(σ·ε), ε standard normal. */
    static double[][] powerLaw(int n, double lo, double hi, double e, double a, double alpha, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (n - 1));
            y[i] = (e + a * Math.pow(x[i], -alpha)) * Math.exp(sigma * gaussian(rng));
        }
        return new double[][] {x, y};
    }

    static double gaussian(SplittableRandom rng) {
        // Box–Muller: two uniforms → one standard normal.
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void fitRecoversKnownParametersOfSaturatingPowerLawFromNoisyData() {
        // Chinchilla-like magnitudes: E = 1.69, A = 406.4, α = 0.34 over N = 1e7..1e11 (Hoffmann et al. 2022 eq. 10).
        double[][] d = powerLaw(40, 1e7, 1e11, 1.69, 406.4, 0.34, 0.01, 1);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1], PowerLawFit.Options.defaults().withBootstrap(200, 7), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals(1.69, r.parameter("E").v(), 0.05);
        assertEquals(0.34, r.parameter("alpha").v(), 0.04);
        assertEquals(Math.log(406.4), Math.log(r.parameter("A").v()), 0.4);
        for (String p : new String[] {"E", "alpha"}) {
            List<Double> ci = r.parameter(p).ci95();
            double truth = p.equals("E") ? 1.69 : 0.34;
            assertTrue(ci.get(0) <= truth && truth <= ci.get(1), p + " CI " + ci + " misses " + truth);
        }
        assertEquals(200, r.bootstrap().replicates());
        assertTrue(r.bootstrap().succeeded() >= 190);
    }

    @Test
    void kaplanFormRecoversExponentAndCriticalScale() {
        // Kaplan et al. 2020 eq. 1.1: L(N) = (N_c/N)^α_N with α_N = 0.076, N_c = 8.8e13.
        double nc = 8.8e13;
        double alpha = 0.076;
        double[][] d = powerLaw(30, 1e6, 1e10, 0, Math.pow(nc, alpha), alpha, 0.005, 3);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1],
                PowerLawFit.Options.defaults().withOffset(false).withBootstrap(100, 1), PROV);
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        assertEquals(alpha, r.parameter("alpha").v(), 0.005);
        assertEquals(Math.log10(nc), Math.log10(r.parameter("x_c").v()), 0.6);
        assertEquals(0.0, r.parameter("E").v());
        assertNull(r.parameter("E").ci95(), "E is fixed in the Kaplan form, not estimated");
    }

    @Test
    void forecastIntervalContainsTrueCurveAtLargerScale() {
        double[][] d = powerLaw(30, 1e7, 1e10, 2.0, 300, 0.3, 0.01, 5);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1],
                PowerLawFit.Options.defaults().withBootstrap(200, 2).withForecastX(List.of(1e11)), PROV);
        CurveForecast f = r.forecasts().get(0);
        double truth = 2.0 + 300 * Math.pow(1e11, -0.3);
        assertTrue(f.ci95().get(0) <= truth && truth <= f.ci95().get(1), f + " vs " + truth);
        assertEquals(truth, f.y(), 0.05 * truth);
    }

    @Test
    void backtestPredictsHeldOutLargestPointsWithinNoise() {
        double[][] d = powerLaw(25, 1e7, 1e11, 1.7, 400, 0.34, 0.01, 11);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1], PowerLawFit.Options.defaults().withBootstrap(0, 0), PROV);
        Backtest.Result bt = r.backtest();
        assertEquals("ran", bt.status());
        assertEquals(5, bt.nHeldOut()); // 20 % of 25 distinct x
        assertEquals(20, bt.nTrain());
        // Noise is 1 % (log σ); extrapolating one decade should stay within a few percent.
        assertTrue(bt.meanRelError() < 0.05, "mean relative error " + bt.meanRelError());
        assertTrue(bt.points().stream().allMatch(p -> p.x() >= bt.thresholdX()));
    }

    @Test
    void offsetFitOnPureKaplanDataReportsEAtItsBoundInsteadOfATinyNumber() {
        double[][] d = powerLaw(30, 1e6, 1e10, 0, 11.5, 0.076, 0.005, 6);
        CurveFitResult r = PowerLawFit.fit(d[0], d[1], PowerLawFit.Options.defaults().withBootstrap(20, 1), PROV);
        assertEquals(FitStatus.DEGENERATE, r.status(), r.reason());
        assertTrue(r.reason().contains("E = ") && r.reason().contains("Kaplan"), r.reason());
        assertEquals(0.076, r.parameter("alpha").v(), 0.01);
    }

    @Test
    void tooFewPointsIsDegenerateWithReason() {
        CurveFitResult r = PowerLawFit.fit(new double[] {1, 2, 3}, new double[] {3, 2, 1.5},
                PowerLawFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("need at least 4"), r.reason());
        assertNull(r.parameter("alpha").value());
    }

    @Test
    void constantYIsDegenerateWithReason() {
        double[] x = {1, 10, 100, 1000, 1e4};
        CurveFitResult r = PowerLawFit.fit(x, new double[] {2, 2, 2, 2, 2}, PowerLawFit.Options.defaults(), PROV);
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("constant"), r.reason());
    }

    @Test
    void increasingDataIsReportedAsExponentAtBoundNotSilentNumber() {
        double[][] d = powerLaw(20, 1, 1e4, 0, 1, -0.3, 0.01, 4); // y grows with x
        CurveFitResult r = PowerLawFit.fit(d[0], d[1], PowerLawFit.Options.defaults().withBootstrap(0, 0), PROV);
        assertTrue(r.status() != FitStatus.CONVERGED, "status " + r.status());
        assertNotNull(r.reason());
    }

    @Test
    void resultSerializesWithSnakeCaseAndNoNaN() {
        CurveFitResult r = PowerLawFit.fit(new double[] {1, 2}, new double[] {3, 2}, PowerLawFit.Options.defaults(), PROV);
        String json = Json.write(r);
        assertTrue(json.contains("\"n_points\":2"), json);
        assertTrue(json.contains("\"status\":\"degenerate\""), json);
        assertTrue(!json.contains("NaN"), json);
        assertTrue(!json.contains("bootstrap_samples"), json);
    }

    @Test
    void analyzeRecordsTheTableAsProvenanceInput() {
        double[][] d = powerLaw(12, 1e7, 1e11, 1.7, 400, 0.34, 0.01, 12);
        org.scalelab.io.NumericTable t = new org.scalelab.io.NumericTable("runs.csv", "abc123",
                List.of("params", "loss"), new double[][] {d[0], d[1]});
        CurveFitResult r = PowerLawFit.analyze(new CurveData(t, "params", "loss"), PowerLawFit.Options.defaults().withBootstrap(10, 3));
        assertEquals("fit power", r.provenance().analysis());
        assertEquals("abc123", r.provenance().inputs().get(0).sha256());
        assertEquals(12, r.provenance().inputs().get(0).rows());
        assertEquals("params", r.provenance().options().get("x_col"));
        assertEquals(3L, r.provenance().seed());
    }
}
