package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

class ComputeOptimalTest {
    static final ChinchillaResult.Params PAPER = ChinchillaFitTest.PAPER;

    /** Minimises L(N, C/(6N)) over log N by golden-section search: the brute-force reference. */
    static double bruteForceOptimalParams(ChinchillaResult.Params p, double compute) {
        double lo = Math.log(1e3);
        double hi = Math.log(compute / 6 / 1e3);
        double g = (Math.sqrt(5) - 1) / 2;
        java.util.function.DoubleUnaryOperator f = logN -> p.loss(Math.exp(logN), compute / (6 * Math.exp(logN)));
        // coarse scan first so the bracket holds the global minimum
        double best = lo;
        for (int i = 0; i <= 2000; i++) {
            double x = lo + (hi - lo) * i / 2000;
            if (f.applyAsDouble(x) < f.applyAsDouble(best)) {
                best = x;
            }
        }
        double a = best - (hi - lo) / 2000;
        double b = best + (hi - lo) / 2000;
        for (int i = 0; i < 200; i++) {
            double c = b - g * (b - a);
            double d = a + g * (b - a);
            if (f.applyAsDouble(c) < f.applyAsDouble(d)) {
                b = d;
            } else {
                a = c;
            }
        }
        return Math.exp((a + b) / 2);
    }

    @Test
    void closedFormAllocationMatchesBruteForceMinimisationAlongTheIsoFlopCurve() {
        for (ChinchillaResult.Params p : List.of(PAPER, new ChinchillaResult.Params(1.82, 482, 2085, 0.3478, 0.3658))) {
            for (double c : new double[] {1e18, 1e21, 5.76e23, 1e26}) {
                double brute = bruteForceOptimalParams(p, c);
                double n = ComputeOptimal.optimalParams(p, c);
                double d = ComputeOptimal.optimalTokens(p, c);
                assertEquals(brute, n, 1e-5 * brute, "N_opt at C = " + c);
                assertEquals(c / 6, n * d, 1e-9 * c / 6, "N_opt·D_opt = C/6");
            }
        }
    }

    @Test
    void exponentsAreTheHoffmannAppendixDFormulas() {
        // a = β/(α+β), b = α/(α+β) (Hoffmann et al. 2022, eq. 4): 0.28/0.62 and 0.34/0.62 for their fit.
        assertEquals(0.28 / 0.62, ComputeOptimal.exponentA(PAPER), 1e-15);
        assertEquals(0.34 / 0.62, ComputeOptimal.exponentB(PAPER), 1e-15);
        assertEquals(1.0, ComputeOptimal.exponentA(PAPER) + ComputeOptimal.exponentB(PAPER), 1e-15);
        assertEquals(Math.pow(0.34 * 406.4 / (0.28 * 410.7), 1 / 0.62), ComputeOptimal.coefficientG(PAPER), 1e-12);
    }

    @Test
    void allocationIntervalsComeFromTheReplicatesAndBracketTheEstimate() {
        List<ChinchillaResult.Params> reps = new ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            reps.add(new ChinchillaResult.Params(1.69 + 0.02 * (rng.nextDouble() - 0.5), 406.4, 410.7,
                    0.34 + 0.02 * (rng.nextDouble() - 0.5), 0.28 + 0.02 * (rng.nextDouble() - 0.5)));
        }
        ComputeOptimal.Allocation a = ComputeOptimal.allocate(PAPER, reps, 1e23);
        for (ComputeOptimal.Estimate e : List.of(a.params(), a.tokens(), a.tokensPerParam(), a.loss())) {
            assertTrue(e.lo() < e.value() && e.value() < e.hi(), e.toString());
            assertTrue(e.se() > 0);
        }
        assertEquals(a.tokens().value() / a.params().value(), a.tokensPerParam().value(), 1e-9 * a.tokensPerParam().value());
        assertEquals(PAPER.loss(a.params().value(), a.tokens().value()), a.loss().value(), 1e-12);
    }

    @Test
    void withoutReplicatesThereIsNoInterval() {
        ComputeOptimal.LossPrediction p = ComputeOptimal.lossAt(PAPER, List.of(), 7e10, 1.4e12);
        // Chinchilla itself (70B params, 1.4T tokens): L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28
        assertEquals(1.69 + 406.4 / Math.pow(7e10, 0.34) + 410.7 / Math.pow(1.4e12, 0.28), p.loss().value(), 1e-12);
        assertNull(p.loss().lo());
        assertNull(p.loss().hi());
    }

    @Test
    void forecastFromAFitUsesItsBootstrapReplicates() {
        double[][] d = ChinchillaFitTest.synthetic(PAPER, 0.01, 9);
        ChinchillaResult fit = ChinchillaFit.fit(d[0], d[1], d[2], ChinchillaFit.Options.defaults()
                .withGrid(ChinchillaFit.Grid.parse("coarse")).withBootstrap(100, 2));
        ComputeOptimal.Forecast f = ComputeOptimal.forecast(fit, new double[] {1e21, 1e22}, new double[] {1e9}, new double[] {2e10});
        assertEquals(2, f.budgets().size());
        assertEquals(1, f.points().size());
        assertEquals(fit.bootstrapConverged(), f.replicates());
        assertTrue(f.budgets().get(1).params().value() > f.budgets().get(0).params().value());
        assertTrue(f.budgets().get(0).loss().lo() <= f.budgets().get(0).loss().value());
        assertEquals("forecast chinchilla", f.provenance().analysis());
    }

    @Test
    void aNonPositiveBudgetIsAnInputError() {
        assertThrows(InputException.class, () -> ComputeOptimal.allocate(PAPER, List.of(), -1));
        assertThrows(InputException.class, () -> ComputeOptimal.forecast(PAPER, List.of(), new double[0], new double[] {1e9}, new double[0], null));
    }
}
