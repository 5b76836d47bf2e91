package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each null model checked on data drawn from that null: the observed value is then just one more
 * draw, so its z-score must stay within ±2 in at least 90 % of data sets (95 % for a metric of
 * normal shape). Default options (20 replicates, k-means k in 2..8). The fractions are printed;
 * docs/reliability.md records them.
 */
class NullCalibrationTest {
    static final int DATA_SETS = 100;
    static final int TRAJECTORIES = 16;
    static final int LENGTH = 20;
    static final int D = 16;
    static final GeometryAnalysis.Options OPTIONS = GeometryAnalysis.Options.defaults();

    static long[] offsets() {
        long[] o = new long[TRAJECTORIES];
        for (int k = 0; k < TRAJECTORIES; k++) {
            o[k] = (long) k * LENGTH;
        }
        return o;
    }

    /** A fixed anisotropic, correlated mixing: rows z A have covariance AᵀA with variances spread over two decades. */
    static float[][] mixing(long seed) {
        float[][] a = Synthetic.gaussian(D, D, seed);
        for (int k = 0; k < D; k++) {
            for (int j = 0; j < D; j++) {
                a[k][j] *= (float) Math.pow(10, -k / (double) (D - 1));
            }
        }
        return a;
    }

    static double[] mixed(SplittableRandom random, float[][] a) {
        double[] z = new double[D];
        for (int k = 0; k < D; k++) {
            z[k] = random.nextGaussian();
        }
        double[] x = new double[D];
        for (int k = 0; k < D; k++) {
            for (int j = 0; j < D; j++) {
                x[j] += z[k] * a[k][j];
            }
        }
        return x;
    }

