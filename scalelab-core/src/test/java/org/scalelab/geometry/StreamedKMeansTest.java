package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * k-means over points read in blocks is the in-memory fit: same seeding, same Lloyd steps in the same
 * chunks, so the same labels, centroids, inertia and iterations to the last bit, for any block size —
 * including sets of several chunks whose chunk boundaries fall inside blocks.
 */
class StreamedKMeansTest {
    @Test
    void sameFitAsInMemoryForAnyBlockSize() {
        long[] labels = new long[5000];
        PointSet p = PointSet.of(Synthetic.blobs(5000, 6, 5, 3, labels), "blobs");
        for (int k : new int[] {1, 3, 5}) {
            KMeans.Options o = new KMeans.Options(300, 1e-4, 2);
            KMeans.Fit want = KMeans.fit(p, k, 7L + k, o);
            for (int blockRows : new int[] {1, 333, 2048, 100_000}) {
                CountingBlocks blocks = new CountingBlocks(p);
                KMeans.Fit got = StreamedKMeans.fit(blocks, k, 7L + k, o, blockRows);
                String what = "k = " + k + ", blocks of " + blockRows;
                assertArrayEquals(want.labels(), got.labels(), what);
                assertEquals(want.inertia(), got.inertia(), 0.0, what);
                assertArrayEquals(want.centroids(), got.centroids(), 0f, what);
                assertEquals(want.iterations(), got.iterations(), what);
                assertEquals(want.converged(), got.converged(), what);
                assertTrue(blocks.largestBlock <= blockRows);
            }
        }
    }

    @Test
    void overlappingCloudsThatTakeManyStepsGiveTheSameFit() {
        PointSet p = PointSet.of(Synthetic.gaussian(4500, 4, 11), "gaussian");
        KMeans.Options o = new KMeans.Options(25, 1e-6, 1);
        KMeans.Fit want = KMeans.fit(p, 6, 1L, o);
        CountingBlocks blocks = new CountingBlocks(p);
        KMeans.Fit got = StreamedKMeans.fit(blocks, 6, 1L, o, 1000);
        assertTrue(want.iterations() > 3, "a fit of several steps: " + want.iterations());
        assertArrayEquals(want.labels(), got.labels());
        assertEquals(want.inertia(), got.inertia(), 0.0);
        // 2 passes for mean and norms; to seed, 2 for the first centre (fetch, distances) and 3 for each
        // other (fetch, bound the candidates' potentials, measure the ones left); one per step, at most 2 more
        // (assignment, inertia).
        assertTrue(blocks.passes <= 2 + 2 + 3 * 5 + want.iterations() + 2, blocks.passes + " passes");
    }

    @Test
    void fitsSharingTheirReadsAreEachTheInMemoryFit() {
        long[] labels = new long[4500];
        PointSet p = PointSet.of(Synthetic.blobs(4500, 5, 4, 21, labels), "blobs");
        int[] ks = {2, 3, 4, 6};
        long[] seeds = {5, 6, 7, 8};
        KMeans.Options o = new KMeans.Options(300, 1e-4, 2);
        int longest = 0;
        KMeans.Fit[] want = new KMeans.Fit[ks.length];
        for (int f = 0; f < ks.length; f++) {
            want[f] = KMeans.fit(p, ks[f], seeds[f], o);
            CountingBlocks alone = new CountingBlocks(p);
            StreamedKMeans.fit(alone, ks[f], seeds[f], o, 500);
            longest = Math.max(longest, alone.passes);
        }
        CountingBlocks blocks = new CountingBlocks(p);
        KMeans.Fit[] got = StreamedKMeans.fitAll(blocks, ks, seeds, o, 500);
        for (int f = 0; f < ks.length; f++) {
            assertArrayEquals(want[f].labels(), got[f].labels(), "k = " + ks[f]);
            assertEquals(want[f].inertia(), got[f].inertia(), 0.0, "k = " + ks[f]);
            assertArrayEquals(want[f].centroids(), got[f].centroids(), 0f, "k = " + ks[f]);
        }
        assertTrue(blocks.passes <= longest, blocks.passes + " shared reads, the longest fit alone takes " + longest);
    }

    @Test
    void kOutsideOneToNIsRefused() {
        PointSet p = PointSet.of(Synthetic.gaussian(10, 2, 1), "small");
        assertThrows(IllegalArgumentException.class, () -> StreamedKMeans.fit(new CountingBlocks(p), 11, 0L, KMeans.Options.defaults(), 4));
    }
}
