package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Phase verdicts on synthetic "models" built to be in each phase: the verdict must follow the
 * construction, and each construction is checked to fail the other phases' criteria.
 */
class PhaseVerdictTest {
    static final int D = 16;

    /** Trajectories x_{t+1} = x_t + drift·u + σ·noise, starting at a random point of spread {@code start}. */
    static PointSet walks(int trajectories, int length, double drift, double sigma, double start, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[trajectories * length][D];
        long[] offsets = new long[trajectories];
        for (int k = 0; k < trajectories; k++) {
            offsets[k] = (long) k * length;
            double[] pos = new double[D];
            for (int j = 0; j < D; j++) {
                pos[j] = start * r.nextGaussian();
            }
            for (int t = 0; t < length; t++) {
                for (int j = 0; j < D; j++) {
                    x[k * length + t][j] = (float) pos[j];
                    pos[j] += (j == 0 ? drift : 0) + sigma * r.nextGaussian();
                }
            }
        }
        return PointSet.of(x, "walks").withTrajectories(offsets, "offsets");
    }

    /** Each trajectory jitters around one of 4 centres (trajectory k around centre k % 4), centres {@code sep} apart. */
    static PointSet clustered(int trajectories, int length, double sep, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[trajectories * length][D];
        long[] offsets = new long[trajectories];
        for (int k = 0; k < trajectories; k++) {
            offsets[k] = (long) k * length;
            for (int t = 0; t < length; t++) {
                for (int j = 0; j < D; j++) {
                    x[k * length + t][j] = (float) (r.nextGaussian() + (j == k % 4 ? sep : 0));
                }
            }
        }
        return PointSet.of(x, "clustered").withTrajectories(offsets, "offsets");
    }

