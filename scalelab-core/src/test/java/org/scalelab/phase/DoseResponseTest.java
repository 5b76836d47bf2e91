package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.scalelab.phase.DoseResponse.Outcomes;
import org.scalelab.phase.DoseResponse.TaskSweep;
import org.scalelab.stats.Bootstrap;

/**
 * The dose-response statistics against bench/reference_dose_response.py (numpy/scipy, written from
 * the documented formulas and fed the same bootstrap resamples), against closed forms (ED50 of a
 * linear and of a saturating curve, the degeneration dose), and on a planted null: when the
 * "steering" direction is itself just another random direction, its gain over the controls excludes
 * zero no more often than the level allows, while the planted direction beats them.
 */
class DoseResponseTest {
    @TempDir Path dir;

    @Test
    void everyNumberMatchesTheNumpyReference() throws IOException {
        PythonReference.requireModules("numpy", "scipy");
        double[] alphas = {0, 0.5, 1, 2, -1};
        int n = 30;
        int k = 4;
        Planted p = new Planted(16, n, 11);
        SplittableRandom rng = new SplittableRandom(5);
        List<float[]> controls = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            controls.add(Planted.unit(rng, 16));
        }
        TaskSweep sweep = p.sweep("t", p.mean(), controls, alphas);
        double[] ppl = {10, 11, 17, 40, 25};
        DoseResponse.Options o = new DoseResponse.Options(300, 0.9, 3, 1.8);
        DoseResponse.Result r = DoseResponse.analyze(new DoseResponse.Input(alphas, sweep, null, ppl), o);

        Map<String, Object> in = new LinkedHashMap<>();
        in.put("alphas", alphas);
        in.put("level", o.level());
        in.put("factor", o.degenerateFactor());
        in.put("perplexity", ppl);
        int[][] resamples = new int[o.bootstrap()][];
        for (int b = 0; b < o.bootstrap(); b++) {
            resamples[b] = Bootstrap.resample(n, o.seed(), b);
        }
        in.put("resamples", resamples);
        Map<String, Object> steered = new LinkedHashMap<>();
        Map<String, Object> ctrl = new LinkedHashMap<>();
        for (String metric : List.of("correct", "logit_diff")) {
            double[][] s = new double[alphas.length][];
            double[][][] c = new double[k][alphas.length][];
            for (int a = 0; a < alphas.length; a++) {
                s[a] = values(sweep.steered().get(a), metric);
                for (int j = 0; j < k; j++) {
                    c[j][a] = values(sweep.controls().get(j).get(a), metric);
                }
            }
            steered.put(metric, s);
            ctrl.put(metric, c);
        }
        in.put("steered", steered);
        in.put("controls", ctrl);
        Path inFile = Files.writeString(dir.resolve("in.json"), Json.write(in));
        Path outFile = dir.resolve("out.json");
        PythonReference.run("bench/reference_dose_response.py", inFile.toString(), outFile.toString());
        JsonNode ref = Json.mapper().readTree(outFile.toFile());

