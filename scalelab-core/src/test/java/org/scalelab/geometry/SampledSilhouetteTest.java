package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The silhouette over points read in blocks: the in-memory estimate below the exact size; above it,
 * the in-memory engine's own sampled estimate (same seed, same points; float64 distances on both
 * sides, so to 1e-9), whatever the block size, and an interval that covers the exact silhouette at
 * about its nominal rate.
 */
class SampledSilhouetteTest {
    /** k overlapping gaussian blobs (centres 2.5 apart in 5 dimensions, unit spread, far from 0), labelled i % k. */
    static PointSet blobs(int n, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][5];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % k;
            for (int j = 0; j < 5; j++) {
                x[i][j] = (float) (50 + r.nextGaussian() + (j == labels[i] % 5 ? 2.5 : 0));
            }
        }
        return PointSet.of(x, "blobs-" + seed).withLabels(labels, "labels");
    }

    @Test
    void belowTheExactSizeItIsTheInMemoryEstimate() {
        PointSet p = blobs(240, 3, 1);
        String[] why = new String[1];
        Silhouette.Estimate want = Silhouette.estimate(p, new int[][] {p.labels()}, DistancePrecision.AUTO, Integer.MAX_VALUE, 0, 0L, why)[0];
        Silhouette.Estimate got = SampledSilhouette.estimate(new CountingBlocks(p), DistancePrecision.AUTO, 240, 40, 0L, 17, why);
        assertTrue(got.exact());
        assertEquals(want.value(), got.value(), 0.0);
        assertArrayEquals(want.scores(), got.scores(), 0.0);
    }

    @Test
    void sampledEstimateIsTheInMemorySampledEstimateForAnyBlockSize() {
        PointSet p = blobs(700, 4, 2);
        int[] other = new int[700];
        for (int i = 0; i < 700; i++) {
            other[i] = 10 + i % 2; // a second labeling sharing the pass
        }
        int[][] labelings = {p.labels(), other};
        String[] why = new String[1];
        Silhouette.Estimate[] want = Silhouette.estimate(p, labelings, DistancePrecision.FLOAT64, 100, 90, 5L, why);
        for (int blockRows : new int[] {1, 9, 256, 10_000}) {
            CountingBlocks blocks = new CountingBlocks(p);
            Silhouette.Estimate[] got = SampledSilhouette.estimate(blocks, labelings, DistancePrecision.AUTO, 100, 90, 5L, blockRows, why);
            assertEquals(2, blocks.passes, "one pass to copy the sample, one to compare");
            for (int l = 0; l < 2; l++) {
                assertFalse(got[l].exact());
                assertArrayEquals(want[l].sampled(), got[l].sampled());
                assertArrayEquals(want[l].scores(), got[l].scores(), 1e-9);
                assertEquals(want[l].value(), got[l].value(), 1e-9);
                assertEquals(want[l].ciLow(), got[l].ciLow(), 1e-9);
                assertEquals(want[l].ciHigh(), got[l].ciHigh(), 1e-9);
            }
        }
    }

    @Test
    void clusterSelectionOverBlocksIsTheInMemoryOne() {
        PointSet p = PointSet.of(Synthetic.gaussian(700, 4, 6), "cloud");
        long[] l = new long[700];
        PointSet blobs = PointSet.of(Synthetic.blobs(700, 4, 3, 6, l), "blobs");
        for (PointSet q : new PointSet[] {p, blobs}) {
            for (int exactMax : new int[] {1000, 100}) {
                ClusterSelection.Options o = new ClusterSelection.Options(2, 4, exactMax, 90, DistancePrecision.FLOAT64, 3L);
                String[] why = new String[1];
                ClusterSelection want = ClusterSelection.of(q, o, why);
                ClusterSelection got = ClusterSelection.of(new CountingBlocks(q), o, 77, why);
                assertEquals(want.k(), got.k());
                assertArrayEquals(want.labels(), got.labels());
                assertEquals(exactMax >= 700, got.silhouette().exact());
                for (int k = 2; k <= 4; k++) {
                    assertEquals(want.byK().get(k), got.byK().get(k), 1e-9, "k = " + k);
                }
                assertEquals(want.silhouette().ciLow() == null ? 0 : want.silhouette().ciLow(),
                        got.silhouette().ciLow() == null ? 0 : got.silhouette().ciLow(), 1e-9);
            }
        }
    }

    @Test
    void badLabelingsAreRefusedAsInMemory() {
        PointSet p = blobs(300, 3, 3);
        String[] why = new String[1];
        assertNull(SampledSilhouette.estimate(new CountingBlocks(p), new int[][] {new int[300]}, DistancePrecision.AUTO, 100, 50, 0L, 64, why));
        assertEquals("silhouette needs between 2 and n − 1 = 299 distinct labels, got 1", why[0]);
        PointSet unlabelled = PointSet.of(Synthetic.gaussian(300, 3, 1), "plain");
        assertNull(SampledSilhouette.estimate(new CountingBlocks(unlabelled), DistancePrecision.AUTO, 100, 50, 0L, 64, why));
        assertEquals("no labels given (--labels FILE.npy)", why[0]);
    }

    /**
     * Over 100 seeds (new blobs of 400 points, a new sample of 80 each), the 95 % interval contains the
     * exact silhouette at least 85 times (were the true rate 95 %, 85 or fewer has binomial probability
     * 1.3e-4; seeds fixed, so deterministic), and its standard error matches the estimates' spread
     * around the exact value (rms error within 0.6–1.5 of the mean se).
     */
    @Test
    void intervalsCoverTheExactSilhouetteAtAboutTheirNominalRate() {
        int covered = 0;
        double squaredErrors = 0;
        double ses = 0;
        int seeds = 100;
        String[] why = new String[1];
        for (long seed = 0; seed < seeds; seed++) {
            PointSet p = blobs(400, 3, 500 + seed);
            double exact = Silhouette.of(p, DistancePrecision.FLOAT64).value();
            Silhouette.Estimate e = SampledSilhouette.estimate(new CountingBlocks(p), DistancePrecision.AUTO, 100, 80, seed, 128, why);
            if (e.ciLow() <= exact && exact <= e.ciHigh()) {
                covered++;
            }
            squaredErrors += (e.value() - exact) * (e.value() - exact);
            ses += (e.ciHigh() - e.ciLow()) / (2 * 1.959964);
        }
        double rmsOverSe = Math.sqrt(squaredErrors / seeds) / (ses / seeds);
        assertTrue(covered >= 85, covered + " of " + seeds + " intervals cover the exact value");
        assertTrue(rmsOverSe > 0.6 && rmsOverSe < 1.5, "rms error / mean se = " + rmsOverSe);
    }
}
