package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Metrics on data whose answer is known in closed form. */
class ClosedFormGeometryTest {

    private static long[] offsets(int trajectories, int length) {
        long[] o = new long[trajectories];
        for (int k = 0; k < trajectories; k++) {
            o[k] = (long) k * length;
        }
        return o;
    }

    @Test
    void twoNNOfIsotropicGaussianIsNearItsDimension() {
        for (int d : new int[] {2, 6}) {
            PointSet p = PointSet.of(Synthetic.gaussian(3_000, d, 11 + d), "gaussian");
            double id = TwoNN.of(p).value();
            assertEquals(d, id, 0.12 * d, "TwoNN on N(0, I_" + d + ")");
        }
    }

    @Test
    void twoNNIgnoresAmbientDimensionOfALowRankSet() {
        PointSet p = PointSet.of(Synthetic.lowRank(3_000, 40, 3, 5), "rank3");
        assertEquals(3, TwoNN.of(p).value(), 0.4);
    }

    @Test
    void randomWalkStepsAreUncorrelatedAndNoiseStepsHaveCosineMinusOneHalf() {
        int trajectories = 20;
        int length = 100;
        float[][] walk = new float[trajectories * length][];
        float[][] noise = Synthetic.gaussian(trajectories * length, 256, 3);
        for (int k = 0; k < trajectories; k++) {
            float[][] w = Synthetic.randomWalk(length, 256, 100 + k);
            System.arraycopy(w, 0, walk, k * length, length);
        }
        PointSet pw = PointSet.of(walk, "walk").withTrajectories(offsets(trajectories, length), "offsets");
        PointSet pn = PointSet.of(noise, "noise").withTrajectories(offsets(trajectories, length), "offsets");
        assertEquals(0, StepCosine.of(pw).value(), 0.02);
        // Steps x1 − x0 and x2 − x1 of iid points: covariance −σ², variances 2σ², so cos → −1/2.
        assertEquals(-0.5, StepCosine.of(pn).value(), 0.02);
    }

    @Test
    void wellSeparatedBlobsHaveSilhouetteNearOne() {
        long[] labels = new long[600];
        float[][] x = Synthetic.blobs(600, 8, 4, 9, labels);
        double s = Silhouette.of(PointSet.of(x, "blobs").withLabels(labels, "labels")).value();
        assertTrue(s > 0.95 && s <= 1, "silhouette " + s);
    }

    @Test
    void silhouetteNeedsTwoToNMinusOneLabels() {
        float[][] x = Synthetic.gaussian(5, 2, 1);
        MetricValue one = Silhouette.of(PointSet.of(x, "x").withLabels(new long[5], "labels"));
        assertFalse(one.present());
        assertTrue(one.reason().contains("got 1"));
        MetricValue all = Silhouette.of(PointSet.of(x, "x").withLabels(new long[] {0, 1, 2, 3, 4}, "labels"));
        assertFalse(all.present());
        assertFalse(Silhouette.of(PointSet.of(x, "x")).present());
    }

    @Test
    void parallelTrajectoriesAreFullyAlignedAndOpposedPairsCancel() {
        float[][] x = {{0, 0}, {1, 1}, {2, 2}, {5, 0}, {6, 1}, {5, 5}, {4, 4}};
        PointSet p = PointSet.of(x, "x").withTrajectories(new long[] {0, 3, 5}, "t");
        // Displacements (2,2), (1,1), (−1,−1): cosines 1, −1, −1 → mean −1/3.
        assertEquals(-1.0 / 3, TrajectoryAlignment.of(p).value(), 1e-12);
        float[][] parallel = {{0, 0}, {1, 1}, {2, 2}, {5, 0}, {6, 3}, {8, 3}};
        PointSet same = PointSet.of(parallel, "x").withTrajectories(new long[] {0, 3}, "t");
        assertEquals(1, TrajectoryAlignment.of(same).value(), 1e-12);
    }

