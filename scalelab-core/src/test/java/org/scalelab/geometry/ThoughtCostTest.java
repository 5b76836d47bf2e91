package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

/**
 * The cost of thought on planted data: cost driven by the geometry (difficulty unrelated), cost
 * driven by difficulty alone (geometry correlated with difficulty), and everything independent (its
 * false-claim rate over 100 seeds). Rows are built directly, so the planted truth is exact.
 */
class ThoughtCostTest {
    static final int N = 60;

    static ThoughtCost.Options options(int bootstrap, long seed) {
        return ThoughtCost.Options.defaults(ThoughtCost.Cost.TOKENS).withBootstrap(bootstrap).withSeed(seed);
    }

    /** A row whose cost in tokens is 10 × {@code steps} (tokens: planted values may be 0 or below without leaving the sample). */
    static ThoughtCost.Row row(int i, Double difficulty, int steps, double tangling, double cosine, double alignment) {
        return new ThoughtCost.Row("t" + i, "m", 1000, "math", difficulty, 10 * steps, steps, 1e6 * steps, tangling, cosine, alignment);
    }

    /** Cost rises with tangling; difficulty, step cosine and alignment are independent of it. */
    static List<ThoughtCost.Row> geometryDriven(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ThoughtCost.Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            double tangling = r.nextDouble(0, 5);
            int steps = (int) Math.round(4 + 3 * tangling + r.nextGaussian());
            rows.add(row(i, (double) (1 + r.nextInt(5)), steps, tangling, r.nextDouble(-1, 1), r.nextDouble(-1, 1)));
        }
        return rows;
    }

    /** Cost rises with difficulty alone; tangling too rises with difficulty, but cost does not depend on it given difficulty. */
    static List<ThoughtCost.Row> difficultyDriven(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ThoughtCost.Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            int difficulty = 1 + r.nextInt(5);
            double tangling = difficulty + r.nextGaussian() * 0.7;
            int steps = (int) Math.round(3 * difficulty + r.nextGaussian() * 2);
            rows.add(row(i, (double) difficulty, steps, tangling, r.nextDouble(-1, 1), r.nextDouble(-1, 1)));
        }
        return rows;
    }

    /** Cost, difficulty and every measure independent. */
    static List<ThoughtCost.Row> independent(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ThoughtCost.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(row(i, (double) (1 + r.nextInt(5)), 5 + r.nextInt(30), r.nextDouble(), r.nextDouble(-1, 1), r.nextDouble(-1, 1)));
        }
        return rows;
    }

    static ThoughtCost.Association find(ThoughtCost.GroupResult g, String with, String given) {
        return g.associations().stream().filter(a -> a.with().equals(with) && java.util.Objects.equals(a.given(), given)).findFirst().orElseThrow();
    }

    @Test
    void costDrivenByTanglingIsAttributedToTheGeometryWithAnIntervalExcludingZero() {
        ThoughtCost.GroupResult g = ThoughtCost.associate("m, math", geometryDriven(1), options(1000, 7));
        ThoughtCost.Association partial = find(g, "tangling", "difficulty");
        assertTrue(partial.rho() > 0.8, "planted: steps ≈ 3·tangling + noise, so the partial ρ is large: " + partial);
        assertTrue(partial.familyCi()[0] > 0.5, "the Bonferroni interval excludes 0 by far: " + java.util.Arrays.toString(partial.familyCi()));
        assertTrue(partial.familyCi()[0] <= partial.ci()[0] && partial.familyCi()[1] >= partial.ci()[1], "the family interval is the wider");
        ThoughtCost.Association difficulty = find(g, "difficulty", null);
        assertTrue(difficulty.ci()[0] < 0 && difficulty.ci()[1] > 0, "difficulty was drawn independently: " + difficulty);
        assertEquals(ThoughtCost.Verdict.GEOMETRY, g.verdict());
        assertTrue(g.answer().contains("follows the geometry rather than the difficulty") && g.answer().contains("tangling")
                && g.answer().contains("Bonferroni over 3 measures"), g.answer());
        // the other measures were drawn independently of the cost
        assertFalse(find(g, "step_cosine", "difficulty").excludesZero(true));
        assertFalse(find(g, "alignment", "difficulty").excludesZero(true));
    }

    @Test
    void costDrivenByDifficultyAloneIsAttributedToTheDifficulty() {
        int difficultyVerdicts = 0;
        for (long seed = 1; seed <= 20; seed++) {
            ThoughtCost.GroupResult g = ThoughtCost.associate("m, math", difficultyDriven(seed), options(500, seed));
            ThoughtCost.Association marginal = find(g, "tangling", null);
            assertTrue(marginal.rho() > 0.5 && marginal.ci()[0] > 0, "tangling and cost both follow difficulty, so they correlate: " + marginal);
            if (seed == 1) {
                ThoughtCost.Association partial = find(g, "tangling", "difficulty");
                assertTrue(partial.familyCi()[0] < 0 && partial.familyCi()[1] > 0, "given difficulty, tangling adds nothing: " + partial);
                assertEquals(ThoughtCost.Verdict.DIFFICULTY, g.verdict(), g.answer());
                assertTrue(g.answer().contains("follows the difficulty, not the geometry"), g.answer());
            }
            if (g.verdict() == ThoughtCost.Verdict.DIFFICULTY) {
                difficultyVerdicts++;
            }
        }
        // the geometry claim's family level is 1 − 0.05/3, so ≤ 1.7 % of seeds should claim it; 17 of 20 leaves room for three
        assertTrue(difficultyVerdicts >= 17, "difficulty in " + difficultyVerdicts + " of 20 seeds");
    }

    /**
     * Under independence, each claim is made in about its nominal 5 % of seeds. Bound: at most 12 of 100;
     * with a true rate of 5 % that fails with probability 0.4 % (binomial), and it fails for a percentile
     * interval that is anti-conservative by more than a few points.
     */
    @Test
    void independentDataRarelyGiveAClaim() {
        int geometry = 0;
        int difficulty = 0;
        int tanglingMarginal = 0;
        for (long seed = 1; seed <= 100; seed++) {
            ThoughtCost.GroupResult g = ThoughtCost.associate("null", independent(1000 + seed, 40), options(400, seed));
            if (g.verdict() == ThoughtCost.Verdict.GEOMETRY || g.verdict() == ThoughtCost.Verdict.BOTH) {
                geometry++;
            }
            if (g.verdict() == ThoughtCost.Verdict.DIFFICULTY || g.verdict() == ThoughtCost.Verdict.BOTH) {
                difficulty++;
            }
            if (find(g, "tangling", null).excludesZero(false)) {
                tanglingMarginal++;
            }
        }
        assertTrue(geometry <= 12, "geometry claimed in " + geometry + " of 100 null seeds");
        assertTrue(difficulty <= 12, "difficulty claimed in " + difficulty + " of 100 null seeds");
        assertTrue(tanglingMarginal <= 12, "ρ(cost, tangling)'s 95 % interval excluded 0 in " + tanglingMarginal + " of 100 null seeds");
    }

    @Test
    void missingDifficultyIsAReasonNotAnError() {
        List<ThoughtCost.Row> rows = new ArrayList<>();
        for (ThoughtCost.Row r : geometryDriven(3)) {
            rows.add(new ThoughtCost.Row(r.id(), r.model(), r.parameterCount(), r.domain(), null, r.tokens(), r.steps(), r.flops(),
                    r.tangling(), r.stepCosine(), r.alignment()));
        }
        ThoughtCost.GroupResult g = ThoughtCost.associate("m, math", rows, options(200, 1));
        assertEquals(ThoughtCost.Verdict.CANNOT_SAY, g.verdict());
        assertTrue(g.answer().contains("cannot say") && g.answer().contains("labels.difficulty"), g.answer());
        ThoughtCost.Association d = find(g, "difficulty", null);
        assertNull(d.rho());
        assertTrue(d.reason().contains("labels.difficulty"), d.reason());
        // what can be computed still is
        assertTrue(find(g, "tangling", null).rho() > 0.8);
    }

    @Test
    void tooFewTrajectoriesOrAConstantCostGiveReasons() {
        ThoughtCost.GroupResult few = ThoughtCost.associate("few", geometryDriven(4).subList(0, 5), options(100, 1));
        for (ThoughtCost.Association a : few.associations()) {
            assertNull(a.rho());
            assertTrue(a.reason().contains("at least " + ThoughtCost.MIN_TRAJECTORIES), a.reason());
        }
        assertEquals(ThoughtCost.Verdict.CANNOT_SAY, few.verdict());
        List<ThoughtCost.Row> flat = new ArrayList<>();
        for (ThoughtCost.Row r : geometryDriven(5)) {
            flat.add(row(flat.size(), r.difficulty(), 7, r.tangling(), r.stepCosine(), r.alignment()));
        }
        ThoughtCost.GroupResult g = ThoughtCost.associate("flat", flat, options(100, 1));
        assertTrue(find(g, "tangling", null).reason().contains("cost (tokens) is the same (70) for all 60"), find(g, "tangling", null).reason());
        assertEquals(ThoughtCost.Verdict.CANNOT_SAY, g.verdict());
    }

    @Test
    void trajectoriesWithoutStepsHaveNoCostInSteps() {
        List<ThoughtCost.Row> rows = new ArrayList<>(geometryDriven(6));
        for (int i = 0; i < 20; i++) {
            rows.add(row(100 + i, 3.0, 0, 9.0, 0.0, 0.0));
        }
        ThoughtCost.GroupResult g = ThoughtCost.associate("m, math", rows, ThoughtCost.Options.defaults(ThoughtCost.Cost.STEPS).withBootstrap(200));
        assertEquals(N, find(g, "tangling", null).n(), "the 20 trajectories without boundaries are left out");
        assertTrue(g.notes().stream().anyMatch(n -> n.contains("20 of 80 trajectories have no step boundaries")), g.notes().toString());
        assertEquals(ThoughtCost.Verdict.GEOMETRY, g.verdict(), g.answer());
    }

    @Test
    void theSameSeedGivesTheSameIntervals() {
        ThoughtCost.GroupResult a = ThoughtCost.associate("g", difficultyDriven(9), options(300, 42));
        ThoughtCost.GroupResult b = ThoughtCost.associate("g", difficultyDriven(9), options(300, 42));
        assertEquals(a.answer(), b.answer());
        assertTrue(java.util.Arrays.equals(find(a, "tangling", "difficulty").ci(), find(b, "tangling", "difficulty").ci()));
    }

    /**
     * End to end on points: trajectory k moves along a shared direction at angle θ_k (its alignment
     * to the others' mean) and has more points the better it is aligned; its token count is its points.
     */
    @Test
    void onPointsTheCostFollowsAPlantedAlignment() {
        SplittableRandom r = new SplittableRandom(11);
        int d = 8;
        List<float[]> points = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<ThoughtCost.Facts> facts = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            double theta = r.nextDouble(0, Math.PI / 2);
            int len = 3 + (int) Math.round(20 * Math.cos(theta));
            offsets.add((long) points.size());
            ids.add("p" + k);
            double[] dir = new double[d];
            dir[0] = Math.cos(theta);
            double side = r.nextBoolean() ? 1 : -1;
            dir[1 + r.nextInt(d - 1)] = side * Math.sin(theta);
            for (int t = 0; t < len; t++) {
                float[] x = new float[d];
                for (int j = 0; j < d; j++) {
                    x[j] = (float) (t * dir[j] + 0.05 * r.nextGaussian());
                }
                points.add(x);
            }
            facts.add(new ThoughtCost.Facts(len, 1, ThoughtCost.forwardFlops(1000, 2, 8, len), (double) (1 + r.nextInt(4))));
        }
        PointSet p = PointSet.of(points.toArray(new float[0][]), "planted").withTrajectories(offsets.stream().mapToLong(Long::longValue).toArray(), "planted");
        ActivationGroups.Input in = new ActivationGroups.Input("model=m, domain=math", "m", 1000, "math", null, "h", p, ids, null, "none");
        ThoughtCost.Result res = ThoughtCost.analyze(new ThoughtCost.Input(List.of(new ThoughtCost.Group(in, facts)), List.of()),
                new ThoughtCost.Options(ThoughtCost.Cost.TOKENS, 500, 3, 0.95, null, 50_000, "token"));
        assertEquals(40, res.trajectories().size());
        ThoughtCost.Row first = res.trajectories().get(0);
        assertNotNull(first.tangling());
        assertNotNull(first.stepCosine());
        assertEquals(ThoughtCost.Verdict.GEOMETRY, res.groups().get(0).verdict(), res.answer());
        assertTrue(res.answer().contains("alignment"), res.answer());
        assertEquals("thought_cost", res.provenance().analysis());
    }

    @Test
    void leaveOneOutAlignmentMatchesItsDefinition() {
        float[][] x = Synthetic.gaussian(24, 5, 3);
        PointSet p = PointSet.of(x, "g").withTrajectories(new long[] {0, 4, 9, 15, 20}, "g");
        double[] got = ThoughtCost.leaveOneOutAlignment(p);
        int[] starts = {0, 4, 9, 15, 20, 24};
        double[][] u = new double[5][5];
        for (int k = 0; k < 5; k++) {
            double norm = 0;
            for (int j = 0; j < 5; j++) {
                u[k][j] = (double) x[starts[k + 1] - 1][j] - x[starts[k]][j];
                norm += u[k][j] * u[k][j];
            }
            for (int j = 0; j < 5; j++) {
                u[k][j] /= Math.sqrt(norm);
            }
        }
        for (int k = 0; k < 5; k++) {
            double[] mean = new double[5];
            for (int o = 0; o < 5; o++) {
                if (o != k) {
                    for (int j = 0; j < 5; j++) {
                        mean[j] += u[o][j] / 4;
                    }
                }
            }
            double dot = 0;
            double nm = 0;
            for (int j = 0; j < 5; j++) {
                dot += u[k][j] * mean[j];
                nm += mean[j] * mean[j];
            }
            assertEquals(dot / Math.sqrt(nm), got[k], 1e-12, "trajectory " + k);
        }
    }

    @Test
    void forwardFlopsSumKaplansPerTokenCostOverPositions() {
        long n = 124_000_000L;
        int layers = 12;
        int d = 768;
        double sum = 0;
        for (int pos = 0; pos < 100; pos++) {
            sum += 2.0 * n + 2.0 * layers * (pos + 1) * d;
        }
        assertEquals(sum, ThoughtCost.forwardFlops(n, layers, d, 100), sum * 1e-12);
    }

    @Test
    void badOptionsNameTheFlag() {
        assertTrue(assertThrows(InputException.class, () -> ThoughtCost.Cost.parse("watts")).getMessage().contains("--cost"));
        assertTrue(assertThrows(InputException.class, () -> options(-1, 0)).getMessage().contains("--bootstrap"));
    }
}
