package org.scalelab.dynamics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.laws.ShapeTest;

/**
 * Detectors on synthetic curves whose answers are known in closed form. Student-t quantiles are
 * standard table values: t(0.975, 2) = 4.302653, t(0.975, 4) = 2.776445.
 */
class DetectorsTest {
    private static final double T2 = 4.302653;
    private static final double T4 = 2.776445;
    private static final long[] STEPS = {10, 30, 100, 300, 1000, 3000, 10000};
    /** Examples behind the hand-written curves: enough that their shapes are far beyond the binomial noise. */
    private static final int N = 1000;

    private static Curve curve(String run, double... values) {
        return new Curve(run, STEPS.clone(), values);
    }

    /** A logistic ability in log10(step) crossing 0.5 at 10^mid. */
    private static Curve sigmoid(String run, double mid) {
        double[] v = new double[STEPS.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1 / (1 + Math.exp(-6 * (Math.log10(STEPS[i]) - mid)));
        }
        return curve(run, v);
    }

    /** Scaling shape of values each measured once on {@link #N} examples. */
    private static ScalingShape.Result shape(String axis, String metric, double[] x, double[] y, ShapeTest.Options o) {
        ScalingShape.Noise[] noise = new ScalingShape.Noise[x.length];
        java.util.Arrays.fill(noise, new ScalingShape.Noise(N, 1));
        return ScalingShape.analyze(new ScalingShape.Input(axis, metric, x, y, noise), new ScalingShape.Options(o, BinomialNull.Options.defaults()));
    }

    @Test
    void emergenceStepIsInterpolatedInLogStep() {
        Curve c = new Curve("r", new long[] {10, 100, 1000}, new double[] {0.0, 0.2, 0.8});
        // Halfway from 0.2 to 0.8 in accuracy = halfway from log10 100 to log10 1000.
        assertEquals(Math.pow(10, 2.5), Emergence.step(c, 0.5), 1e-9);
        assertEquals(10.0, Emergence.step(new Curve("r", new long[] {10, 100}, new double[] {0.6, 0.9}), 0.5), "already there at the first point");
        assertNull(Emergence.step(new Curve("r", new long[] {10, 100}, new double[] {0.1, 0.4}), 0.5));
    }

    @Test
    void emergenceAcrossSeedsHasAGeometricMeanAndATIntervalOnLogStep() {
        // Crossings at exactly 10^1.5·… : use curves crossing 0.5 at logged points' log-midpoints 10^2, 10^3, 10^4.
        List<Curve> seeds = List.of(
                new Curve("s0", new long[] {10, 1000}, new double[] {0, 1}),
                new Curve("s1", new long[] {100, 10000}, new double[] {0, 1}),
                new Curve("s2", new long[] {1000, 100000}, new double[] {0, 1}));
        Emergence.Result r = Emergence.analyze(new Emergence.Input("analogical_ood", seeds, N), Emergence.Options.defaults());
        assertEquals(3, r.emerged());
        assertEquals("emerged", r.verdict());
        assertEquals(100, r.stepPerSeed().get(0), 1e-9);
        assertEquals(1000, r.step(), 1e-6, "geometric mean of 100, 1000, 10000");
        double half = T2 * 1 / Math.sqrt(3); // log10 steps 2, 3, 4: s = 1
        assertEquals(Math.pow(10, 3 - half), r.stepCi95().get(0), 1e-3 * Math.pow(10, 3 - half));
        assertEquals(Math.pow(10, 3 + half), r.stepCi95().get(1), 1e-3 * Math.pow(10, 3 + half));

        List<Curve> some = List.of(seeds.get(0), new Curve("s1", new long[] {10, 100}, new double[] {0, 0.1}));
        Emergence.Result partial = Emergence.analyze(new Emergence.Input("x", some, N), Emergence.Options.defaults());
        assertEquals("emerged_in_some", partial.verdict());
        assertNull(partial.stepPerSeed().get(1));
        assertNull(partial.stepCi95(), "one emerged seed gives no interval");
        assertEquals("not_emerged", Emergence.analyze(new Emergence.Input("x", List.of(some.get(1)), N), Emergence.Options.defaults()).verdict());
    }