    static ActivationGroups.Input input(String model, long params, String domain, PointSet p) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < p.trajectoryCount(); k++) {
            ids.add("p" + k);
        }
        return new ActivationGroups.Input("model=" + model + ", domain=" + domain, model, params, domain, null, "h", p, ids, null, "none");
    }

    static final GeometryAnalysis.Options OPTIONS = GeometryAnalysis.Options.defaults().withNullReplicates(0).withBootstrap(60).withKRange(2, 5);

    static PhaseVerdict.Comparison compare(PointSet small, PointSet large) {
        GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(
                List.of(input("big", 2_000, "law", large), input("small", 1_000, "law", small)), List.of(), true), OPTIONS);
        assertEquals(1, r.comparisons().size());
        PhaseVerdict.Comparison c = r.comparisons().get(0);
        assertEquals("small", c.from(), "sizes are ordered by parameter count");
        assertEquals("big", c.to());
        assertEquals("law", c.domain());
        return c;
    }

    @Test
    void aDiffuseWalkBecomingADirectedFlowIsCrystallization() {
        PointSet small = walks(40, 20, 0, 1, 1, 1);   // isotropic random walks: high PR, no alignment, tangled
        PointSet large = walks(40, 20, 1, 0.3, 1, 2); // a common drift with small noise: low PR, aligned, untangled
        PhaseVerdict.Comparison c = compare(small, large);
        assertEquals("crystallization", c.phase(), c.reason() + " " + c.changes());
        assertEquals("fell", c.changes().get("participation_ratio").status());
        assertEquals("rose", c.changes().get("alignment").status());
        assertEquals("fell", c.changes().get("tangling").status());
        assertTrue(c.changes().get("alignment").ci()[0] > 0);
    }

    @Test
    void noiseBecomingSeparatedStrategyClustersIsALattice() {
        PointSet small = clustered(40, 15, 0, 3); // no cluster structure
        PointSet large = clustered(40, 15, 8, 4); // four well-separated clusters
        PhaseVerdict.Comparison c = compare(small, large);
        assertEquals("lattice", c.phase(), c.reason() + " " + c.changes());
        assertEquals("rose", c.changes().get("silhouette").status());
        assertTrue(!"rose".equals(c.changes().get("alignment").status()), "no crystallization: alignment did not rise");
    }

    @Test
    void twoSamplesOfTheSameProcessAreLiquid() {
        PointSet small = walks(120, 20, 0, 1, 3, 5);
        PointSet large = walks(120, 20, 0, 1, 3, 6);
        PhaseVerdict.Comparison c = compare(small, large);
        assertEquals("liquid", c.phase(), c.reason() + " " + c.changes());
        for (String m : PhaseVerdict.CRITERIA) {
            assertEquals("stable", c.changes().get(m).status(), m);
        }
    }

    @Test
    void threeTrajectoriesCannotDecideAndTheVerdictSaysSo() {
        PointSet small = walks(3, 10, 0, 1, 1, 7);
        PointSet large = walks(3, 10, 0.5, 1, 1, 8);
        PhaseVerdict.Comparison c = compare(small, large);
        assertEquals("inconclusive", c.phase(), c.reason());
        assertTrue(c.reason().contains("uncertain"), c.reason());
    }

    @Test
    void withoutBootstrapEveryComparisonIsInconclusiveWithTheReason() {
        GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(List.of(input("a", 1, "law", walks(20, 10, 0, 1, 1, 1)),
                input("b", 2, "law", walks(20, 10, 1, 0.1, 1, 2))), List.of(), true), OPTIONS.withBootstrap(0));
        PhaseVerdict.Comparison c = r.comparisons().get(0);
        assertEquals("inconclusive", c.phase());
        assertTrue(c.reason().contains("--bootstrap"), c.reason());
    }

    @Test
    void statusNeedsBothAnIntervalExcludingZeroAndAChangeBeyondTheThreshold() {
        assertEquals("rose", PhaseVerdict.status(0.2, new double[] {0.1, 0.3}, 0.05));
        assertEquals("uncertain", PhaseVerdict.status(0.04, new double[] {0.01, 0.07}, 0.05), "significant, below the threshold, interval not inside it");
        assertEquals("stable", PhaseVerdict.status(0.02, new double[] {0.01, 0.03}, 0.05));
        assertEquals("fell", PhaseVerdict.status(-0.2, new double[] {-0.3, -0.1}, 0.05));
        assertEquals("uncertain", PhaseVerdict.status(0.0, new double[] {-0.3, 0.3}, 0.05));
        assertEquals("missing", PhaseVerdict.status(null, null, 0.05));
    }

    @Test
    void bootstrapIntervalsBracketEveryMetricOfAGroup() {
        GeometryAnalysis.Group g = GeometryAnalysis.group("walks", walks(30, 15, 0.5, 1, 1, 9), OPTIONS);
        assertEquals(60, g.bootstrapReplicates());
        for (String m : List.of("participation_ratio", "d90", "d95", "twonn", "alignment", "tangling", "step_cosine", "silhouette")) {
            double[] ci = g.ci().get(m);
            assertNotNull(ci, m);
            assertTrue(ci[0] <= ci[1], m);
        }
        // Per-point quantities are resampled, not recomputed on duplicated points: no downward bias,
        // so the full-data value lies inside its interval (recomputing tangling's max over fewer
        // distinct times, or TwoNN with duplicates, would push the whole interval below it).
        for (String m : List.of("twonn", "tangling", "silhouette", "alignment")) {
            double v = g.metric(m);
            assertTrue(g.ci().get(m)[0] <= v && v <= g.ci().get(m)[1], m + " " + v + " outside " + java.util.Arrays.toString(g.ci().get(m)));
        }
        assertEquals("kmeans", g.silhouetteSource());
        assertNotNull(g.k());
        GeometryAnalysis.Group again = GeometryAnalysis.group("walks", walks(30, 15, 0.5, 1, 1, 9), OPTIONS);
        assertEquals(g.ci().get("participation_ratio")[0], again.ci().get("participation_ratio")[0], 0.0, "seeded");
    }
}