    @Test
    void straightConstantVelocityTrajectoriesAreUntangledAndReversalsAreTangled() {
        // Same speed everywhere: every derivative difference is 0, so Q(t) = 0 exactly.
        float[][] line = new float[20][2];
        for (int t = 0; t < 20; t++) {
            line[t][0] = t;
        }
        String[] why = new String[1];
        PointSet straight = PointSet.of(line, "line").withTrajectories(new long[] {0, 10}, "t");
        assertEquals(0, TrajectoryTangling.of(straight, 0.1, why).mean(), 0);
        // Two trajectories through the same states in opposite directions: at a shared state x,
        // ‖ẋ − (−ẋ)‖² / (0 + ε) = 4 / ε with unit steps.
        float[][] both = new float[10][2];
        for (int t = 0; t < 5; t++) {
            both[t][0] = t;
            both[5 + t][0] = 5 - t;
        }
        PointSet opposed = PointSet.of(both, "x").withTrajectories(new long[] {0, 5}, "t");
        TrajectoryTangling.Summary s = TrajectoryTangling.of(opposed, 0.5, why);
        assertEquals(4 / 0.5, s.p90(), 1e-9);
        assertEquals(8, s.times());
        assertNull(TrajectoryTangling.of(opposed, 0.5, 7, why));
        assertTrue(why[0].contains("all 8 times") && why[0].contains("limit of 7"), why[0]);
    }

    @Test
    void identicalRepresentationsHaveCkaOneAndRotationsToo() {
        float[][] x = Synthetic.gaussian(400, 6, 2);
        float[][] rotated = new float[400][6];
        for (int i = 0; i < 400; i++) {
            // A permutation with sign flips is orthogonal; linear CKA is invariant to it (Kornblith et al. 2019, §3).
            for (int j = 0; j < 6; j++) {
                rotated[i][j] = (j % 2 == 0 ? 3 : -3) * x[i][(j + 2) % 6] + 7;
            }
        }
        assertEquals(1, LinearCka.of(PointSet.of(x, "x"), PointSet.of(x, "x")).value(), 1e-9);
        assertEquals(1, LinearCka.of(PointSet.of(x, "x"), PointSet.of(rotated, "r")).value(), 1e-9);
        float[][] independent = Synthetic.gaussian(400, 6, 99);
        assertTrue(LinearCka.of(PointSet.of(x, "x"), PointSet.of(independent, "y")).value() < 0.1);
    }

    @Test
    void noiseTrajectoriesMatchTheirGaussianBaselineButNotTheShuffledOne() {
        int trajectories = 10;
        int length = 30;
        float[][] noise = Synthetic.gaussian(trajectories * length, 32, 21);
        PointSet p = PointSet.of(noise, "noise").withTrajectories(offsets(trajectories, length), "t");
        GeometryAnalysis.Group g = GeometryAnalysis.group("noise", p, GeometryAnalysis.Options.defaults().withNullReplicates(4));
        GeometryAnalysis.Baseline gauss = g.baselines().get(GeometryAnalysis.GAUSSIAN).get("step_cosine");
        assertEquals(-0.5, gauss.mean(), 0.05);
        assertTrue(Math.abs(gauss.z()) < 4, "noise is its own Gaussian null, z = " + gauss.z());
        // Shuffling the steps of iid noise makes a walk whose consecutive steps are nearly independent.
        GeometryAnalysis.Baseline shuffled = g.baselines().get(GeometryAnalysis.SHUFFLED_STEPS).get("step_cosine");
        assertTrue(shuffled.mean() > -0.2, "shuffled-step baseline " + shuffled.mean());
        // Four replicates make weak evidence: z is on the normal scale of a t with 3 degrees of freedom.
        assertTrue(shuffled.z() < -2.5, "noise differs from its shuffled-step null, z = " + shuffled.z());
        assertTrue(shuffled.difference() < -0.3, "effect size " + shuffled.difference());
        // Without labels the silhouette is k-means'; on noise it is what k-means finds in its Gaussian null too.
        assertEquals("kmeans", g.silhouetteSource());
        GeometryAnalysis.Baseline gaussSil = g.baselines().get(GeometryAnalysis.GAUSSIAN).get("silhouette");
        assertEquals(gaussSil.mean(), g.silhouette(), 0.05, "k-means on noise finds no more structure than on its Gaussian null");
        assertNull(g.oscillationCoherence());
        assertTrue(g.reasons().get("oscillation_coherence").contains("hook_attn_out") || g.reasons().get("oscillation_coherence").contains("attention"));
        assertEquals(List.of("participation_ratio", "d90", "d95", "twonn", "alignment", "tangling", "step_cosine", "silhouette",
                "oscillation_coherence"), GeometryAnalysis.metricNames());
    }