        for (DoseResponse.Curve curve : List.of(r.target().accuracy(), r.target().logitDiff())) {
            JsonNode m = ref.get(curve.metric().equals("acc") ? "correct" : "logit_diff");
            for (int a = 0; a < alphas.length; a++) {
                DoseResponse.Effect e = curve.points().get(a).effect();
                JsonNode x = m.get("points").get(a);
                String at = curve.metric() + " at α=" + alphas[a];
                assertEquals(x.get("mean").asDouble(), e.mean(), 1e-12, at);
                assertArrayEquals(array(x.get("ci")), e.ci(), 1e-12, at + " ci");
                assertEquals(x.get("control_mean").asDouble(), e.controlMean(), 1e-12, at);
                assertArrayEquals(array(x.get("band")), e.controlBand(), 1e-12, at + " band");
                assertEquals(x.get("gain").asDouble(), e.gain(), 1e-12, at);
                assertArrayEquals(array(x.get("gain_ci")), e.gainCi(), 1e-9, at + " gain ci");
            }
            assertEquals(m.get("ed50").asDouble(), curve.ed50().value(), 1e-12, curve.metric() + " ED50");
            assertEquals(m.get("ed50_defined").asInt(), curve.ed50().defined(), curve.metric() + " replicates defining ED50");
            assertArrayEquals(array(m.get("ed50_ci")), curve.ed50().ci(), 1e-12, curve.metric() + " ED50 ci");
        }
        assertEquals(ref.get("degeneration_dose").asDouble(), r.degenerationDose(), 0.0);
        assertEquals(2.0, r.degenerationDose(), 0.0, "40 > 1.8 × 10 first at α = 2 (α = −1, at 25, is not a positive dose)");
    }

    @Test
    void ed50IsHalfTheMaximumOnTheInterpolatedCurve() {
        // Linear effect 0, c, 2c, 4c at α = 0, 1, 2, 4: half of 4c is reached exactly at α = 2.
        assertEquals(2.0, DoseResponse.ed50(new double[] {0, 1, 2, 4}, new double[] {0, 0.1, 0.2, 0.4}), 1e-12);
        // Rising then falling (degenerating at high α): the maximum 0.6 at α = 1, half of it, 0.3, between 0 and 0.5 where the effect is 0.4.
        assertEquals(0.375, DoseResponse.ed50(new double[] {0, 0.5, 1, 2}, new double[] {0, 0.4, 0.6, -0.2}), 1e-12);
        assertTrue(Double.isNaN(DoseResponse.ed50(new double[] {0, 1, 2}, new double[] {0, -0.1, 0})), "an effect that never rises has no ED50");
    }

    @Test
    void anEffectThatNeverRisesHasNoEd50AndSaysSo() {
        double[] alphas = {0, 1, 2};
        Outcomes base = new Outcomes(new double[] {1, 1, 0, 1}, new double[] {1, 2, -1, 3});
        Outcomes worse = new Outcomes(new double[] {0, 1, 0, 0}, new double[] {0, 1, -2, 1});
        TaskSweep t = new TaskSweep("t", List.of(base, worse, worse), List.of(), null, List.of());
        DoseResponse.Result r = DoseResponse.analyze(new DoseResponse.Input(alphas, t, null, new double[] {5, 6, 7}), DoseResponse.Options.defaults());
        assertNull(r.target().accuracy().ed50().value());
        assertTrue(r.target().accuracy().ed50().note().contains("never rises"), r.target().accuracy().ed50().note());
        assertNull(r.degenerationDose(), "7 is not above 2 × 5");
        assertNull(r.target().accuracy().points().get(1).effect().gain(), "no controls, no gain");
        assertTrue(r.signCheck().contains("did not raise"), r.signCheck());
    }

    @Test
    void aGridWithoutZeroIsRefused() {
        Outcomes o = new Outcomes(new double[] {1, 0}, new double[] {1, -1});
        TaskSweep t = new TaskSweep("t", List.of(o, o), List.of(), null, List.of());
        InputException e = assertThrows(InputException.class, () -> DoseResponse.analyze(new DoseResponse.Input(new double[] {1, 2}, t, null, null),
                DoseResponse.Options.defaults()));
        assertTrue(e.getMessage().contains("must include 0"), e.getMessage());
    }

    /**
     * The planted null: 200 experiments, each with fresh prompts, a "steering" direction and 5 controls
     * all drawn at random; the gain's interval at α = 1 (level 0.95) may exclude zero in at most 8 %
     * of them (5 % expected; 8 % is 2.4 binomial standard deviations above). The planted direction
     * (the readout's mean) beats its controls in at least 95 % of experiments.
     */
    @Test
    void aRandomSteeringDirectionDoesNotBeatRandomControlsMoreOftenThanTheLevel() {
        double[] alphas = {0, 0.5, 1, 2};
        int experiments = 200;
        int nullExcluded = 0;
        int nullExcludedAcc = 0;
        int plantedBeats = 0;
        DoseResponse.Options o = new DoseResponse.Options(300, 0.95, 1, 2.0);
        for (int x = 0; x < experiments; x++) {
            Planted p = new Planted(64, 60, 1000 + x);
            SplittableRandom rng = new SplittableRandom(7000 + x);
            float[] random = Planted.unit(rng, 64);
            List<float[]> controls = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                controls.add(Planted.unit(rng, 64));
            }
            DoseResponse.Result nul = DoseResponse.analyze(new DoseResponse.Input(alphas, p.sweep("t", random, controls, alphas), null, null), o);
            nullExcluded += excludesZero(nul.target().logitDiff().points().get(2).effect()) ? 1 : 0;
            nullExcludedAcc += excludesZero(nul.target().accuracy().points().get(2).effect()) ? 1 : 0;
            DoseResponse.Result planted = DoseResponse.analyze(new DoseResponse.Input(alphas, p.sweep("t", p.mean(), controls, alphas), null, null), o);
            plantedBeats += planted.target().logitDiff().points().get(2).effect().beatsControl() ? 1 : 0;
        }
        System.out.printf("planted null: the gain's 95 %% interval excluded zero in %d/%d (logit difference) and %d/%d (accuracy) experiments;"
                + " the planted direction beat its controls in %d/%d%n", nullExcluded, experiments, nullExcludedAcc, experiments, plantedBeats, experiments);
        assertTrue(nullExcluded <= 0.08 * experiments, "logit difference: " + nullExcluded + "/" + experiments);
        assertTrue(nullExcludedAcc <= 0.08 * experiments, "accuracy: " + nullExcludedAcc + "/" + experiments);
        assertTrue(plantedBeats >= 0.95 * experiments, "the planted direction beat its controls in " + plantedBeats + "/" + experiments);
    }

    private static boolean excludesZero(DoseResponse.Effect e) {
        return e.gainCi()[0] > 0 || e.gainCi()[1] < 0;
    }

    private static double[] values(Outcomes o, String metric) {
        return metric.equals("correct") ? o.correct() : o.logitDiff();
    }

    private static double[] array(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    /**
     * A planted linear readout: prompt i has a baseline logit difference b_i ~ N(0.3, 1) and a
     * readout w_i = μ + z_i (z_i ~ N(0, I/d), ‖μ‖ = 1); steering with unit direction v at α moves its
     * logit difference by α·(v·w_i); the prompt is correct when the logit difference is positive.
     */
    private static final class Planted {
        final int d;
        final double[] base;
        final double[][] w;
        final float[] mu;

        Planted(int d, int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            this.d = d;
            mu = unit(new SplittableRandom(99), d);
            base = new double[n];
            w = new double[n][d];
            for (int i = 0; i < n; i++) {
                base[i] = 0.3 + rng.nextGaussian();
                for (int j = 0; j < d; j++) {
                    w[i][j] = mu[j] + rng.nextGaussian() / Math.sqrt(d);
                }
            }
        }

        float[] mean() {
            return mu;
        }

        static float[] unit(SplittableRandom rng, int d) {
            float[] v = new float[d];
            double s = 0;
            for (int j = 0; j < d; j++) {
                v[j] = (float) rng.nextGaussian();
                s += v[j] * v[j];
            }
            for (int j = 0; j < d; j++) {
                v[j] /= (float) Math.sqrt(s);
            }
            return v;
        }

        Outcomes outcomes(float[] v, double alpha) {
            int n = base.length;
            double[] ld = new double[n];
            double[] correct = new double[n];
            for (int i = 0; i < n; i++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[j] * w[i][j];
                }
                ld[i] = base[i] + alpha * dot;
                correct[i] = ld[i] > 0 ? 1 : 0;
            }
            return new Outcomes(correct, ld);
        }

        TaskSweep sweep(String task, float[] v, List<float[]> controls, double[] alphas) {
            List<Outcomes> steered = new ArrayList<>();
            for (double a : alphas) {
                steered.add(outcomes(v, a));
            }
            List<List<Outcomes>> cs = new ArrayList<>();
            for (float[] c : controls) {
                List<Outcomes> row = new ArrayList<>();
                for (double a : alphas) {
                    row.add(outcomes(c, a));
                }
                cs.add(row);
            }
            return new TaskSweep(task, steered, cs, null, List.of());
        }
    }
}
