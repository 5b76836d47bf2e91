package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.stats.Bootstrap;

class ChinchillaFitTest {
    /** Hoffmann et al. 2022, eq. 10 (their fitted law): the truth for synthetic data. */
    static final ChinchillaResult.Params PAPER = new ChinchillaResult.Params(1.69, 406.4, 410.7, 0.34, 0.28);

    /** Runs on an 8×8 grid of N ∈ [1e7, 1e10], D ∈ [1e9, 1e12] with multiplicative noise exp(σ·z). */
    static double[][] synthetic(ChinchillaResult.Params truth, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int k = 8;
        double[][] out = new double[3][k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double n = Math.pow(10, 7 + 3.0 * i / (k - 1));
                double d = Math.pow(10, 9 + 3.0 * j / (k - 1));
                double z = gaussian(rng);
                out[0][i * k + j] = n;
                out[1][i * k + j] = d;
                out[2][i * k + j] = truth.loss(n, d) * Math.exp(sigma * z);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        // Box–Muller
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static ChinchillaFit.Options coarse() {
        return ChinchillaFit.Options.defaults().withGrid(ChinchillaFit.Grid.parse("coarse"));
    }

    @Test
    void objectiveEqualsTheHuberLossOfTheLogResidualsWrittenOut() {
        double[][] d = synthetic(PAPER, 0.01, 1);
        // a typical point, a start whose terms are e^25 per run, and one whose terms are all tiny (e^-40 and below)
        for (double[] x : new double[][] {{6.0, 6.1, 0.5, 0.35, 0.3}, {25, 25, 1, 0, 0}, {-30, -30, -40, 2, 2}}) {
            assertObjectiveMatchesClosedForm(d, x);
        }
    }

    private static void assertObjectiveMatchesClosedForm(double[][] d, double[] x) {
        double[] lnN = log(d[0]);
        double[] lnD = log(d[1]);
        double[] lnL = log(d[2]);
        double expected = 0;
        double delta = 1e-3;
        for (int i = 0; i < lnL.length; i++) {
            // closed form: log L̂ = log(E + A/N^α + B/D^β)
            double pred = Math.log(Math.exp(x[2]) + Math.exp(x[0]) / Math.pow(d[0][i], x[3]) + Math.exp(x[1]) / Math.pow(d[1][i], x[4]));
            double r = lnL[i] - pred;
            expected += Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta);
        }
        double[] g = new double[5];
        double sum = new ChinchillaObjective(lnN, lnD, lnL, delta, false).evaluate(x, g);
        double mean = new ChinchillaObjective(lnN, lnD, lnL, delta, true).evaluate(x, g);
        assertEquals(expected, sum, 1e-12 * expected, java.util.Arrays.toString(x));
        assertEquals(expected / lnL.length, mean, 1e-12 * expected, java.util.Arrays.toString(x));
    }

    @Test
    void analyticGradientMatchesCentralDifferences() {
        double[][] d = synthetic(PAPER, 0.02, 2);
        double[][] points = {{6.0, 6.1, 0.5, 0.35, 0.3}, {0, 25, -1, 2, 0}, {10, 2, 1, 0.5, 0.1}};
        for (boolean mean : new boolean[] {false, true}) {
            ChinchillaObjective f = new ChinchillaObjective(log(d[0]), log(d[1]), log(d[2]), 1e-3, mean);
            for (double[] x : points) {
                double[] g = new double[5];
                f.evaluate(x, g);
                for (int k = 0; k < 5; k++) {
                    double h = 1e-6;
                    double[] xp = x.clone();
                    double[] xm = x.clone();
                    xp[k] += h;
                    xm[k] -= h;
                    double fd = (f.evaluate(xp, new double[5]) - f.evaluate(xm, new double[5])) / (2 * h);
                    assertEquals(fd, g[k], 1e-6 * Math.max(1, Math.abs(fd)), "∂f/∂x" + k + " at " + java.util.Arrays.toString(x));
                }
            }
        }
    }

    @Test
    void vectorisableExpIsWithinOneUlpOfJavaOnItsDomain() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 1 << 20;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 2 == 0 ? ChinchillaObjective.EXP_MIN * rng.nextDouble() : -5 * rng.nextDouble();
        }
        x[0] = 0;
        x[1] = ChinchillaObjective.EXP_MIN;
        x[2] = -Math.ulp(0.0);
        double[] u = new double[n];
        ChinchillaObjective.expNonPositive(x, u, new double[n], n);
        for (int i = 0; i < n; i++) {
            double want = Math.exp(x[i]);
            assertTrue(Math.abs(u[i] - want) <= Math.ulp(want), "exp(" + x[i] + ") = " + u[i] + ", Math.exp " + want);
        }
        assertEquals(1.0, u[0], 0.0, "e^0 must be exactly 1: the largest term of the log-sum-exp");
        double[] below = {-709, -1e300, Double.NEGATIVE_INFINITY, Double.NaN};
        double[] out = new double[below.length];
        ChinchillaObjective.expNonPositive(below, out, new double[below.length], below.length);
        for (int i = 0; i < 3; i++) {
            assertEquals(u[1], out[i], 0.0, "e^" + below[i] + " is taken as e^-708");
        }
        assertTrue(Double.isNaN(out[3]), "NaN stays NaN");
    }

    @Test
    void vectorisableLogIsWithinFourTenthsOfAnUlpOfOneOnOneToThree() {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 1 << 20;
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = 1 + 2 * rng.nextDouble();
        }
        s[0] = 1;
        s[1] = 3;
        s[2] = Math.nextUp(1.0);
        double[] out = new double[n];
        ChinchillaObjective.logOneToThree(s, out, n);
        for (int i = 0; i < n; i++) {
            // absolute error: log L̂ = m + log s enters the residual, whose scale is ~1e-2
            assertEquals(Math.log(s[i]), out[i], 4e-16, "log(" + s[i] + ")");
        }
    }

    @Test
    void objectiveGivesTheSameBitsBeforeAndAfterTheJitCompilesIt() {
        double[][] d = synthetic(PAPER, 0.02, 6);
        // a fresh instance's first calls run in the interpreter (or C1); 100,000 later ones run the C2 code,
        // vectorised where it can be: a polynomial or bit trick that rounded differently there would show
        ChinchillaObjective f = new ChinchillaObjective(log(d[0]), log(d[1]), log(d[2]), 1e-3, false);
        double[][] points = {{6.0, 6.1, 0.5, 0.35, 0.3}, {25, 25, 1, 0, 0}, {0, 25, -1, 2, 0}, {-30, -30, -40, 2, 2}};
        double[] first = new double[points.length * 6];
        double[] g = new double[5];
        for (int p = 0; p < points.length; p++) {
            first[6 * p] = f.evaluate(points[p], g);
            System.arraycopy(g, 0, first, 6 * p + 1, 5);
        }
        SplittableRandom rng = new SplittableRandom(3);
        double[] x = new double[5];
        for (int k = 0; k < 100_000; k++) {
            for (int j = 0; j < 5; j++) {
                x[j] = points[0][j] + 0.1 * rng.nextDouble();
            }
            f.evaluate(x, g);
        }
        for (int p = 0; p < points.length; p++) {
            assertEquals(Double.doubleToRawLongBits(first[6 * p]), Double.doubleToRawLongBits(f.evaluate(points[p], g)),
                    "value at " + java.util.Arrays.toString(points[p]));
            for (int j = 0; j < 5; j++) {
                assertEquals(Double.doubleToRawLongBits(first[6 * p + 1 + j]), Double.doubleToRawLongBits(g[j]),
                        "gradient " + j + " at " + java.util.Arrays.toString(points[p]));
            }
        }
    }

    @Test
    void bootstrapWeightsEqualRepeatedRuns() {
        double[][] d = synthetic(PAPER, 0.02, 2);
        double[] lnN = log(d[0]);
        double[] lnD = log(d[1]);
        double[] lnL = log(d[2]);
        int[] idx = Bootstrap.resample(lnL.length, 5, 0);
        for (boolean mean : new boolean[] {false, true}) {
            ChinchillaObjective repeated = new ChinchillaObjective(Bootstrap.take(lnN, idx), Bootstrap.take(lnD, idx),
                    Bootstrap.take(lnL, idx), 1e-3, mean);
            ChinchillaObjective weighted = new ChinchillaObjective(lnN, lnD, lnL, 1e-3, mean);
            weighted.resample(lnN, lnD, lnL, Bootstrap.counts(idx, lnL.length));
            assertTrue(weighted.runs() < lnL.length, "a resample leaves some runs out");
            double[] x = {6.0, 6.1, 0.5, 0.35, 0.3};
            double[] g1 = new double[5];
            double[] g2 = new double[5];
            double f1 = repeated.evaluate(x, g1);
            double f2 = weighted.evaluate(x, g2);
            assertEquals(f1, f2, 1e-13 * f1);
            for (int k = 0; k < 5; k++) {
                assertEquals(g1[k], g2[k], 1e-12 * Math.max(1e-3, Math.abs(g1[k])), "gradient " + k);
            }
        }
    }

    @Test
    void fitRecoversThePaperParametersFromNoisySyntheticRuns() {
        double[][] d = synthetic(PAPER, 0.005, 3);
        ChinchillaResult r = ChinchillaFit.fit(d[0], d[1], d[2], ChinchillaFit.Options.defaults());
        assertEquals(FitStatus.CONVERGED, r.status(), r.reason());
        ChinchillaResult.Params p = r.fitted();
        assertEquals(PAPER.alpha(), p.alpha(), 0.03, "alpha");
        assertEquals(PAPER.beta(), p.beta(), 0.03, "beta");
        assertEquals(PAPER.E(), p.E(), 0.05, "E");
        // A and B trade off against the exponents; check the law they imply instead, at the data's edges and beyond.
        for (double[] nd : new double[][] {{1e7, 1e9}, {1e10, 1e12}, {7e10, 1.4e12}}) {
            assertEquals(PAPER.loss(nd[0], nd[1]), p.loss(nd[0], nd[1]), 0.01 * PAPER.loss(nd[0], nd[1]));
        }
        assertEquals(4500, r.starts());
        assertEquals(64, r.nPoints());
    }

    @Test
    void resultDoesNotDependOnThreadCountAndBootstrapIsDeterministicBySeed() {
        double[][] d = synthetic(PAPER, 0.01, 4);
        ChinchillaFit.Options o = coarse().withBootstrap(40, 11);
        ChinchillaResult one = ChinchillaFit.fit(d[0], d[1], d[2], o.withThreads(1));
        ChinchillaResult two = ChinchillaFit.fit(d[0], d[1], d[2], o.withThreads(2));
        ChinchillaResult again = ChinchillaFit.fit(d[0], d[1], d[2], o.withThreads(2));
        assertEquals(one.params(), two.params());
        assertEquals(one.ci95(), two.ci95());
        assertEquals(two.se(), again.se());
        assertEquals(one.replicates().size(), two.replicates().size());
        for (int i = 0; i < one.replicates().size(); i++) {
            assertArrayEquals(one.replicates().get(i), two.replicates().get(i));
        }
        ChinchillaResult otherSeed = ChinchillaFit.fit(d[0], d[1], d[2], coarse().withBootstrap(40, 12));
        assertTrue(!otherSeed.se().equals(two.se()), "a different seed must draw different replicates");
    }

    @Test
    void bootstrapIntervalsCoverTheTrueParameters() {
        double[][] d = synthetic(PAPER, 0.01, 5);
        ChinchillaResult r = ChinchillaFit.fit(d[0], d[1], d[2], coarse().withBootstrap(300, 1));
        assertEquals(FitStatus.CONVERGED, r.status());
        assertTrue(r.bootstrapConverged() > 270, "converged replicates " + r.bootstrapConverged());
        for (String k : List.of("E", "alpha", "beta")) {
            List<Double> ci = r.ci95().get(k);
            double truth = ChinchillaFit.quantity(PAPER, k);
            assertTrue(ci.get(0) <= truth && truth <= ci.get(1), k + " = " + truth + " outside " + ci);
            assertTrue(r.se().get(k) > 0);
        }
        double truthA = ComputeOptimal.exponentA(PAPER);
        List<Double> ciA = r.ci95().get("a");
        assertTrue(ciA.get(0) <= truthA && truthA <= ciA.get(1), "a = " + truthA + " outside " + ciA);
    }

    @Test
    void backtestPredictsTheLargestComputeRunsOfTheTrueLaw() {
        double[][] d = synthetic(PAPER, 0.005, 10);
        Backtest.Result bt = ChinchillaFit.backtest(d[0], d[1], d[2], coarse());
        assertEquals("ran", bt.status(), bt.reason());
        assertTrue(bt.nHeldOut() > 0 && bt.nTrain() + bt.nHeldOut() == 64);
        // held out: C = 6ND at or above the 80th percentile of distinct compute values
        for (Backtest.Point p : bt.points()) {
            assertTrue(p.x() >= bt.thresholdX());
            assertEquals(6 * d[0][p.row()] * d[1][p.row()], p.x(), 1e-9 * p.x());
        }
        // noise is 0.5 % per run, so a law that extrapolates well is off by about that much
        assertTrue(bt.meanRelError() < 0.02, "mean relative error " + bt.meanRelError());
    }

    @Test
    void backtestDropsTheHighestLossRunsOnceAndNamesHeldOutRowsInTheCallersData() {
        double[][] d = synthetic(PAPER, 0.005, 10);
        Backtest.Result bt = ChinchillaFit.backtest(d[0], d[1], d[2], coarse().withDropHighestLoss(4));
        assertEquals("ran", bt.status(), bt.reason());
        assertEquals(64 - 4, bt.nTrain() + bt.nHeldOut(), "the 4 dropped runs are neither trained on nor predicted");
        for (Backtest.Point p : bt.points()) {
            assertEquals(d[2][p.row()], p.y(), 0.0, "row " + p.row() + " indexes the caller's arrays");
        }
    }

    @Test
    void threeRunsAreDegenerateWithAReason() {
        ChinchillaResult r = ChinchillaFit.fit(new double[] {1e8, 1e9, 1e10}, new double[] {1e9, 1e10, 1e11},
                new double[] {3.0, 2.7, 2.4}, ChinchillaFit.Options.defaults());
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("at least 6 runs"), r.reason());
        assertNull(r.params().get("alpha"));
        assertEquals(0, r.starts());
    }

    @Test
    void runsAtASingleModelSizeAreDegenerate() {
        double[][] d = synthetic(PAPER, 0.01, 6);
        double[] sameN = new double[d[0].length];
        java.util.Arrays.fill(sameN, 1e9);
        ChinchillaResult r = ChinchillaFit.fit(sameN, d[1], d[2], coarse());
        assertEquals(FitStatus.DEGENERATE, r.status());
        assertTrue(r.reason().contains("parameter count"), r.reason());
    }

    @Test
    void lossThatGrowsWithModelSizeIsDegenerateNotANumber() {
        // L = 1.5 + 1e-3·N^0.2 + 400/D^0.3: bigger models do worse, so the best fit needs alpha ≤ 0.
        double[][] d = synthetic(PAPER, 0, 7);
        for (int i = 0; i < d[0].length; i++) {
            d[2][i] = 1.5 + 1e-3 * Math.pow(d[0][i], 0.2) + 400 / Math.pow(d[1][i], 0.3);
        }
        ChinchillaResult r = ChinchillaFit.fit(d[0], d[1], d[2], coarse());
        assertEquals(FitStatus.DEGENERATE, r.status(), r.reason());
        assertTrue(r.reason().contains("alpha"), r.reason());
    }

    @Test
    void aNonPositiveLossIsRejectedNamingTheRow() {
        InputException e = assertThrows(InputException.class, () -> ChinchillaFit.fit(
                new double[] {1e8, 1e9}, new double[] {1e9, 1e10}, new double[] {3.0, 0.0}, coarse()));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("loss"), e.getMessage());
    }

    @Test
    void dropHighestLossDropsTiesAtTheThresholdLikeEpochAi() {
        // indices = losses < sorted_losses[-K]: with K = 1 both runs at the maximum go.
        assertArrayEquals(new int[] {0, 3}, ChinchillaFit.keptRows(new double[] {1, 5, 5, 3}, 1));
        assertArrayEquals(new int[] {0}, ChinchillaFit.keptRows(new double[] {1, 5, 4, 3}, 3));
        assertArrayEquals(new int[] {0, 1, 2}, ChinchillaFit.keptRows(new double[] {1, 5, 4}, 0));
    }

    @Test
    void publishedGridHas4500StartsInScipyOrder() {
        ChinchillaFit.Grid g = ChinchillaFit.Grid.published();
        assertEquals(4500, g.size());
        double[] x = new double[5];
        g.start(0, x);
        assertArrayEquals(new double[] {0, 0, -1, 0, 0}, x);
        g.start(1, x); // b is the innermost axis
        assertArrayEquals(new double[] {0, 5, -1, 0, 0}, x);
        g.start(4499, x);
        assertArrayEquals(new double[] {25, 25, 1, 2, 2}, x);
        assertThrows(InputException.class, () -> ChinchillaFit.Grid.parse("alpha=0:2:0.5,beta=0:2:0.5"));
        assertThrows(InputException.class, () -> ChinchillaFit.Grid.parse("alpha=0:2:0,beta=0,e=0,a=0,b=0"));
        assertEquals(1, ChinchillaFit.Grid.parse("alpha=0.3,beta=0.3,e=0.5,a=6,b=6").size());
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        double[][] d = synthetic(PAPER, 0.01, 8);
        ChinchillaResult r = ChinchillaFit.fit(d[0], d[1], d[2], coarse().withBootstrap(20, 3));
        JsonNode j = Json.mapper().readTree(Json.write(r));
        assertEquals("chinchilla", j.get("law").asText());
        assertEquals("converged", j.get("status").asText());
        for (String k : List.of("E", "A", "B", "alpha", "beta")) {
            assertTrue(j.get("params").get(k).isNumber(), k);
            assertEquals(2, j.get("ci95").get(k).size(), k);
            assertTrue(j.get("se").get(k).isNumber(), k);
        }
        assertEquals(64, j.get("n_points").asInt());
        assertEquals(243, j.get("starts").asInt());
        assertTrue(j.get("converged_starts").asInt() > 0);
        assertEquals("sum", j.get("reduce").asText());
        assertEquals(1e-3, j.get("huber_delta").asDouble());
        assertTrue(j.get("objective").isNumber());
        assertTrue(j.has("reason"));
        assertNotNull(j.get("provenance").get("version"));
        assertEquals(5, j.get("replicates").get(0).size());
    }

    static double[] log(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.log(v[i]);
        }
        return out;
    }
}