    @Test
    void analogyAfterCompositionIsDetectedSeedBySeed() {
        List<Curve> composition = List.of(sigmoid("s0", 2.0), sigmoid("s1", 2.1), sigmoid("s2", 1.9));
        List<Curve> analogy = List.of(sigmoid("s0", 3.0), sigmoid("s1", 3.3), sigmoid("s2", 2.8));
        Emergence.Order o = Emergence.order("analogical_ood", analogy, N, "compositional_near_ood", composition, N, Emergence.Options.defaults());
        assertEquals("after", o.verdict());
        assertEquals((1.0 + 1.2 + 0.9) / 3, o.log10Delta().mean(), 0.02, "a logistic crosses 0.5 at its midpoint (up to log interpolation)");
        Emergence.Order reversed = Emergence.order("compositional_near_ood", composition, N, "analogical_ood", analogy, N, Emergence.Options.defaults());
        assertEquals("before", reversed.verdict());
        Emergence.Order tie = Emergence.order("a", List.of(sigmoid("s0", 2.0), sigmoid("s1", 3.0), sigmoid("s2", 2.0)), N, "b",
                List.of(sigmoid("s0", 2.5), sigmoid("s1", 2.5), sigmoid("s2", 2.5)), N, Emergence.Options.defaults());
        assertEquals("undetermined", tie.verdict(), "two seeds earlier, one later");
    }

    @Test
    void transientAbilityPeaksThenDrops() {
        Curve c = curve("r", 0.0, 0.1, 0.5, 0.9, 0.8, 0.6, 0.3);
        Transience.Seed s = Transience.seed(c, Transience.Options.defaults());
        assertEquals(0.9, s.peak());
        assertEquals(300, s.peakStep());
        assertEquals(0.3, s.end(), 1e-12);
        assertEquals(0.6, s.drop(), 1e-12);
        assertEquals(3000L, s.dropStep(), "first step more than 0.2 below the peak (0.9 − 0.6 = 0.3)");
        Transience.Result r = Transience.analyze(new Transience.Input("analogical_ood", List.of(c), N), Transience.Options.defaults());
        assertEquals("transient", r.verdict());

        Transience.Seed tail = Transience.seed(c, new Transience.Options(0.2, 2));
        assertEquals(0.45, tail.end(), 1e-12, "end = mean of the last two points");
    }

    @Test
    void monotoneOrSlightlyNoisyCurvesAreNotTransient() {
        assertEquals("not_transient", Transience.analyze(new Transience.Input("x", List.of(sigmoid("s", 2.5)), N), Transience.Options.defaults()).verdict());
        Curve wiggle = curve("w", 0.1, 0.5, 0.8, 0.85, 0.8, 0.82, 0.75);
        Transience.Result r = Transience.analyze(new Transience.Input("x", List.of(wiggle), N), Transience.Options.defaults());
        assertEquals("not_transient", r.verdict());
        assertNull(r.seeds().get(0).dropStep());
    }

    @Test
    void transienceAcrossSeedsUsesATIntervalOfTheDrop() {
        List<Curve> seeds = List.of(curve("a", 0, 0.2, 0.9, 0.9, 0.8, 0.6, 0.4), curve("b", 0, 0.2, 0.9, 0.9, 0.8, 0.6, 0.3),
                curve("c", 0, 0.2, 0.9, 0.9, 0.8, 0.6, 0.2));
        Transience.Result r = Transience.analyze(new Transience.Input("x", seeds, N), Transience.Options.defaults());
        assertEquals(0.6, r.drop().mean(), 1e-12);
        double half = T2 * 0.1 / Math.sqrt(3);
        assertEquals(0.6 - half, r.drop().ci95().get(0), 1e-5);
        assertEquals(0.6 + half, r.drop().ci95().get(1), 1e-5);
        assertEquals(3, r.transientSeeds());
        assertEquals("transient", r.verdict());
        List<Curve> mixed = List.of(seeds.get(0), sigmoid("s", 2), sigmoid("t", 2.2));
        assertEquals("transient_in_some", Transience.analyze(new Transience.Input("x", mixed, N), Transience.Options.defaults()).verdict());
    }

