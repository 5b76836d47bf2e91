package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;
import org.scalelab.PythonReference;

class CoverageCurveTest {
    static final CoverageCurve.Options NO_BOOT = new CoverageCurve.Options(0.9, 0, 0.95, 0);

    /** Fits given (k, coverage) points without bootstrap. */
    static CoverageCurve.Result fitPoints(double[] k, double[] coverage) {
        return CoverageCurve.analyze(new CoverageCurve.Points(k, coverage, List.of()), NO_BOOT);
    }

    static double[] ks() {
        double[] k = new double[11];
        for (int i = 0; i < k.length; i++) {
            k[i] = Math.pow(2, i);
        }
        return k;
    }

    static double law(double a, double b, double k) {
        return Math.exp(-a * Math.pow(k, -b));
    }

    @Test
    void fitRecoversKnownParametersFromExactCoverage() {
        double[] k = ks();
        double[] c = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            c[i] = law(2.5, 0.6, k[i]);
        }
        CoverageCurve.Result r = fitPoints(k, c);
        assertEquals(FitStatus.CONVERGED, r.status());
        assertEquals(2.5, r.a(), 1e-12);
        assertEquals(0.6, r.b(), 1e-12);
        assertEquals(1.0, r.rSquared(), 1e-12);
        // k for 90 % coverage solves 2.5·k^(−0.6) = −ln 0.9.
        assertEquals(Math.pow(2.5 / -Math.log(0.9), 1 / 0.6), r.kNeeded(), 1e-6);
        assertEquals(0.9, r.coverageAt(r.kNeeded()), 1e-12);
    }

    @Test
    void fitRecoversKnownParametersFromNoisyCoverage() {
        // 5 % multiplicative noise on −ln coverage, seed 7; 41 log-spaced k from 1 to 10^4.
        SplittableRandom rng = new SplittableRandom(7);
        int m = 41;
        double[] k = new double[m];
        double[] c = new double[m];
        for (int i = 0; i < m; i++) {
            k[i] = Math.pow(10, 4.0 * i / (m - 1));
            double noise = Math.exp(0.05 * gaussian(rng));
            c[i] = Math.exp(-1.8 * Math.pow(k[i], -0.35) * noise);
        }
        CoverageCurve.Result r = fitPoints(k, c);
        assertEquals(1.8, r.a(), 0.05);
        assertEquals(0.35, r.b(), 0.01);
    }

    @Test
    void matchesNumpyPolyfitInTheTransformedSpace() throws Exception {
        PythonReference.requireModules("numpy");
        double[] k = {1, 2, 4, 8, 16, 32, 64};
        double[] c = {0.21, 0.33, 0.41, 0.55, 0.62, 0.74, 0.79};
        CoverageCurve.Result r = fitPoints(k, c);
        String script = String.format(Locale.ROOT,
                "import numpy as np\nk=np.array(%s);c=np.array(%s)\ns,i=np.polyfit(np.log(k),np.log(-np.log(c)),1)\nprint(repr(np.exp(i)),repr(-s))",
                arr(k), arr(c));
        String[] out = PythonReference.runCode(script).trim().split("\\s+");
        assertEquals(Double.parseDouble(out[0]), r.a(), 1e-12);
        assertEquals(Double.parseDouble(out[1]), r.b(), 1e-12);
    }

    @Test
    void bootstrapOverProblemsGivesReproducibleIntervalsAroundTheEstimate() {
        // 400 synthetic problems, per-problem solve rate p ~ Beta(0.3, 3) (a few easy, a long hard tail,
        // the shape Brown et al. report), n = 128 samples each, c ~ Binomial(n, p); seed 11.
        List<PassAtK.Problem> problems = syntheticProblems(400, 128, 11);
        CoverageCurve.Options o = new CoverageCurve.Options(0.8, 300, 0.9, 5);
        CoverageCurve.Result r = CoverageCurve.analyze(new PassAtK.Input(problems, List.of()), o);
        assertEquals(FitStatus.CONVERGED, r.status());
        assertTrue(r.aCi()[0] < r.a() && r.a() < r.aCi()[1], "a CI " + java.util.Arrays.toString(r.aCi()));
        assertTrue(r.bCi()[0] < r.b() && r.b() < r.bCi()[1], "b CI " + java.util.Arrays.toString(r.bCi()));
        assertNotNull(r.kNeeded());
        assertTrue(r.kNeededCi()[0] < r.kNeeded() && r.kNeeded() < r.kNeededCi()[1]);
        assertEquals(300, r.bootstrapReplicates());
        assertEquals(5L, r.provenance().seed());
        CoverageCurve.Result again = CoverageCurve.analyze(new PassAtK.Input(problems, List.of()), o);
        assertArrayEquals(r.aCi(), again.aCi(), 0.0);
        CoverageCurve.Result other = CoverageCurve.analyze(new PassAtK.Input(problems, List.of()),
                new CoverageCurve.Options(0.8, 300, 0.9, 6));
        assertTrue(other.aCi()[0] != r.aCi()[0], "a different seed must draw different replicates");
        // The point estimate is the fit to mean pass@k (the unbiased coverage estimate).
        PassAtK.Result pass = PassAtK.analyze(new PassAtK.Input(problems, List.of()), PassAtK.Options.defaults());
        double[] k = pass.ks().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] c = pass.curve().stream().mapToDouble(PassAtK.Point::passAtK).toArray();
        assertEquals(fitPoints(k, c).a(), r.a(), 1e-15);
    }

    @Test
    void flatCoverageIsDegenerate() {
        double[] k = {1, 2, 4};
        CoverageCurve.Result ones = fitPoints(k, new double[] {1, 1, 1});
        assertEquals(FitStatus.DEGENERATE, ones.status());
        assertNull(ones.a());
        assertNull(ones.kNeeded());
        assertTrue(ones.message().contains("3 at 1"), ones.message());
        CoverageCurve.Result zeros = fitPoints(k, new double[] {0, 0, 0.5});
        assertEquals(FitStatus.DEGENERATE, zeros.status());
        CoverageCurve.Result unsolved = CoverageCurve.analyze(
                new PassAtK.Input(List.of(new PassAtK.Problem("a", 8, 0), new PassAtK.Problem("b", 8, 0)), List.of()), NO_BOOT);
        assertEquals(FitStatus.DEGENERATE, unsolved.status());
    }

    @Test
    void twoPointsFitExactlySoTheLawIsNotTestedAndTheFitIsNotCalledConverged() {
        CoverageCurve.Result r = fitPoints(new double[] {1, 4}, new double[] {law(2.5, 0.6, 1), law(2.5, 0.6, 4)});
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.message().contains("only 2 points"), r.message());
        assertEquals(2.5, r.a(), 1e-12); // the line through the two points is still reported
        // Coverage 1 at a third k leaves two usable points: the same verdict.
        CoverageCurve.Result withOne = fitPoints(new double[] {1, 4, 16}, new double[] {0.3, 0.6, 1});
        assertEquals(FitStatus.DEGENERATE, withOne.status());
        CoverageCurve.Result three = fitPoints(new double[] {1, 4, 16}, new double[] {0.3, 0.6, 0.8});
        assertEquals(FitStatus.CONVERGED, three.status());
    }

    @Test
    void fallingCoverageIsDegenerateWithNoExtrapolation() {
        CoverageCurve.Result r = fitPoints(new double[] {1, 2, 4}, new double[] {0.6, 0.5, 0.4});
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.b() < 0);
        assertNull(r.kNeeded());
    }

    @Test
    void pointsAtZeroOrOneAreKeptButNotFitted() {
        double[] k = {1, 2, 4, 8, 16};
        double[] c = {0, law(1, 0.5, 2), law(1, 0.5, 4), law(1, 0.5, 8), 1};
        CoverageCurve.Result r = fitPoints(k, c);
        assertEquals(3, r.pointsUsed());
        assertEquals(1.0, r.a(), 1e-12);
        assertEquals(5, r.points().size());
        assertTrue(!r.points().get(0).used() && !r.points().get(4).used());
    }

    @Test
    void rejectsInvalidPointsAndTargets() {
        assertThrows(InputException.class, () -> fitPoints(new double[] {0.5}, new double[] {0.5}));
        assertThrows(InputException.class, () -> fitPoints(new double[] {1}, new double[] {1.5}));
        assertThrows(InputException.class, () -> fitPoints(new double[] {1}, new double[] {Double.NaN}));
        assertThrows(InputException.class, () -> new CoverageCurve.Options(1.0, 0, 0.95, 0));
    }

    static List<PassAtK.Problem> syntheticProblems(int count, int n, long seed) {
        org.hipparchus.distribution.continuous.BetaDistribution beta = new org.hipparchus.distribution.continuous.BetaDistribution(0.3, 3);
        SplittableRandom rng = new SplittableRandom(seed);
        List<PassAtK.Problem> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double p = beta.inverseCumulativeProbability(rng.nextDouble());
            int c = 0;
            for (int s = 0; s < n; s++) {
                c += rng.nextDouble() < p ? 1 : 0;
            }
            out.add(new PassAtK.Problem("p" + i, n, c));
        }
        return out;
    }

    static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    static String arr(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (double x : v) {
            sb.append(sb.length() > 1 ? "," : "").append(Double.toString(x));
        }
        return sb.append(']').toString();
    }

}
