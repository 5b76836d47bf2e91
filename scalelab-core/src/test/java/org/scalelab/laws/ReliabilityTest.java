package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hipparchus.distribution.continuous.BetaDistribution;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

class ReliabilityTest {

    static Reliability.Table table(double[] p, long[] steps) {
        return Reliability.analyze(new Reliability.Grid(p, steps), Reliability.Options.defaults());
    }

    @Test
    void independentStepsMatchExactPowersFromDecimalArithmetic() {
        // Reference: Python decimal at 40 digits, Decimal(p) ** n with p the double nearest to 0.999 etc.
        // (the decimal 0.9999 itself gives 0.90483289355854626 over 1000 steps: 1e-14 away, from p's rounding).
        assertEquals(0.3676954247709637177, Reliability.success(0.999, 1000), 1e-15);
        assertEquals(0.9048328935585562213, Reliability.success(0.9999, 1000), 1e-15);
        assertEquals(0.3660323412732291765, Reliability.success(0.99, 100), 1e-15);
        assertEquals(4.317124741065786368e-5, Reliability.success(0.99, 1000), 1e-19);
        assertEquals(0.9047921471137089616, Reliability.success(0.999, 100), 1e-15);
    }

    @Test
    void theTableShowsThirtySevenAndNinetyPercentOverAThousandSteps() {
        Reliability.Table t = table(new double[] {0.999, 0.9999}, new long[] {1000});
        assertEquals("36.8", String.format(java.util.Locale.ROOT, "%.1f", 100 * t.rows().get(0).success()));
        assertEquals("90.5", String.format(java.util.Locale.ROOT, "%.1f", 100 * t.rows().get(1).success()));
        assertEquals(3.0, t.rows().get(0).nines(), 1e-12);
        assertEquals(4.0, t.rows().get(1).nines(), 1e-11);
    }

    @Test
    void zeroAccuracyHasZeroNinesNotNegativeZero() {
        assertEquals(0, Double.compare(0.0, Reliability.nines(0)));
        assertEquals(0, Double.compare(0.0, table(new double[] {0}, new long[] {3}).rows().get(0).nines()));
    }

    @Test
    void neededAccuracyForNinetyPercentOverAThousandStepsIsTheThousandthRoot() {
        // Reference: Python decimal, 0.9 ** (1/1000) = 0.99989464503456637700; nines 3.97734499105156792.
        assertEquals(0.9998946450345663770, Reliability.requiredAccuracy(0.9, 1000), 1e-16);
        Reliability.Requirements r = Reliability.analyze(new Reliability.Targets(new double[] {0.9}, new long[] {1000}),
                Reliability.Options.defaults());
        assertEquals(1.053549654336229992e-4, r.rows().get(0).failureRate(), 1e-18);
        assertEquals(3.977344991051567923, r.rows().get(0).nines(), 1e-12);
    }

    @Test
    void uniformDifficultyGivesOneOverNPlusOne() {
        // p = ½, ρ = ⅓ → a = b = 1: q ~ Uniform(0,1), E[q^n] = 1/(n+1). p = ⅔, ρ = ¼ → Beta(2,1), E[q^n] = 2/(n+2).
        for (long n : new long[] {1, 2, 10, 1000, 1_000_000}) {
            assertEquals(1.0 / (n + 1), Reliability.success(0.5, n, 1.0 / 3), 1e-11 / (n + 1), "n=" + n);
            assertEquals(2.0 / (n + 2), Reliability.success(2.0 / 3, n, 0.25), 1e-11 / (n + 2), "n=" + n);
        }
        // Above 2e6 steps lnΓ differences are used; their documented error is ~1e-16·n·ln n relative (here 5e-9).
        long n = 3_000_000;
        assertEquals(1.0 / (n + 1), Reliability.success(0.5, n, 1.0 / 3), 2e-8 / (n + 1));
    }

    @Test
    void weakCorrelationRecoversIndependentSteps() {
        double indep = Reliability.success(0.999, 1000);
        assertEquals(indep, Reliability.success(0.999, 1000, 1e-12), 1e-9);
        assertEquals(indep, Reliability.success(0.999, 1000, 0.0), 0.0);
    }

    @Test
    void fullCorrelationGivesTheMeanAccuracy() {
        assertEquals(0.999, Reliability.success(0.999, 1000, 1 - 1e-12), 1e-9);
        assertEquals(0.9, Reliability.success(0.9, 50, 1.0), 0.0);
    }