    @Test
    void invertedUInWidthIsNonMonotonicWithShapeTestJson() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 0; k <= 8; k++) {
            for (int seed = 0; seed < 3; seed++) {
                double w = 16 * Math.pow(2, k / 2.0);
                xs.add(w);
                ys.add(0.9 - 0.05 * Math.pow(k - 4, 2) + 0.01 * rng.nextGaussian());
            }
        }
        ScalingShape.Result r = shape("width", "final_accuracy.analogical_ood", xs.stream().mapToDouble(d -> d).toArray(),
                ys.stream().mapToDouble(d -> d).toArray(), ShapeTest.Options.defaults());
        assertEquals("inverted_U", r.shape().shape());
        assertEquals("non_monotonic", r.verdict());
        assertEquals(16 * 4, r.shape().turningPoint().x(), 16, "vertex at k = 4, width 64");
        JsonNode j = Json.mapper().readTree(Json.write(r));
        assertEquals("inverted_U", j.at("/shape/shape").asText(), "the law engine's shape JSON, nested");
        assertTrue(j.at("/shape/left/p_value").isNumber());
        assertEquals(9, j.get("levels").size());
    }

    @Test
    void threeDepthsWithTheMiddleBestAreAnInteriorBestByWelch() {
        double[] x = {1, 1, 1, 2, 2, 2, 4, 4, 4};
        double[] y = {0.3, 0.4, 0.5, 0.8, 0.9, 1.0, 0.4, 0.5, 0.6};
        ScalingShape.Result r = shape("depth", "peak_accuracy.analogical_ood", x, y, ShapeTest.Options.defaults());
        assertEquals(2.0, r.bestX());
        // Welch: diff 0.9 − 0.5 = 0.4, s² = 0.01 on both sides, se = √(2·0.01/3), df = 4.
        double half = T4 * Math.sqrt(2 * 0.01 / 3);
        assertEquals(0.4 - half, r.bestMinusLargest().get(0), 1e-5);
        assertEquals(0.4 + half, r.bestMinusLargest().get(1), 1e-5);
        assertEquals("interior_best", r.verdict());
        assertTrue(!"U".equals(r.shape().shape()), "three sizes are too few for the two-lines test");
    }

    @Test
    void decreasingAndIncreasingScalingAreTold() {
        double[] x = {64, 64, 64, 128, 128, 128, 256, 256, 256};
        double[] down = {0.9, 0.85, 0.95, 0.6, 0.65, 0.7, 0.3, 0.35, 0.25};
        assertEquals("decreasing", shape("width", "m", x, down, ShapeTest.Options.defaults()).verdict());
        // Two seeds a size: the Welch interval of largest − smallest (df ≈ 2) still reaches 0, but the linear
        // trend over all 8 runs in log width falls clearly.
        double[] x2 = {32, 32, 64, 64, 128, 128, 256, 256};
        double[] y2 = {0.96, 0.95, 0.94, 0.90, 0.71, 0.73, 0.66, 0.59};
        ScalingShape.Result trend = shape("width", "m", x2, y2, ShapeTest.Options.defaults());
        assertTrue(trend.shape().trendPValue() < 0.05, "trend p " + trend.shape().trendPValue());
        assertEquals("decreasing", trend.verdict());
        double[] up = {0.3, 0.35, 0.25, 0.6, 0.65, 0.7, 0.9, 0.85, 0.95};
        assertEquals("monotone", shape("width", "m", x, up, ShapeTest.Options.defaults()).verdict());
        assertThrows(InputException.class, () -> shape("width", "m", new double[] {0}, new double[] {1}, ShapeTest.Options.defaults()));
    }

    @Test
    void twoSeedsThatAgreeGiveARangeNotAZeroWidthInterval() throws Exception {
        SeedInterval two = SeedInterval.of(new double[] {0.25, 0.25});
        assertNull(two.ci95(), "two agreeing seeds say nothing about seed-to-seed variation");
        assertEquals("n seeds 2 < 3, no CI", two.noCi());
        assertEquals(List.of(0.25, 0.25), two.range());
        assertEquals(" (range 0.25 … 0.25; n seeds 2 < 3, no CI)", two.describe("%.2f"));
        JsonNode j = Json.mapper().readTree(Json.write(two));
        assertTrue(j.get("ci95").isNull());
        assertEquals("n seeds 2 < 3, no CI", j.get("no_ci").asText());
        SeedInterval three = SeedInterval.of(new double[] {0.2, 0.3, 0.4});
        double half = T2 * 0.1 / Math.sqrt(3);
        assertEquals(0.3 - half, three.ci95().get(0), 1e-6);
        assertNull(three.noCi());
        assertTrue(three.describe("%.2f").startsWith(" [95 % CI "));
    }

    @Test
    void badCurvesAreRefused() {
        assertThrows(InputException.class, () -> new Curve("r", new long[] {10, 10}, new double[] {0, 1}));
        assertThrows(InputException.class, () -> new Curve("r", new long[] {10}, new double[] {1.5}));
        assertThrows(InputException.class, () -> new Curve("r", new long[] {}, new double[] {}));
    }
}
