package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shared per-block kernels against a float64 loop over every pair, written here from the
 * definitions. The float32 kernels promise the loop's answer to the last bit (their candidates are
 * measured in the same float64 arithmetic), so tolerance 0; the silhouette's sums come from float64
 * GEMM tiles (Gram form), so 1e-12 relative. The points sit far from the origin with near-duplicates
 * (a float32 ulp apart) and near-ties, where the float32 distances alone order pairs wrongly, and the
 * held rows and block rows each span more than one tile.
 */
class NeighbourTilesTest {
    private static final int D = 24;

    /** n rows of width D around 300: gaussian, every fifth a near-copy of the previous (one ulp off in one column). */
    private static float[] rows(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * D];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < D; c++) {
                x[i * D + c] = i % 5 == 4 ? x[(i - 1) * D + c] : (float) (300 + r.nextGaussian());
            }
            if (i % 5 == 4) {
                x[i * D + i % D] = Math.nextUp(x[i * D + i % D]);
            }
        }
        return x;
    }

    private static long[] ids(long first, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = first + i;
        }
        return out;
    }

    private static double exact(float[] a, int i, float[] b, int j) {
        double s = 0;
        for (int c = 0; c < D; c++) {
            double v = (double) a[i * D + c] - b[j * D + c];
            s += v * v;
        }
        return s;
    }

    @Test
    void nearestTwoIsTheFloat64LoopOverEveryPairAcrossTilesAndBlocks() {
        float[] all = rows(1500, 1);
        // Held: rows 200 .. 1299 (more than one tile), themselves among the blocks' rows.
        float[] held = Arrays.copyOfRange(all, 200 * D, 1300 * D);
        long[] heldIds = ids(200, 1100);
        for (boolean parallel : new boolean[] {true, false}) {
            NeighbourTiles tiles = NeighbourTiles.float32(held, heldIds, D, parallel);
            double[] r1 = new double[1100];
            double[] r2 = new double[1100];
            Arrays.fill(r1, Double.POSITIVE_INFINITY);
            Arrays.fill(r2, Double.POSITIVE_INFINITY);
            // Blocks of 1,100 and 400 rows: the first spans two column tiles.
            tiles.nearestTwo(Arrays.copyOfRange(all, 0, 1100 * D), ids(0, 1100), 1100, r1, r2);
            tiles.nearestTwo(Arrays.copyOfRange(all, 1100 * D, 1500 * D), ids(1100, 400), 400, r1, r2);
            for (int i = 0; i < 1100; i++) {
                double b1 = Double.POSITIVE_INFINITY;
                double b2 = Double.POSITIVE_INFINITY;
                for (int j = 0; j < 1500; j++) {
                    if (j == 200 + i) {
                        continue;
                    }
                    double e = exact(held, i, all, j);
                    if (e < b1) {
                        b2 = b1;
                        b1 = e;
                    } else if (e < b2) {
                        b2 = e;
                    }
                }
                assertEquals(b1, r1[i], 0.0, "r1² of held row " + i);
                assertEquals(b2, r2[i], 0.0, "r2² of held row " + i);
            }
        }
    }

    @Test
    void highestRatiosAreTheFloat64LoopOverEveryPair() {
        float[] states = rows(600, 2);
        float[] steps = rows(600, 3);
        for (int i = 0; i < steps.length; i++) {
            steps[i] -= 300; // steps are small beside the states
        }
        int[] picked = {0, 5, 9, 10, 77, 300, 301, 599};
        float[] hs = new float[picked.length * D];
        float[] hv = new float[picked.length * D];
        long[] hid = new long[picked.length];
        for (int p = 0; p < picked.length; p++) {
            System.arraycopy(states, picked[p] * D, hs, p * D, D);
            System.arraycopy(steps, picked[p] * D, hv, p * D, D);
            hid[p] = picked[p];
        }
        double eps = 0.05;
        NeighbourTiles st = NeighbourTiles.float32(hs, hid, D, false);
        NeighbourTiles sv = NeighbourTiles.float32(hv, hid, D, false);
        double[] q = new double[picked.length];
        NeighbourTiles.highestRatios(st, sv, states, steps, ids(0, 600), 600, eps, q);
        for (int p = 0; p < picked.length; p++) {
            double top = 0;
            for (int j = 0; j < 600; j++) {
                if (j != picked[p]) {
                    top = Math.max(top, exact(hv, p, steps, j) / (exact(hs, p, states, j) + eps));
                }
            }
            assertEquals(top, q[p], 0.0, "Q of time " + picked[p]);
        }
    }

    @Test
    void nearestCentreAndCappedDistancesAreTheFloat64LoopWithTheFirstCentreWinningTies() {
        float[] x = rows(700, 4);
        // Five centres: rows of the set, the fourth a copy of the second (every tie goes to the second).
        int[] from = {3, 4, 250, 4, 600};
        float[] centres = new float[from.length * D];
        for (int c = 0; c < from.length; c++) {
            System.arraycopy(x, from[c] * D, centres, c * D, D);
        }
        NeighbourTiles tiles = NeighbourTiles.float32(centres, null, D, false);
        int[] label = new int[700];
        double[] dist = new double[700];
        tiles.nearest(x, 700, label, dist);
        double[] cap = new double[700];
        for (int j = 0; j < 700; j++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int c = 0; c < from.length; c++) {
                double e = exact(centres, c, x, j);
                if (e < bestD) {
                    bestD = e;
                    best = c;
                }
            }
            assertEquals(best, label[j], "nearest centre of row " + j);
            assertEquals(bestD, dist[j], 0.0, "its distance");
            assertTrue(label[j] != 3);
            cap[j] = 0.5 * bestD + 1e-3 * j; // below and above the candidates' distances
        }
        double[][] capped = tiles.capped(x, 700, cap);
        for (int c = 0; c < from.length; c++) {
            for (int j = 0; j < 700; j++) {
                assertEquals(Math.min(cap[j], exact(centres, c, x, j)), capped[c][j], 0.0, "centre " + c + ", row " + j);
            }
        }
    }

    @Test
    void distanceSumsAreTheFloat64LoopWithin1e12() {
        float[] all = rows(900, 5);
        int[] picked = {1, 2, 40, 41, 500, 899};
        float[] held = new float[picked.length * D];
        for (int p = 0; p < picked.length; p++) {
            System.arraycopy(all, picked[p] * D, held, p * D, D);
        }
        int[][] codes = new int[2][900];
        for (int j = 0; j < 900; j++) {
            codes[0][j] = j % 3;
            codes[1][j] = (j * 7) % 5;
        }
        int[] ks = {3, 5};
        double[][] sums = {new double[picked.length * 3], new double[picked.length * 5]};
        NeighbourTiles tiles = NeighbourTiles.float64(held, Arrays.stream(picked).asLongStream().toArray(), D, false);
        tiles.distanceSums(Arrays.copyOfRange(all, 0, 450 * D), ids(0, 450), 450, codes, ks, sums);
        tiles.distanceSums(Arrays.copyOfRange(all, 450 * D, 900 * D), ids(450, 450), 450, codes, ks, sums);
        for (int l = 0; l < 2; l++) {
            double[] expected = new double[picked.length * ks[l]];
            for (int p = 0; p < picked.length; p++) {
                for (int j = 0; j < 900; j++) {
                    if (j != picked[p]) {
                        expected[p * ks[l] + codes[l][j]] += Math.sqrt(exact(held, p, all, j));
                    }
                }
            }
            for (int e = 0; e < expected.length; e++) {
                assertEquals(expected[e], sums[l][e], 1e-12 * expected[e], "labeling " + l + ", sum " + e);
            }
        }
    }

    @Test
    void theFloat32TilesAloneWouldNotGiveTheseAnswers() {
        // What makes the tests above able to fail: centred at 300 from the origin, a float32 tile's squared
        // distance of near-copies (one ulp apart) is rounding noise, so a kernel that kept the tile's values
        // would neither give these bits nor order near-ties rightly.
        float[] x = rows(10, 6);
        SampleDistances tile = new SampleDistances(x, 10, D, true, false);
        tile.load(x, 0, 10);
        double[] d2 = tile.tile(0, 10);
        double e = exact(x, 3, x, 4);
        assertTrue(e > 0);
        assertTrue(Math.abs(d2[3 * 10 + 4] - e) > e, "float32 tile " + d2[3 * 10 + 4] + " vs exact " + e);
    }
}
