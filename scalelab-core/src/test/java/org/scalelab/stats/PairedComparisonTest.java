package org.scalelab.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * {@link PairedComparison}: McNemar's exact p-value against scipy's {@code binomtest} and Newcombe's interval
 * against the paper's formulas over scipy's Wilson intervals ({@code scalelab-core/src/test/python/paired_reference.py});
 * then calibration on data drawn from the null (two models with the same per-example success
 * probabilities) and power on a planted difference, for both tests.
 */
class PairedComparisonTest {
    @TempDir Path dir;

    /** (a both right, b only A, c only B, d both wrong): small, balanced, lopsided, empty margins, large. */
    private static final int[][] TABLES = {
        {14, 5, 0, 22}, {10, 15, 5, 20}, {30, 10, 10, 50}, {0, 0, 0, 12}, {12, 0, 0, 0}, {40, 0, 7, 3},
        {3, 1, 2, 0}, {200, 31, 12, 157}, {5000, 5200, 4800, 1000}, {0, 9, 0, 0}, {1, 1, 0, 0}, {1000, 60, 95, 845},
    };

    @Test
    void mcnemarAndNewcombeEqualScipyAndThePaper() throws IOException {
        PythonReference.requireModules("scipy");
        Path in = dir.resolve("tables.json");
        Files.writeString(in, Json.mapper().writeValueAsString(TABLES));
        JsonNode refs = Json.mapper().readTree(PythonReference.run("scalelab-core/src/test/python/paired_reference.py", in.toString(), "0.95", "0.9"));
        for (double level : new double[] {0.95, 0.9}) {
            JsonNode ref = refs.get(Double.toString(level));
            for (int t = 0; t < TABLES.length; t++) {
                int[] x = TABLES[t];
                McNemarResult r = PairedComparison.mcnemar(x[0], x[1], x[2], x[3], level);
                String what = "table " + java.util.Arrays.toString(x) + " at " + level;
                double p = ref.get(t).get("p").asDouble();
                assertEquals(p, r.pValue(), 1e-12 * Math.max(p, 1e-300) + 1e-300, what + " p");
                assertEquals(ref.get(t).get("low").asDouble(), r.low(), 1e-12, what + " low");
                assertEquals(ref.get(t).get("high").asDouble(), r.high(), 1e-12, what + " high");
                assertEquals((double) (x[1] - x[2]) / (x[0] + x[1] + x[2] + x[3]), r.difference(), 1e-15);
            }
        }
    }

    @Test
    void mcnemarCountsTheTableFromPairedOutcomes() {
        boolean[] a = {true, true, false, false, true, false};
        boolean[] b = {true, false, true, false, false, false};
        McNemarResult r = PairedComparison.mcnemar(a, b, 0.95);
        assertEquals(6, r.n());
        assertEquals(1, r.bothCorrect());
        assertEquals(2, r.onlyA());
        assertEquals(1, r.onlyB());
        assertEquals(2, r.bothWrong());
        assertEquals(0.5, r.accuracyA());
        assertEquals(2.0 / 6, r.accuracyB(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.mcnemar(a, new boolean[] {true}, 0.95));
    }

    /**
     * Null: every example has its own success probability p_i ~ U(0.1, 0.95), and both models succeed
     * on it with p_i, independently. Over 2,000 seeded replications of 400 examples the exact test may
     * reject at 5 % at most 0.05 + 3 binomial standard deviations (√(0.05·0.95/2000) = 0.0049), i.e.
     * 0.065; Newcombe's 95 % interval must hold the true difference 0 at least 0.95 − 0.015 of the time.
     * A planted difference (B's probability 0.12 lower on every example, about 3.9 standard errors) is found in ≥ 90 % of them.
     */
    @Test
    void mcnemarHoldsItsLevelOnTheNullAndFindsAPlantedDifference() {
        int reps = 2000;
        int n = 400;
        int rejected = 0;
        int covered = 0;
        int found = 0;
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = new SplittableRandom(1000 + rep);
            boolean[] a = new boolean[n];
            boolean[] b = new boolean[n];
            boolean[] worse = new boolean[n];
            for (int i = 0; i < n; i++) {
                double p = 0.1 + 0.85 * rng.nextDouble();
                a[i] = rng.nextDouble() < p;
                b[i] = rng.nextDouble() < p;
                worse[i] = rng.nextDouble() < p - 0.12;
            }
            McNemarResult nul = PairedComparison.mcnemar(a, b, 0.95);
            rejected += nul.pValue() < 0.05 ? 1 : 0;
            covered += nul.low() <= 0 && 0 <= nul.high() ? 1 : 0;
            McNemarResult planted = PairedComparison.mcnemar(a, worse, 0.95);
            found += planted.pValue() < 0.05 && planted.low() > 0 ? 1 : 0;
        }
        double rate = (double) rejected / reps;
        assertTrue(rate <= 0.065, "rejection rate on the null " + rate);
        assertTrue(rate >= 0.02, "rejection rate on the null " + rate + " (the exact test is conservative, but not blind)");
        assertTrue((double) covered / reps >= 0.935, "coverage " + (double) covered / reps);
        assertTrue((double) found / reps >= 0.9, "power " + (double) found / reps);
    }

