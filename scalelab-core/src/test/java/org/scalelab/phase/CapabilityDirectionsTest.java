package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * Directions from planted activation sets (written with {@link ActivationSetWriter}): the sign
 * convention, the pair-difference PC against numpy's SVD, held-out accuracy on separable and on
 * label-shuffled data (the null), and stability on planted data and on noise.
 */
class CapabilityDirectionsTest {
    static final String HOOK = "blocks.0.hook_resid_post";

    @TempDir
    Path dir;

    /**
     * Points with a large shared mean (40 along column 0, the residual stream's common direction) plus
     * Gaussian noise, shifted by ±signal/2 along {@code axis} (unit, column 1 … 3 mixed) by class;
     * {@code shuffled} draws the classes independently of the shift (a null).
     */
    static LabelledPoints planted(int perClass, int d, double signal, long seed, boolean shuffled, boolean withPairs) {
        Random r = new Random(seed);
        double[] axis = new double[d];
        axis[1] = 0.6;
        axis[2] = -0.8;
        int n = 2 * perClass;
        double[][] x = new double[n][d];
        boolean[] y = new boolean[n];
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean pos = i % 2 == 0;
            boolean shift = shuffled ? r.nextBoolean() : pos;
            for (int j = 0; j < d; j++) {
                x[i][j] = (j == 0 ? 40 : 0) + r.nextGaussian() * (1 + 0.1 * j) + (shift ? 0.5 : -0.5) * signal * axis[j];
            }
            y[i] = pos;
            ids.add("p" + i);
            pairs.add(withPairs ? "pair" + (i / 2) : null);
        }
        return new LabelledPoints("set", "model", 1000, HOOK, x, y, ids, pairs);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    @Test
    void everyDirectionPointsTowardThePositiveClassAndFlipsWithTheClasses() {
        LabelledPoints p = planted(150, 12, 3, 1, false, true);
        CapabilityDirections.Result r = CapabilityDirections.analyze(p, new CapabilityDirections.Options(0.25, 20, 1.0, 0.95, 0));
        double[] md = CapabilityDirections.meanDifference(p);
        boolean[] flipped = new boolean[p.size()];
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = !p.positive()[i];
        }
        LabelledPoints q = new LabelledPoints("set", "model", 1000, HOOK, p.x(), flipped, p.ids(), p.pairs());
        CapabilityDirections.Result s = CapabilityDirections.analyze(q, new CapabilityDirections.Options(0.25, 20, 1.0, 0.95, 0));
        for (CapabilityDirections.Method m : CapabilityDirections.Method.values()) {
            double[] u = r.direction(m).unit();
            assertEquals(1, Math.sqrt(dot(u, u)), 1e-12, m.key() + " is a unit vector");
            assertTrue(dot(md, u) > 0, m.key() + ": mean(pos)·u > mean(neg)·u");
            assertTrue(dot(u, new double[] {0, 0.6, -0.8, 0, 0, 0, 0, 0, 0, 0, 0, 0}) > 0.9, m.key() + " finds the planted axis");
            assertEquals(-1, dot(u, s.direction(m).unit()), 1e-6, m.key() + " flips with the classes");
        }
    }

    @Test
    void pairDifferencePcIsNumpysTopRightSingularVector() throws Exception {
        PythonReference.requireModules("numpy");
        // more pairs than columns (ΔᵀΔ), twice by label and by position; fewer pairs than columns (ΔΔᵀ)
        int[][] shapes = {{60, 9, 1}, {60, 9, 0}, {10, 30, 1}};
        for (int[] shape : shapes) {
            boolean labelledPairs = shape[2] == 1;
            LabelledPoints p = planted(shape[0], shape[1], 2, 7, false, labelledPairs);
            if (labelledPairs) { // scramble the pair labels' order so pairing by label differs from pairing by position
                List<String> pairs = new ArrayList<>(p.pairs());
                for (int i = 0; i + 3 < pairs.size(); i += 4) {
                    String t = pairs.get(i + 1);
                    pairs.set(i + 1, pairs.get(i + 3));
                    pairs.set(i + 3, t);
                }
                p = new LabelledPoints(p.set(), p.model(), p.parameterCount(), p.hook(), p.x(), p.positive(), p.ids(), pairs);
            }
            int[][] pairs = CapabilityDirections.pairs(p);
            assertEquals(shape[0], pairs.length);
            StringBuilder diffs = new StringBuilder();
            for (int[] pair : pairs) {
                for (int j = 0; j < p.dimension(); j++) {
                    diffs.append(j == 0 ? "" : " ").append(p.x()[pair[0]][j] - p.x()[pair[1]][j]);
                }
                diffs.append('\n');
            }
            Path f = Files.writeString(dir.resolve("diffs.txt"), diffs);
            JsonNode ref = Json.mapper().readTree(PythonReference.runCode(
                    "import json, sys, numpy as np; d = np.loadtxt(sys.argv[1]); u, s, vt = np.linalg.svd(d, full_matrices=False);"
                            + " print(json.dumps({'v': vt[0].tolist(), 's': float(s[0])}))", f.toString()));
            double[] ours = CapabilityDirections.pairedDifferencePc(p);
            double sigma = Math.sqrt(dot(ours, ours));
            assertEquals(ref.get("s").asDouble(), sigma, 1e-9 * sigma, "top singular value");
            double cos = 0;
            for (int j = 0; j < ours.length; j++) {
                cos += ours[j] / sigma * ref.get("v").get(j).asDouble();
            }
            assertEquals(1, Math.abs(cos), 1e-9, "same direction up to sign (pairs " + (labelledPairs ? "by label" : "by position") + ")");
        }
    }

    @Test
    void separableClassesAreReadOnHeldOutPromptsAndShuffledLabelsAreNot() {
        CapabilityDirections.Options o = new CapabilityDirections.Options(0.25, 50, 1.0, 0.95, 3);
        CapabilityDirections.Result planted = CapabilityDirections.analyze(planted(200, 20, 8, 11, false, false), o);
        assertTrue(planted.probeHeldOutAccuracy() >= 0.98, "probe " + planted.probeHeldOutAccuracy());
        assertTrue(planted.meanDiffHeldOutAccuracy() >= 0.98, "mean diff " + planted.meanDiffHeldOutAccuracy());
        assertTrue(planted.probeAccuracyCi()[0] > 0.9 && planted.probeAccuracyCi()[1] <= 1);

        // The null: classes drawn independently of the planted shift. Each 95 % interval includes chance
        // in about 19 of 20 independent data sets; fewer than 16 would happen with probability < 0.3 %.
        int[] covered = new int[2];
        double meanAccuracy = 0;
        for (int k = 0; k < 20; k++) {
            CapabilityDirections.Result shuffled = CapabilityDirections.analyze(planted(200, 20, 8, 100 + k, true, false),
                    new CapabilityDirections.Options(0.25, 0, 1.0, 0.95, k));
            double[][] cis = {shuffled.probeAccuracyCi(), shuffled.meanDiffAccuracyCi()};
            for (int m = 0; m < 2; m++) {
                covered[m] += cis[m][0] <= 0.5 && 0.5 <= cis[m][1] ? 1 : 0;
            }
            meanAccuracy += shuffled.probeHeldOutAccuracy() / 20;
        }
        assertTrue(covered[0] >= 16 && covered[1] >= 16, "intervals covering chance on label-shuffled data: probe " + covered[0]
                + "/20, mean diff " + covered[1] + "/20");
        assertEquals(0.5, meanAccuracy, 0.04, "mean held-out probe accuracy on label-shuffled data");
    }

    @Test
    void directionIsStableOnPlantedDataAndNotOnNoise() {
        CapabilityDirections.Options o = new CapabilityDirections.Options(0.25, 100, 1.0, 0.95, 5);
        CapabilityDirections.Result planted = CapabilityDirections.analyze(planted(200, 40, 10, 21, false, false), o);
        assertTrue(planted.stabilityCosine() > 0.9, "planted: " + planted.stabilityCosine());
        assertTrue(planted.stabilityCi()[0] > 0.8, "planted interval: " + planted.stabilityCi()[0]);
        CapabilityDirections.Result noise = CapabilityDirections.analyze(planted(200, 40, 0, 21, false, false), o);
        assertTrue(Math.abs(noise.stabilityCosine()) < 0.2, "noise: " + noise.stabilityCosine());
        assertTrue(noise.stabilityCi()[0] < 0 && noise.stabilityCi()[1] > 0, "noise interval straddles 0");
    }

    /** A set of trajectories with 3 rows each; the last row carries the class signal along column 1, the others don't. */
    Path writeSet(String name, int perClass, String labelKey, boolean nanInOne) {
        List<String> hooks = List.of(HOOK, "blocks.1.hook_resid_post");
        int d = 4;
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                1234, d, 2, hooks, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path set = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(set, header, 1 << 20);
        Random r = new Random(1);
        for (int i = 0; i < 2 * perClass; i++) {
            boolean pos = i % 2 == 0;
            ObjectNode labels = Json.mapper().createObjectNode();
            if (labelKey != null) {
                labels.put(labelKey, pos ? "true" : "false");
            }
            List<float[]> rows = new ArrayList<>();
            for (int h = 0; h < hooks.size(); h++) {
                float[] v = new float[3 * d];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) r.nextGaussian();
                }
                v[2 * d + 1] += pos ? 5 : -5;
                if (nanInOne && i == 3 && h == 0) {
                    v[2 * d + 2] = Float.NaN;
                }
                rows.add(v);
            }
            w.add("t" + i, null, labels, List.of(), 3, new int[] {0, 1, 2}, new int[] {1, 2, 3}, rows);
        }
        w.finish();
        return set;
    }

    @Test
    void readsTheLastOrTheMeanRowOfEachSelectedTrajectory() {
        try (ActivationSet s = ActivationSet.open(writeSet("a", 5, "truth", false))) {
            LabelledPoints last = LabelledPoints.read(s, HOOK, "labels.truth=true", "labels.truth=false", LabelledPoints.Pool.LAST);
            LabelledPoints mean = LabelledPoints.read(s, HOOK, "labels.truth=true", "labels.truth=false", LabelledPoints.Pool.MEAN);
            assertEquals(10, last.size());
            assertEquals(5, last.positives());
            assertEquals(4, last.dimension());
            assertEquals("models/a", last.model());
            assertEquals(1234, last.parameterCount());
            float[][] rows = s.rows(HOOK, s.trajectory("t3"));
            assertEquals(rows[2][1], last.x()[3][1], 0);
            assertEquals(((double) rows[0][1] + rows[1][1] + rows[2][1]) / 3, mean.x()[3][1], 1e-12);
            assertTrue(!last.positive()[3] && last.positive()[4]);
        }
    }

    @Test
    void refusesOneClassOverlapMissingHookUnlabelledAndNonFinite() {
        try (ActivationSet s = ActivationSet.open(writeSet("b", 4, "truth", false))) {
            InputException e = assertThrows(InputException.class,
                    () -> LabelledPoints.read(s, HOOK, "labels.truth=true", "labels.truth=maybe", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("labels.truth=maybe") && e.getMessage().contains("8 of 8"), e.getMessage());
            e = assertThrows(InputException.class, () -> LabelledPoints.read(s, HOOK, "labels.truth=true", "domain=x", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("domain=x"), e.getMessage());
            e = assertThrows(InputException.class, () -> LabelledPoints.read(s, "blocks.9.hook_resid_post", "labels.truth=true",
                    "labels.truth=false", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("blocks.9.hook_resid_post") && e.getMessage().contains(s.dir().toString()), e.getMessage());
            e = assertThrows(InputException.class, () -> LabelledPoints.read(s, HOOK, "labels.truth=true", "id=t0", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("t0") && e.getMessage().contains("both"), e.getMessage());
        }
        try (ActivationSet s = ActivationSet.open(writeSet("c", 4, null, false))) {
            InputException e = assertThrows(InputException.class,
                    () -> LabelledPoints.read(s, HOOK, "labels.truth=true", "labels.truth=false", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("0 of 8 trajectories carry labels.truth"), e.getMessage());
        }
        try (ActivationSet s = ActivationSet.open(writeSet("d", 4, "truth", true))) {
            InputException e = assertThrows(InputException.class,
                    () -> LabelledPoints.read(s, HOOK, "labels.truth=true", "labels.truth=false", LabelledPoints.Pool.LAST));
            assertTrue(e.getMessage().contains("t3") && e.getMessage().contains("non-finite"), e.getMessage());
        }
    }
}