    /** i.i.d. Gaussian rows with an anisotropic covariance and an offset mean: the Gaussian null itself. */
    static PointSet gaussianRows(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] a = mixing(seed + 1);
        float[][] x = new float[TRAJECTORIES * LENGTH][];
        for (int i = 0; i < x.length; i++) {
            double[] v = mixed(random, a);
            x[i] = new float[D];
            for (int j = 0; j < D; j++) {
                x[i][j] = (float) (3 + v[j]);
            }
        }
        return PointSet.of(x, "gaussian").withTrajectories(offsets(), "t");
    }

    /** Random walks with i.i.d. anisotropic steps from random starts: their step order carries no information. */
    static PointSet exchangeableWalks(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] a = mixing(seed + 1);
        float[][] x = new float[TRAJECTORIES * LENGTH][D];
        for (int k = 0; k < TRAJECTORIES; k++) {
            double[] pos = mixed(random, a);
            for (int j = 0; j < D; j++) {
                pos[j] *= 5;
            }
            for (int t = 0; t < LENGTH; t++) {
                if (t > 0) {
                    double[] step = mixed(random, a);
                    for (int j = 0; j < D; j++) {
                        pos[j] += step[j];
                    }
                }
                for (int j = 0; j < D; j++) {
                    x[k * LENGTH + t][j] = (float) pos[j];
                }
            }
        }
        return PointSet.of(x, "walks").withTrajectories(offsets(), "t");
    }

    interface Data {
        PointSet draw(long seed);
    }

    /** Fraction of data sets with |z| ≤ 2, per tested metric; untested metrics must carry their reason. */
    static Map<String, Double> withinTwo(String model, Data data) {
        Map<String, Integer> within = new LinkedHashMap<>();
        // Small matrices: one BLAS thread is faster than sharing each product out (and kinder to a busy machine).
        Blas.singleThreaded(() -> {
            for (int s = 0; s < DATA_SETS; s++) {
                Map<String, GeometryAnalysis.Baseline> b = GeometryAnalysis.baselines(data.draw(1000L + s), model, OPTIONS.withSeed(s));
                for (Map.Entry<String, GeometryAnalysis.Baseline> e : b.entrySet()) {
                    GeometryAnalysis.Baseline x = e.getValue();
                    if (x.reason() != null || x.mean() == null && x.z() == null && x.difference() == null) {
                        continue; // untested by construction, or a metric the data cannot have (no trajectories)
                    }
                    assertEquals(OPTIONS.nullReplicates(), x.replicates(), e.getKey());
                    // A z of null (all replicates equal) counts as within only when the value equals them too.
                    boolean ok = x.z() != null ? Math.abs(x.z()) <= 2 : x.difference() != null && x.difference() == 0;
                    within.merge(e.getKey(), ok ? 1 : 0, Integer::sum);
                }
            }
        });
        Map<String, Double> out = new LinkedHashMap<>();
        within.forEach((k, v) -> out.put(k, v / (double) DATA_SETS));
        System.out.println(String.format(Locale.ROOT, "calibration %s null, %d data sets, fraction |z| <= 2: %s", model, DATA_SETS, out));
        return out;
    }

    @Test
    void gaussianNullIsCalibratedOnGaussianData() {
        Map<String, Double> f = withinTwo(GeometryAnalysis.GAUSSIAN, NullCalibrationTest::gaussianRows);
        assertEquals(java.util.List.of("twonn", "alignment", "tangling", "step_cosine", "silhouette"), java.util.List.copyOf(f.keySet()));
        f.forEach((metric, fraction) -> assertTrue(fraction >= 0.9, metric + ": |z| ≤ 2 in only " + fraction));
    }

    @Test
    void gaussianNullIsCalibratedForTheSilhouetteOfGivenLabels() {
        // Labels on the rows (three groups, unrelated to the points), no trajectories: the silhouette of given labels.
        Map<String, Double> f = withinTwo(GeometryAnalysis.GAUSSIAN, seed -> {
            PointSet g = gaussianRows(seed);
            long[] labels = new long[g.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 3;
            }
            return PointSet.of(g.buffer(), g.size(), g.dimension(), "gaussian").withLabels(labels, "l");
        });
        assertEquals(java.util.List.of("twonn", "silhouette"), java.util.List.copyOf(f.keySet()));
        f.forEach((metric, fraction) -> assertTrue(fraction >= 0.9, metric + ": |z| ≤ 2 in only " + fraction));
    }

    @Test
    void shuffledStepsNullIsCalibratedOnWalksWithExchangeableSteps() {
        Map<String, Double> f = withinTwo(GeometryAnalysis.SHUFFLED_STEPS, NullCalibrationTest::exchangeableWalks);
        assertEquals(java.util.List.of("participation_ratio", "d90", "d95", "twonn", "tangling", "step_cosine", "silhouette"),
                java.util.List.copyOf(f.keySet()));
        f.forEach((metric, fraction) -> assertTrue(fraction >= 0.9, metric + ": |z| ≤ 2 in only " + fraction));
    }

    @Test
    void permutedPairingNullIsCalibratedOnUncoupledUpdates() {
        // Null: attention and MLP update sizes independent, each position one exchangeable (Δa, Δm) pair
        // (two layers); skewed sizes, as norms are.
        int within = 0;
        SplittableRandom random = new SplittableRandom(5);
        for (int s = 0; s < DATA_SETS; s++) {
            OscillationCoherence.Moments[] perTrajectory = new OscillationCoherence.Moments[TRAJECTORIES];
            for (int k = 0; k < TRAJECTORIES; k++) {
                double[][] a = new double[2][LENGTH];
                double[][] m = new double[2][LENGTH];
                for (int l = 0; l < 2; l++) {
                    for (int t = 0; t < LENGTH; t++) {
                        a[l][t] = Math.exp(random.nextGaussian());
                        m[l][t] = 1 + Math.exp(0.5 * random.nextGaussian());
                    }
                }
                perTrajectory[k] = OscillationCoherence.trajectory(a, m);
            }
            GeometryAnalysis.Baseline b = OscillationCoherence.permutedPairing(perTrajectory);
            within += Math.abs(b.z()) <= 2 ? 1 : 0;
        }
        System.out.println("calibration permuted_pairing null, " + DATA_SETS + " data sets, fraction |z| <= 2: " + within / (double) DATA_SETS);
        assertTrue(within >= 90, "oscillation coherence: |z| ≤ 2 in only " + within + " of " + DATA_SETS);
    }

    @Test
    void iidGaussianDataIsNotSignificantAgainstTheGaussianNull() {
        // i.i.d. Gaussian rows at a moderate size (d/n = 0.08). A null drawn from N(sample mean, sample
        // covariance), with k chosen on the data only, gives z = 14.7 for the participation ratio, −3.7 for
        // the silhouette and −2.6 for tangling here, even with 20 replicates: sampling noise counted twice.
        PointSet p = PointSet.of(Synthetic.gaussian(600, 48, 77), "noise").withTrajectories(offsetsOf(15, 40), "t");
        GeometryAnalysis.Group g = GeometryAnalysis.group("noise", p, OPTIONS.withKRange(2, 4));
        Map<String, GeometryAnalysis.Baseline> gaussian = g.baselines().get(GeometryAnalysis.GAUSSIAN);
        for (Map.Entry<String, GeometryAnalysis.Baseline> e : gaussian.entrySet()) {
            Double z = e.getValue().z();
            assertTrue(z == null || Math.abs(z) < 3.5, e.getKey() + ": pure noise looks significant, z = " + z);
        }
        assertNull(gaussian.get("participation_ratio").z());
        assertTrue(gaussian.get("participation_ratio").reason().contains("covariance"));
        assertNotNull(gaussian.get("tangling").z());
        assertEquals(OPTIONS.nullReplicates(), gaussian.get("silhouette").replicates());
    }

    static long[] offsetsOf(int trajectories, int length) {
        long[] o = new long[trajectories];
        for (int k = 0; k < trajectories; k++) {
            o[k] = (long) k * length;
        }
        return o;
    }

    @Test
    void realStructureStillStandsOutFromItsNull() {
        // Three well-separated clusters: far more silhouette than a Gaussian with the same covariance gives.
        long[] labels = new long[180];
        PointSet blobs = PointSet.of(Synthetic.blobs(180, 8, 3, 9, labels), "blobs").withTrajectories(offsetsOf(12, 15), "t");
        GeometryAnalysis.Baseline sil = GeometryAnalysis.baselines(blobs, GeometryAnalysis.GAUSSIAN, OPTIONS).get("silhouette");
        assertTrue(sil.z() > 5, "clusters vs Gaussian null, z = " + sil.z());
        assertEquals(2.0 / 21, sil.p(), 1e-12, "the observed value lies beyond every replicate");
        assertTrue(sil.difference() > 0.3 && sil.ratio() > 2, sil.toString());
        // Walks whose steps keep their direction (AR(1) steps, coefficient 0.8): consecutive steps are
        // far more alike than in the same steps shuffled.
        SplittableRandom random = new SplittableRandom(11);
        float[][] x = new float[180][8];
        for (int k = 0; k < 12; k++) {
            double[] step = new double[8];
            double[] pos = new double[8];
            for (int t = 0; t < 15; t++) {
                for (int j = 0; j < 8; j++) {
                    step[j] = 0.8 * step[j] + random.nextGaussian();
                    pos[j] += t == 0 ? 0 : step[j];
                    x[k * 15 + t][j] = (float) pos[j];
                }
            }
        }
        PointSet walks = PointSet.of(x, "momentum").withTrajectories(offsetsOf(12, 15), "t");
        GeometryAnalysis.Baseline cos = GeometryAnalysis.baselines(walks, GeometryAnalysis.SHUFFLED_STEPS, OPTIONS).get("step_cosine");
        assertTrue(cos.z() > 5, "momentum vs shuffled steps, z = " + cos.z());
        assertTrue(cos.difference() > 0.2, cos.toString());
    }
}