    /**
     * Why pairing: two models that succeed on mostly the same examples (a shared difficulty u_i per
     * example; B fails where A barely succeeds, 3 % of examples). Comparing the two accuracies with their
     * own standard errors, as separate lm-eval results invite (|acc_A − acc_B| / √(se_A² + se_B²) > 1.96),
     * almost never finds the difference (1 % of 500 replications of 1,000 examples: z ≈ 0.03 / 0.022), because
     * those errors include the variation between examples the two models share; McNemar finds it in all.
     */
    @Test
    void pairingFindsWhatAnUnpairedComparisonOfTheTwoAccuraciesMisses() {
        int reps = 500;
        int n = 1000;
        int paired = 0;
        int unpaired = 0;
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = new SplittableRandom(90_000 + rep);
            boolean[] a = new boolean[n];
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble();
                double p = 0.2 + 0.6 * rng.nextDouble();
                a[i] = u < p;
                b[i] = u < p - 0.03;
            }
            McNemarResult r = PairedComparison.mcnemar(a, b, 0.95);
            paired += r.pValue() < 0.05 ? 1 : 0;
            double se = Math.sqrt(r.accuracyA() * (1 - r.accuracyA()) / (n - 1) + r.accuracyB() * (1 - r.accuracyB()) / (n - 1));
            unpaired += Math.abs(r.difference()) / se > 1.959964 ? 1 : 0;
        }
        assertTrue(paired >= 0.95 * reps, "paired power " + (double) paired / reps);
        assertTrue(unpaired <= 0.2 * reps, "unpaired power " + (double) unpaired / reps);
    }

    @Test
    void bootstrapIsSeededAndItsIntervalMatchesTheNormalOneOnLargeSamples() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 2000;
        double[] a = new double[n];
        double[] b = new double[n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double x = rng.nextDouble();
            a[i] = x * x + 0.1 * rng.nextGaussian();
            b[i] = x * x + 0.1 * rng.nextGaussian() - 0.01;
            d[i] = a[i] - b[i];
        }
        PairedBootstrapResult r = PairedComparison.bootstrap(a, b, 4000, 3, 0.95);
        PairedBootstrapResult again = PairedComparison.bootstrap(a, b, 4000, 3, 0.95);
        assertEquals(r, again);
        double mean = java.util.Arrays.stream(d).average().orElseThrow();
        double se = Bootstrap.standardError(d) / Math.sqrt(n);
        assertEquals(mean, r.difference(), 1e-12);
        // the percentile interval of a mean of 2,000 values is the normal one to within Monte Carlo error
        assertEquals(mean - 1.959964 * se, r.low(), 0.1 * se);
        assertEquals(mean + 1.959964 * se, r.high(), 0.1 * se);
        // z ≈ 3.2: the centred test's p-value is near the normal 0.0014, far below 0.05
        assertTrue(r.pValue() < 0.01, "p " + r.pValue());
    }

    /**
     * Null: mc2-like per-example values shared by both models plus independent noise of the same
     * distribution. Over 1,000 replications of 150 examples (499 bootstrap replicates each) the rejection
     * rate at 5 % may be at most 0.05 + 3 · √(0.05·0.95/1000) = 0.071, and the 95 % interval must hold 0 in
     * at least 0.95 − 0.021 of them; a planted shift of 0.03 (about 3.7 standard errors) is found in ≥ 90 %.
     */
    @Test
    void bootstrapHoldsItsLevelOnTheNullAndFindsAPlantedDifference() {
        int reps = 1000;
        int n = 150;
        int rejected = 0;
        int covered = 0;
        int found = 0;
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = new SplittableRandom(50_000 + rep);
            double[] a = new double[n];
            double[] b = new double[n];
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                double x = Math.pow(rng.nextDouble(), 3);
                a[i] = x + 0.07 * rng.nextGaussian();
                b[i] = x + 0.07 * rng.nextGaussian();
                c[i] = x + 0.07 * rng.nextGaussian() - 0.03;
            }
            PairedBootstrapResult nul = PairedComparison.bootstrap(a, b, 499, rep, 0.95);
            rejected += nul.pValue() < 0.05 ? 1 : 0;
            covered += nul.low() <= 0 && 0 <= nul.high() ? 1 : 0;
            PairedBootstrapResult planted = PairedComparison.bootstrap(a, c, 499, rep, 0.95);
            found += planted.pValue() < 0.05 && planted.low() > 0 ? 1 : 0;
        }
        double rate = (double) rejected / reps;
        assertTrue(rate <= 0.071, "rejection rate on the null " + rate);
        assertTrue((double) covered / reps >= 0.929, "coverage " + (double) covered / reps);
        assertTrue((double) found / reps >= 0.9, "power " + (double) found / reps);
    }

    @Test
    void identicalModelsAreNotDifferent() {
        double[] a = {0.1, 0.5, 0.9, 0.3};
        PairedBootstrapResult r = PairedComparison.bootstrap(a, a.clone(), 200, 1, 0.95);
        assertEquals(0, r.difference());
        assertEquals(1, r.pValue());
        McNemarResult m = PairedComparison.mcnemar(new boolean[] {true, false}, new boolean[] {true, false}, 0.95);
        assertEquals(1, m.pValue());
        assertTrue(m.low() < 0 && m.high() > 0, m.toString());
    }
}