    @Test
    void emptyAndTinyPointSetsGiveNullMetricsWithReasonsNotCrashes() {
        for (int n : new int[] {0, 1, 2}) {
            PointSet p = PointSet.of(Synthetic.gaussian(n, 3, 1), "tiny");
            GeometryAnalysis.Group g = GeometryAnalysis.group("tiny", p, GeometryAnalysis.Options.defaults());
            assertEquals(n, g.nPoints());
            assertNull(g.twonn(), "n = " + n);
            assertTrue(g.reasons().get("twonn").contains("at least 3 points"));
            assertTrue(g.reasons().containsKey("step_cosine"));
            if (n < 2) {
                assertNull(g.participationRatio());
                assertTrue(g.reasons().get("participation_ratio").contains("at least 2 points"));
            }
        }
    }

    @Test
    void nullModelsAreDeterministicForASeed() {
        PointSet p = PointSet.of(Synthetic.gaussian(50, 4, 1), "x").withTrajectories(new long[] {0, 25}, "t");
        Covariance c = Covariance.of(p);
        PointSet a = NullModels.gaussian(p, c, 42);
        PointSet b = NullModels.gaussian(p, c, 42);
        PointSet s = NullModels.shuffledSteps(p, 7);
        for (int i = 0; i < 50; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(a.get(i, j), b.get(i, j));
            }
        }
        // Shuffled steps keep each trajectory's start and end.
        for (int j = 0; j < 4; j++) {
            assertEquals(p.get(0, j), s.get(0, j));
            assertEquals(p.get(24, j), s.get(24, j), 1e-4);
            assertEquals(p.get(49, j), s.get(49, j), 1e-4);
        }
    }

    @Test
    void theGaussianNullHasExactlyTheDataMeanAndCovariance() {
        // Anisotropic, correlated, offset data: x = 5 + z A with a fixed mixing A.
        SplittableRandom random = new SplittableRandom(3);
        int n = 300;
        int d = 6;
        float[][] x = new float[n][d];
        float[][] mix = Synthetic.gaussian(d, d, 4);
        for (float[] row : x) {
            double[] z = random.doubles(d).map(u -> u - 0.5).toArray();
            for (int j = 0; j < d; j++) {
                double s = 5;
                for (int k = 0; k < d; k++) {
                    s += z[k] * mix[k][j] * (k + 1);
                }
                row[j] = (float) s;
            }
        }
        PointSet p = PointSet.of(x, "x");
        Covariance c = Covariance.of(p);
        for (long seed : new long[] {1, 2}) {
            Covariance g = Covariance.of(NullModels.gaussian(p, c, seed));
            for (int j = 0; j < d; j++) {
                assertEquals(c.mean[j], g.mean[j], 1e-5 * Math.sqrt(c.trace()));
                for (int k = j; k < d; k++) {
                    assertEquals(c.matrix[j * d + k], g.matrix[j * d + k], 1e-5 * c.trace());
                }
            }
        }
        // Rank-deficient data (fewer points than dimensions): the replicate lies in the same subspace.
        PointSet few = PointSet.of(Synthetic.gaussian(5, 12, 8), "few");
        Covariance cf = Covariance.of(few);
        Covariance gf = Covariance.of(NullModels.gaussian(few, cf, 3));
        for (int j = 0; j < 12 * 12; j++) {
            assertEquals(cf.matrix[j], gf.matrix[j], 1e-4 * cf.trace());
        }
    }
}