    @Test
    void successIsMonotoneInAccuracyStepsAndCorrelation() {
        double prev = -1;
        for (double p = 0.90; p < 1; p += 0.001) {
            double s = Reliability.success(p, 200, 0.05);
            assertTrue(s > prev, "not increasing in p at " + p);
            prev = s;
        }
        prev = 2;
        for (long n = 1; n <= 2000; n += 37) {
            double s = Reliability.success(0.995, n, 0.05);
            assertTrue(s < prev, "not decreasing in steps at " + n);
            prev = s;
        }
        prev = -1;
        for (double rho = 0; rho <= 1.0; rho += 0.05) {
            double s = Reliability.success(0.995, 500, rho);
            assertTrue(s > prev, "not increasing in rho at " + rho);
            prev = s;
        }
    }

    @Test
    void shareDifficultySimulationAgreesWithClosedForm() {
        // Simulate the stated model: per task q ~ Beta(a, b), then n Bernoulli(q) steps; seed 42.
        double p = 0.98, rho = 0.1;
        int n = 50, tasks = 200_000;
        double t = (1 - rho) / rho;
        BetaDistribution beta = new BetaDistribution(p * t, (1 - p) * t);
        SplittableRandom rng = new SplittableRandom(42);
        int ok = 0;
        long bothSteps = 0, firstStep = 0;
        for (int task = 0; task < tasks; task++) {
            double q = beta.inverseCumulativeProbability(rng.nextDouble());
            boolean all = true;
            boolean s0 = rng.nextDouble() < q;
            boolean s1 = rng.nextDouble() < q;
            firstStep += s0 ? 1 : 0;
            bothSteps += s0 && s1 ? 1 : 0;
            all = s0 && s1;
            for (int i = 2; i < n && all; i++) {
                all = rng.nextDouble() < q;
            }
            ok += all ? 1 : 0;
        }
        double expected = Reliability.success(p, n, rho);
        double se = Math.sqrt(expected * (1 - expected) / tasks);
        assertEquals(expected, (double) ok / tasks, 4 * se, "simulated success vs E[q^n]");
        // The model's ρ is the correlation of two steps of one task: P(both) = p² + ρ·p(1−p).
        double pBoth = p * p + rho * p * (1 - p);
        assertEquals(pBoth, (double) bothSteps / tasks, 4 * Math.sqrt(pBoth * (1 - pBoth) / tasks));
        assertEquals(p, (double) firstStep / tasks, 4 * Math.sqrt(p * (1 - p) / tasks));
        assertTrue(expected > Math.pow(p, n), "correlation must raise success above p^n");
    }

    @Test
    void inverseReachesTheTargetWithAndWithoutCorrelation() {
        for (double rho : new double[] {0, 1e-4, 0.01, 0.2, 0.9}) {
            for (long n : new long[] {1, 10, 1000, 100_000}) {
                double p = Reliability.requiredAccuracy(0.9, n, rho);
                assertEquals(0.9, Reliability.success(p, n, rho), 1e-9, "rho=" + rho + " n=" + n);
            }
        }
        // Correlation means fewer nines are needed than for independent steps.
        assertTrue(Reliability.requiredAccuracy(0.9, 1000, 0.1) < Reliability.requiredAccuracy(0.9, 1000));
        assertEquals(0.9, Reliability.requiredAccuracy(0.9, 1000, 1.0), 1e-15);
    }

    @Test
    void manyNinesKeepTheirPrecision() {
        // 1 − p = −expm1(ln s / n): for s = 0.99 over 1e9 steps, 1 − p = 1.00503358535e-11 (ln(1/0.99)/1e9).
        double u = Reliability.requiredFailureRate(0.99, 1_000_000_000L, 0);
        assertEquals(-Math.log(0.99) / 1e9, u, 1e-21);
    }

    @Test
    void rejectsOutOfRangeInputs() {
        assertThrows(InputException.class, () -> Reliability.success(1.1, 10));
        assertThrows(InputException.class, () -> Reliability.success(0.9, -1));
        assertThrows(InputException.class, () -> Reliability.success(0.9, 10, 1.5));
        assertThrows(InputException.class, () -> Reliability.requiredAccuracy(1.0, 10));
        assertThrows(InputException.class, () -> Reliability.requiredAccuracy(0.5, 0));
    }
}
