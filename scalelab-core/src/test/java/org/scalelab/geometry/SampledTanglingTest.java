package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tangling over points read in blocks: the in-memory summary below the exact size; above it, each
 * sampled time's Q(t) is the in-memory engine's (exact float64 ratios on both sides, so the summary of
 * the sampled times is the same to the last bit), whatever the block size — including blocks that
 * cut a trajectory, whose times straddle two blocks — and the mean's interval covers the exact mean
 * tangling at about its nominal rate.
 */
class SampledTanglingTest {
    /** Random walks of uneven lengths (3 to 12 points), in 6 dimensions, offset from 0. */
    static PointSet walks(int trajectories, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] lengths = new int[trajectories];
        int n = 0;
        for (int k = 0; k < trajectories; k++) {
            lengths[k] = 3 + r.nextInt(10);
            n += lengths[k];
        }
        float[][] x = new float[n][6];
        long[] starts = new long[trajectories];
        int row = 0;
        for (int k = 0; k < trajectories; k++) {
            starts[k] = row;
            double[] at = new double[6];
            for (int c = 0; c < 6; c++) {
                at[c] = 20 + 3 * r.nextGaussian();
            }
            for (int t = 0; t < lengths[k]; t++, row++) {
                for (int c = 0; c < 6; c++) {
                    at[c] += r.nextGaussian();
                    x[row][c] = (float) at[c];
                }
            }
        }
        return PointSet.of(x, "walks-" + seed).withTrajectories(starts, "starts");
    }

    @Test
    void belowTheExactSizeItIsTheInMemorySummary() {
        PointSet p = walks(30, 1);
        String[] reason = new String[1];
        TrajectoryTangling.Summary want = TrajectoryTangling.of(p, null, reason);
        SampledMetric<TrajectoryTangling.Summary> got = SampledTangling.of(new CountingBlocks(p), null, 10_000, 50, 0L,
                DistancePrecision.AUTO, 11, reason);
        assertTrue(got.exact());
        assertEquals(want.mean(), got.result().mean(), 0.0);
        assertEquals(want.p90(), got.result().p90(), 0.0);
        assertArrayEquals(want.perTrajectoryMean(), got.result().perTrajectoryMean(), 0.0);
    }

    @Test
    void epsilonIsTheInMemoryOneToTheLastBit() {
        PointSet p = walks(40, 2);
        for (int blockRows : new int[] {1, 6, 1000}) {
            assertEquals(TrajectoryTangling.totalVariance(p), SampledTangling.totalVariance(new CountingBlocks(p), blockRows), 0.0);
        }
    }

    @Test
    void sampledTimesHaveTheInMemoryTanglingForAnyBlockSize() {
        PointSet p = walks(60, 3);
        double eps = 0.1 * TrajectoryTangling.totalVariance(p);
        double[] all = TrajectoryTangling.exactFromFloat32(p, eps, null);
        int m = all.length;
        int[] owner = new int[m];
        for (int k = 0, t = 0; k < p.trajectoryCount(); k++) {
            for (int r = p.trajectoryStart(k); r + 1 < p.trajectoryEnd(k); r++) {
                owner[t++] = k;
            }
        }
        int[] picked = Silhouette.sample(m, 70, 8L);
        double[] q = new double[picked.length];
        int[] who = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            q[i] = all[picked[i]];
            who[i] = owner[picked[i]];
        }
        TrajectoryTangling.Summary want = TrajectoryTangling.summary(q, who, p.trajectoryCount(), eps);
        SampledMetric<TrajectoryTangling.Summary> first = null;
        for (int blockRows : new int[] {1, 5, 13, 100_000}) {
            CountingBlocks blocks = new CountingBlocks(p);
            String[] reason = new String[1];
            SampledMetric<TrajectoryTangling.Summary> got = SampledTangling.of(blocks, null, 100, 70, 8L, DistancePrecision.AUTO,
                    blockRows, reason);
            assertFalse(got.exact());
            assertEquals(m, got.population());
            assertEquals(4, blocks.passes, "two passes for ε, one to copy the sample, one to compare");
            TrajectoryTangling.Summary s = got.result();
            assertEquals(want.epsilon(), s.epsilon(), 0.0);
            assertEquals(want.mean(), s.mean(), 0.0);
            assertEquals(want.median(), s.median(), 0.0);
            assertEquals(want.p90(), s.p90(), 0.0);
            assertArrayEquals(want.perTrajectoryMean(), s.perTrajectoryMean(), 0.0);
            assertArrayEquals(want.perTrajectoryTimes(), s.perTrajectoryTimes());
            if (first == null) {
                first = got;
            } else {
                assertEquals(first.ciLow(), got.ciLow(), 0.0);
                assertEquals(first.ciHigh(), got.ciHigh(), 0.0);
            }
        }
        SampledMetric<TrajectoryTangling.Summary> again = SampledTangling.of(new CountingBlocks(p), null, 100, 70, 8L,
                DistancePrecision.AUTO, 64, new String[1]);
        SampledMetric<TrajectoryTangling.Summary> otherSeed = SampledTangling.of(new CountingBlocks(p), null, 100, 70, 9L,
                DistancePrecision.AUTO, 64, new String[1]);
        assertEquals(first.result().mean(), again.result().mean(), 0.0);
        assertNotEquals(first.result().mean(), otherSeed.result().mean());
    }

    @Test
    void withoutTrajectoriesThereIsAReason() {
        String[] reason = new String[1];
        assertNull(SampledTangling.of(new CountingBlocks(PointSet.of(Synthetic.gaussian(50, 3, 1), "plain")), null, 10, 5, 0L,
                DistancePrecision.AUTO, 8, reason));
        assertEquals("no trajectories given (--trajectories FILE.npy with start offsets)", reason[0]);
    }

    /**
     * Over 100 seeds (new walks, ~300 times, a new sample of 60 times each), the mean's 95 % interval
     * contains the exact mean tangling at least 85 times (were the true rate 95 %, 85 or fewer has
     * binomial probability 1.3e-4; seeds fixed, so deterministic), and its standard error matches the
     * estimates' spread around the exact mean (rms error within 0.6–1.5 of the mean se).
     */
    @Test
    void intervalsCoverTheExactMeanAtAboutTheirNominalRate() {
        int covered = 0;
        double squaredErrors = 0;
        double ses = 0;
        int seeds = 100;
        for (long seed = 0; seed < seeds; seed++) {
            PointSet p = walks(45, 300 + seed);
            String[] reason = new String[1];
            double exact = TrajectoryTangling.of(p, null, reason).mean();
            SampledMetric<TrajectoryTangling.Summary> m = SampledTangling.of(new CountingBlocks(p), null, 50, 60, seed,
                    DistancePrecision.AUTO, 128, reason);
            double v = m.result().mean();
            if (m.ciLow() <= exact && exact <= m.ciHigh()) {
                covered++;
            }
            squaredErrors += (v - exact) * (v - exact);
            ses += (m.ciHigh() - m.ciLow()) / (2 * 1.959964);
        }
        double rmsOverSe = Math.sqrt(squaredErrors / seeds) / (ses / seeds);
        assertTrue(covered >= 85, covered + " of " + seeds + " intervals cover the exact value");
        assertTrue(rmsOverSe > 0.6 && rmsOverSe < 1.5, "rms error / mean se = " + rmsOverSe);
    }
}
