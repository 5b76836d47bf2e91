package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** k-means, the silhouette choice of k and the sampled silhouette on data whose clusters are known. */
class ClusteringTest {

    /** Σ‖x − mean of its true cluster‖² in double: the optimal inertia of well-separated blobs. */
    private static double trueInertia(float[][] x, long[] labels, int k) {
        int d = x[0].length;
        double[][] mean = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < x.length; i++) {
            count[(int) labels[i]]++;
            for (int j = 0; j < d; j++) {
                mean[(int) labels[i]][j] += x[i][j];
            }
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                double diff = x[i][j] - mean[(int) labels[i]][j] / count[(int) labels[i]];
                s += diff * diff;
            }
        }
        return s;
    }

    @Test
    void kMeansRecoversWellSeparatedBlobsAndTheirInertia() {
        long[] truth = new long[900];
        float[][] x = Synthetic.blobs(900, 12, 4, 3, truth);
        KMeans.Fit fit = KMeans.fit(PointSet.of(x, "blobs"), 4, 1);
        assertTrue(fit.converged());
        // Same partition up to renaming: each found cluster maps to exactly one true cluster.
        Map<Integer, Long> map = new HashMap<>();
        for (int i = 0; i < x.length; i++) {
            Long before = map.putIfAbsent(fit.labels()[i], truth[i]);
            assertTrue(before == null || before == truth[i], "point " + i + " split from its blob");
        }
        assertEquals(4, map.size());
        assertEquals(trueInertia(x, truth, 4), fit.inertia(), 1e-6 * fit.inertia());
    }

    @Test
    void kMeansIsSeededAndKeepsDigitsFarFromTheOrigin() {
        long[] truth = new long[600];
        float[][] x = Synthetic.blobs(600, 8, 3, 9, truth);
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] += 5_000f; // a large common offset, as in residual streams
            }
        }
        PointSet p = PointSet.of(x, "offset blobs");
        KMeans.Fit a = KMeans.fit(p, 3, 7);
        KMeans.Fit b = KMeans.fit(p, 3, 7);
        assertArrayEquals(a.labels(), b.labels());
        assertEquals(trueInertia(x, truth, 3), a.inertia(), 1e-4 * a.inertia());
    }

    @Test
    void silhouetteChoosesTheTrueNumberOfBlobs() {
        long[] truth = new long[600];
        float[][] x = Synthetic.blobs(600, 10, 3, 5, truth);
        String[] why = new String[1];
        ClusterSelection s = ClusterSelection.of(PointSet.of(x, "blobs"), ClusterSelection.Options.defaults(), why);
        assertNotNull(s, why[0]);
        assertEquals(3, s.k());
        assertTrue(s.silhouette().value() > 0.9, "separated blobs: silhouette near 1, got " + s.silhouette().value());
        assertEquals(7, s.byK().size(), "k = 2..8 tried");
        assertTrue(s.silhouette().exact());
    }

    @Test
    void sampledSilhouetteIntervalCoversTheExactValue() {
        // Overlapping blobs (spread 1, centres 2 apart) give a middling silhouette with real variance.
        long[] truth = new long[3_000];
        float[][] x = Synthetic.gaussian(3_000, 6, 17);
        for (int i = 0; i < x.length; i++) {
            truth[i] = i % 3;
            x[i][(int) truth[i]] += 2f;
        }
        int[] labels = new int[x.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) truth[i];
        }
        PointSet p = PointSet.of(x, "overlap");
        String[] why = new String[1];
        double exact = Silhouette.estimate(p, new int[][] {labels}, DistancePrecision.FLOAT64, 10_000, 500, 1, why)[0].value();
        int covered = 0;
        for (long seed = 0; seed < 20; seed++) {
            Silhouette.Estimate e = Silhouette.estimate(p, new int[][] {labels}, DistancePrecision.FLOAT64, 1_000, 500, seed, why)[0];
            assertFalse(e.exact());
            assertEquals(500, e.scored());
            if (e.ciLow() <= exact && exact <= e.ciHigh()) {
                covered++;
            }
            assertTrue(e.ciHigh() - e.ciLow() < 0.1, "a 500-point interval is narrow");
        }
        assertTrue(covered >= 16, "a 95 % interval covers the exact value in most of 20 samples, covered " + covered);
        assertTrue(exact > 0.1 && exact < 0.6, "overlapping blobs: " + exact);
    }

    @Test
    void coherenceIsMinusOneWhenMlpUpdatesMirrorAttentionAndNearZeroWhenIndependent() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        int layers = 6;
        int t = 40;
        OscillationCoherence.Moments[] mirror = new OscillationCoherence.Moments[10];
        OscillationCoherence.Moments[] independent = new OscillationCoherence.Moments[10];
        for (int k = 0; k < 10; k++) {
            double[][] a = new double[layers][t];
            double[][] m = new double[layers][t];
            double[][] mi = new double[layers][t];
            for (int l = 0; l < layers; l++) {
                for (int i = 0; i < t; i++) {
                    a[l][i] = 5 + r.nextGaussian();
                    m[l][i] = 10 - a[l][i]; // every change of the attention norm is undone by the MLP's
                    mi[l][i] = 5 + r.nextGaussian();
                }
            }
            mirror[k] = OscillationCoherence.trajectory(a, m);
            independent[k] = OscillationCoherence.trajectory(a, mi);
        }
        assertEquals(-1.0, OscillationCoherence.of(mirror).value(), 1e-9);
        assertEquals(0.0, OscillationCoherence.of(independent).value(), 0.06);
        // One layer: changes step to step along the trajectory.
        OscillationCoherence.Moments one = OscillationCoherence.trajectory(new double[][] {{1, 2, 4, 3}}, new double[][] {{1, 3, 7, 5}});
        assertEquals(1.0, one.correlation().value(), 1e-12);
        assertFalse(OscillationCoherence.trajectory(new double[][] {{1, 2}}, new double[][] {{1, 2}}).correlation().present());
    }
    @Test
    void permutedPairingBaselineMatchesTheMonteCarloPermutationDistribution() {
        // Independent check of the closed form: shuffle the MLP changes against the attention changes
        // many times and measure r's spread directly.
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int layers = 4;
        int t = 15;
        double[][] a = new double[layers][t];
        double[][] m = new double[layers][t];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < t; i++) {
                a[l][i] = 3 + r.nextGaussian();
                m[l][i] = 2 + 0.4 * a[l][i] + r.nextGaussian(); // coupled: r clearly above 0
            }
        }
        OscillationCoherence.Moments[] one = {OscillationCoherence.trajectory(a, m)};
        GeometryAnalysis.Baseline b = OscillationCoherence.permutedPairing(one);
        double[] dx = new double[(layers - 1) * t];
        double[] dy = new double[dx.length];
        int n = 0;
        for (int l = 0; l + 1 < layers; l++) {
            for (int i = 0; i < t; i++) {
                dx[n] = a[l + 1][i] - a[l][i];
                dy[n] = m[l + 1][i] - m[l][i];
                n++;
            }
        }
        int reps = 20_000;
        double sum = 0;
        double sum2 = 0;
        for (int k = 0; k < reps; k++) {
            double[] shuffled = dy.clone();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                double tmp = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = tmp;
            }
            double c = new org.hipparchus.stat.correlation.PearsonsCorrelation().correlation(dx, shuffled);
            sum += c;
            sum2 += c * c;
        }
        double mean = sum / reps;
        double sd = Math.sqrt(sum2 / reps - mean * mean);
        assertEquals(0.0, b.mean(), 0.0);
        assertEquals(mean, b.mean(), 0.005, "permutation mean");
        assertEquals(sd, b.sd(), 0.02 * sd, "permutation sd vs 1/sqrt(n-1)");
        double observed = new org.hipparchus.stat.correlation.PearsonsCorrelation().correlation(dx, dy);
        assertEquals(observed / b.sd(), b.z(), 1e-9);
        assertTrue(b.z() > 2, "a planted coupling stands out from the null, z = " + b.z());
    }
}
