package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * Cross-checks against numpy / scikit-learn run on the same .npy files (bench/geometry_reference.py):
 * silhouette equal to sklearn.metrics.silhouette_score to 1e-6 with float64 and float32 distances
 * (on exact, cdist, distances where sklearn's own euclidean expansion cancels), PR and d90/d95 equal to numpy's
 * eigvalsh-based values (PR to 1e-6 relative), and the trajectory metrics, TwoNN and CKA equal to
 * direct numpy implementations of their papers' formulas.
 */
class GeometryReferenceTest {
    static final String SCRIPT = "bench/geometry_reference.py";

    @TempDir
    Path dir;

    @BeforeAll
    static void requireSklearn() {
        PythonReference.script(SCRIPT);
        PythonReference.requireModules("numpy", "sklearn");
    }

    JsonNode reference(String... args) throws Exception {
        return Json.mapper().readTree(PythonReference.run(SCRIPT, args));
    }

    static void assertRel(double expected, double actual, double tol, String what) {
        assertEquals(expected, actual, tol * Math.abs(expected), what + ": numpy/sklearn " + expected + " vs ours " + actual);
    }

    /** Anisotropic correlated Gaussian with a large mean: stresses centring and float32 accumulation. */
    static float[][] correlated(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = Synthetic.gaussian(n, d, seed);
        float[][] mix = Synthetic.gaussian(d, d, seed + 7);
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double s = 50 + j;
                for (int k = 0; k < d; k++) {
                    s += x[i][k] * mix[k][j] * Math.pow(0.85, k);
                }
                out[i][j] = (float) (s + 0.01 * r.nextGaussian());
            }
        }
        return out;
    }

    @Test
    void silhouetteEqualsSklearnOnRandomAndClusteredData() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        // Random labels on structureless data (score near 0), and overlapping blobs with uneven sizes
        // and a singleton cluster (sklearn scores it 0); n above one distance block to test the symmetry.
        float[][] random = Synthetic.gaussian(1_500, 24, 3);
        long[] randomLabels = r.longs(1_500, 0, 5).toArray();
        long[] blobLabels = new long[1_300];
        float[][] blobs = Synthetic.gaussian(1_300, 10, 4);
        for (int i = 0; i < blobs.length; i++) {
            blobLabels[i] = i == 7 ? 99 : (i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2) * 10 - 3;
            blobs[i][0] += 2.5f * blobLabels[i] / 10f;
        }
        for (Object[] c : new Object[][] {{random, randomLabels, "random"}, {blobs, blobLabels, "blobs"}}) {
            Path x = NpyTestFiles.floats(dir.resolve(c[2] + ".npy"), (float[][]) c[0]);
            Path l = NpyTestFiles.longs(dir.resolve(c[2] + "_labels.npy"), (long[]) c[1]);
            double ours = Silhouette.of(NpyPoints.load(x, null, l)).value();
            double sklearn = reference(x.toString(), "--labels", l.toString(), "--no-twonn").get("silhouette").asDouble();
            assertEquals(sklearn, ours, 1e-6, c[2] + " silhouette");
            double single = Silhouette.of(NpyPoints.load(x, null, l), DistancePrecision.FLOAT32).value();
            assertEquals(sklearn, single, 1e-6, c[2] + " silhouette, float32 distances");
        }
    }

    /**
     * Clusters of spread σ around centres far apart, far from the origin: the regime where
     * ‖x‖² + ‖y‖² − 2 x·y cancels. sklearn's own euclidean path (float64, uncentred) loses ~1e-5 here,
     * so the reference is sklearn's silhouette on exact distances (scipy cdist, metric="precomputed").
     */
    static float[][] tightClusters(int n, int d, int k, double spread, double separation, double offset, long seed, long[] labelsOut) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = new double[k][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = offset + r.nextGaussian() * separation / Math.sqrt(2.0 * d); // pairwise ≈ separation apart
            }
        }
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(k);
            labelsOut[i] = c;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (centres[c][j] + spread * r.nextGaussian());
            }
        }
        return x;
    }

    @Test
    void float32DistancesKeepTheSilhouetteOfTightClustersFarFromTheOriginTo1e6() throws Exception {
        // Spread 1e-3 (and 1e-2) around centres 100 (and 1) apart, offset 1e3 (and 1e4); a coarser
        // second labeling (clusters merged in pairs) shares the distance pass, which centres on the finer one.
        Object[][] cases = {{1_200, 64, 4, 1e-3, 100.0, 1e3}, {1_100, 128, 5, 1e-3, 1.0, 1e3}, {1_300, 16, 3, 1e-2, 10.0, 1e4}};
        for (Object[] c : cases) {
            int n = (int) c[0];
            long[] fine = new long[n];
            float[][] data = tightClusters(n, (int) c[1], (int) c[2], (double) c[3], (double) c[4], (double) c[5], n, fine);
            long[] coarse = new long[n];
            int[][] labelings = new int[2][n];
            for (int i = 0; i < n; i++) {
                coarse[i] = fine[i] / 2;
                labelings[0][i] = (int) fine[i];
                labelings[1][i] = (int) coarse[i];
            }
            String name = "tight_" + c[1];
            Path x = NpyTestFiles.floats(dir.resolve(name + ".npy"), data);
            Path lf = NpyTestFiles.longs(dir.resolve(name + "_fine.npy"), fine);
            Path lc = NpyTestFiles.longs(dir.resolve(name + "_coarse.npy"), coarse);
            JsonNode ref = reference(x.toString(), "--labels", lf.toString(), lc.toString(), "--no-twonn", "--silhouette-exact");
            PointSet p = NpyPoints.load(x, null, lf);
            String[] why = new String[1];
            for (DistancePrecision precision : DistancePrecision.values()) {
                Silhouette.Estimate[] exact = Silhouette.estimate(p, labelings, precision, Integer.MAX_VALUE, 0, 0L, why);
                for (int l = 0; l < 2; l++) {
                    assertEquals(ref.get("silhouette_exact").get(l).asDouble(), exact[l].value(), 1e-6,
                            name + " labeling " + l + ", " + precision + " distances (sklearn's euclidean path gives "
                                    + ref.get("silhouette_euclidean").get(l).asDouble() + ")");
                }
                // Sampled: every scored point's s(i) against all points, as sklearn's silhouette_samples.
                Silhouette.Estimate[] sampled = Silhouette.estimate(p, labelings, precision, 500, 300, 9L, why);
                for (int l = 0; l < 2; l++) {
                    JsonNode samples = ref.get("silhouette_samples_exact").get(l);
                    for (int s = 0; s < sampled[l].scored(); s++) {
                        assertEquals(samples.get(sampled[l].sampled()[s]).asDouble(), sampled[l].scores()[s], 1e-6,
                                name + " labeling " + l + ", " + precision + " distances, sampled point " + sampled[l].sampled()[s]);
                    }
                }
            }
        }
    }

    @Test
    void kMeansMatchesSklearnFromTheSameInitAndReachesItsBestOfTenInertia() throws Exception {
        // Overlapping anisotropic blobs: Lloyd needs several iterations and restarts matter.
        SplittableRandom r = new SplittableRandom(12);
        int n = 3_000;
        int d = 20;
        float[][] x = Synthetic.gaussian(n, d, 31);
        for (float[] row : x) {
            int c = r.nextInt(6);
            for (int j = 0; j < d; j++) {
                row[j] = row[j] * (1 + 0.1f * j) + (j == c ? 3.5f : 0) + (j == (c + 1) % d ? 2f : 0) + 20;
            }
        }
        Path px = NpyTestFiles.floats(dir.resolve("km.npy"), x);
        PointSet p = NpyPoints.readPoints(px);
        int k = 6;
        // 1. Same initial centres (six points of the data): Lloyd must follow sklearn's Lloyd step for step.
        float[][] init = new float[k][];
        float[] flat = new float[k * d];
        for (int c = 0; c < k; c++) {
            init[c] = x[c * 97];
            System.arraycopy(x[c * 97], 0, flat, c * d, d);
        }
        Path pc = NpyTestFiles.floats(dir.resolve("init.npy"), init);
        JsonNode same = reference(px.toString(), "--no-twonn", "--kmeans", Integer.toString(k), "--kmeans-init", pc.toString());
        KMeans.Fit ours = KMeans.fitFrom(p, flat, KMeans.Options.defaults());
        assertRel(same.get("kmeans_inertia").asDouble(), ours.inertia(), 1e-6, "k-means inertia from the same init");
        int agree = 0;
        for (int i = 0; i < n; i++) {
            agree += same.get("kmeans_labels").get(i).asInt() == ours.labels()[i] ? 1 : 0;
        }
        assertTrue(agree >= n - 3, "labels from the same init agree on all but float32 ties: " + agree + " of " + n);
        // 2. Different seeds, best of 10 restarts each: the same optimum within 0.1 %.
        JsonNode best = reference(px.toString(), "--no-twonn", "--kmeans", Integer.toString(k), "--n-init", "10", "--seed", "0");
        double oursBest = KMeans.fit(p, k, 3, new KMeans.Options(300, 1e-4, 10)).inertia();
        assertTrue(oursBest <= best.get("kmeans_inertia").asDouble() * 1.001,
                "best-of-10 inertia: ours " + oursBest + ", sklearn " + best.get("kmeans_inertia").asDouble());
    }

    /**
     * A start that leaves a cluster empty: one initial centre far from every point. scikit-learn refills it
     * with the point farthest from its own centre, as ours does (from exact distances, measured only then);
     * the fit then follows scikit-learn's to the same labels and inertia.
     */
    @Test
    void anEmptyClusterIsRefilledAsScikitLearnDoes() throws Exception {
        int n = 1_200;
        int d = 8;
        float[][] x = Synthetic.gaussian(n, d, 5);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] += (i % 3) * (j == i % 3 ? 6f : 0f) + 10;
            }
        }
        Path px = NpyTestFiles.floats(dir.resolve("empty.npy"), x);
        PointSet p = NpyPoints.readPoints(px);
        float[][] init = {x[0].clone(), x[1].clone(), new float[d]};
        java.util.Arrays.fill(init[2], 500f); // no point is nearest to it
        float[] flat = new float[3 * d];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(init[c], 0, flat, c * d, d);
        }
        Path pc = NpyTestFiles.floats(dir.resolve("empty-init.npy"), init);
        JsonNode ref = reference(px.toString(), "--no-twonn", "--kmeans", "3", "--kmeans-init", pc.toString());
        KMeans.Fit ours = KMeans.fitFrom(p, flat, KMeans.Options.defaults());
        int agree = 0;
        int[] sizes = new int[3];
        for (int i = 0; i < n; i++) {
            agree += ref.get("kmeans_labels").get(i).asInt() == ours.labels()[i] ? 1 : 0;
            sizes[ours.labels()[i]]++;
        }
        assertTrue(sizes[2] > 100, "the far centre's cluster was refilled and grew: " + sizes[2] + " points");
        assertEquals(n, agree, "labels after the refill");
        assertRel(ref.get("kmeans_inertia").asDouble(), ours.inertia(), 1e-6, "k-means inertia after an empty cluster");
    }

    @Test
    void npzWrittenByNumpySavezAndSavezCompressedLoadLikeTheNpyFiles() throws Exception {
        float[][] data = correlated(300, 7, 1);
        Path x = NpyTestFiles.floats(dir.resolve("p.npy"), data);
        Path t = NpyTestFiles.longs(dir.resolve("t.npy"), new long[] {0, 100, 250});
        for (String fn : new String[] {"savez", "savez_compressed"}) {
            Path npz = dir.resolve(fn + ".npz");
            PythonReference.runCode("import numpy as np, sys; np." + fn
                    + "(sys.argv[1], points=np.load(sys.argv[2]), trajectories=np.load(sys.argv[3]).astype(np.int32))",
                    npz.toString(), x.toString(), t.toString());
            PointSet a = NpyPoints.load(npz, null, null);
            assertEquals(300, a.size());
            assertEquals(3, a.trajectoryCount());
            assertEquals(250, a.trajectoryStart(2));
            for (int i = 0; i < 300; i += 37) {
                for (int j = 0; j < 7; j++) {
                    assertEquals(data[i][j], a.get(i, j), fn + " row " + i);
                }
            }
        }
    }

    @Test
    void participationRatioAndVarianceDimensionsEqualNumpyEigvalsh() throws Exception {
        for (int[] shape : new int[][] {{2_000, 40}, {300, 120}, {5_000, 8}}) {
            float[][] data = correlated(shape[0], shape[1], shape[0] + shape[1]);
            Path x = NpyTestFiles.floats(dir.resolve("c" + shape[1] + ".npy"), data);
            PointSet p = NpyPoints.readPoints(x);
            JsonNode ref = reference(x.toString(), "--no-twonn");
            assertRel(ref.get("participation_ratio").asDouble(), ParticipationRatio.of(p).value(), 1e-6, "PR " + shape[1]);
            VarianceSpectrum s = VarianceSpectrum.of(p);
            assertEquals(ref.get("d90").asInt(), s.componentsFor(0.90).value().intValue(), "d90 " + shape[1]);
            assertEquals(ref.get("d95").asInt(), s.componentsFor(0.95).value().intValue(), "d95 " + shape[1]);
        }
    }

    @Test
    void trajectoryMetricsTwoNNAndCkaEqualNumpyImplementationsOfTheirPapers() throws Exception {
        int trajectories = 12;
        SplittableRandom r = new SplittableRandom(8);
        List<Long> offsets = new ArrayList<>();
        int n = 0;
        for (int k = 0; k < trajectories; k++) {
            offsets.add((long) n);
            n += 5 + r.nextInt(40);
        }
        // Drifting, curving walks: consecutive steps correlated, directions partly shared.
        float[][] x = new float[n][16];
        float[] drift = new float[16];
        for (int k = 0; k < trajectories; k++) {
            int start = offsets.get(k).intValue();
            int end = k + 1 < trajectories ? offsets.get(k + 1).intValue() : n;
            float[] step = new float[16];
            for (int t = start; t < end; t++) {
                for (int j = 0; j < 16; j++) {
                    drift[j] = j == 0 ? 0.3f : drift[j];
                    step[j] = 0.6f * step[j] + (float) r.nextGaussian() + drift[j];
                    x[t][j] = (t == start ? (float) r.nextGaussian() * 3 : x[t - 1][j]) + (t == start ? 0 : step[j]);
                }
            }
        }
        long[] off = offsets.stream().mapToLong(Long::longValue).toArray();
        Path px = NpyTestFiles.floats(dir.resolve("walks.npy"), x);
        Path pt = NpyTestFiles.longs(dir.resolve("offsets.npy"), off);
        float[][] y = new float[n][5];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) {
                y[i][j] = x[i][j] * x[i][j + 1] * 0.1f + x[i][j + 3] + (float) r.nextGaussian();
            }
        }
        Path py = NpyTestFiles.floats(dir.resolve("y.npy"), y);
        JsonNode ref = reference(px.toString(), "--trajectories", pt.toString(), "--cka", py.toString());
        PointSet p = NpyPoints.load(px, pt, null);
        assertRel(ref.get("step_cosine").asDouble(), StepCosine.of(p).value(), 1e-6, "step cosine");
        assertRel(ref.get("alignment").asDouble(), TrajectoryAlignment.of(p).value(), 1e-6, "alignment");
        GeometryAnalysis.Group g = GeometryAnalysis.group("walks", p, GeometryAnalysis.Options.defaults().withNullReplicates(0));
        assertRel(ref.get("tangling_epsilon").asDouble(), g.tanglingEpsilon(), 1e-6, "tangling epsilon");
        assertRel(ref.get("tangling").asDouble(), g.tangling(), 1e-6, "tangling mean");
        assertRel(ref.get("tangling_median").asDouble(), g.tanglingMedian(), 1e-6, "tangling median");
        assertRel(ref.get("tangling_p90").asDouble(), g.tanglingP90(), 1e-6, "tangling p90");
        assertRel(ref.get("twonn").asDouble(), g.twonn(), 1e-6, "TwoNN");
        assertRel(ref.get("cka").asDouble(), LinearCka.of(p, NpyPoints.readPoints(py)).value(), 1e-6, "linear CKA");
    }
}
