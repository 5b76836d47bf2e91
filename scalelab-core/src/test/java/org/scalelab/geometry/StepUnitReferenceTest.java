package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.scalelab.PythonReference;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * Geometry on reasoning steps against numpy: an activation set with step boundaries (some
 * trajectories captured from position 2 on, one step reaching back before the capture, leading
 * tokens in no step, one trajectory without steps) is pooled by {@link ActivationGroups} and
 * analysed; {@code bench/step_reference.py} pools the same token rows from the documented
 * definitions and computes every metric on its step points with numpy / scikit-learn.
 *
 * <p>Tolerances: step points within 1e-6 relative (the mean is stored as float32: half an ulp is
 * 6e-8); metrics within 1e-6 relative (participation ratio, alignment, step cosine, tangling,
 * oscillation coherence: float64 sums over float32 inputs), TwoNN within 1e-5, silhouette within
 * 1e-5 absolute (float32 distances, documented within 1e-6 of scikit-learn), d90 and d95 exact.
 */
class StepUnitReferenceTest {
    static final String SCRIPT = "bench/step_reference.py";
    static final int D = 6;
    static final List<String> HOOKS = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.1.hook_attn_out",
            "blocks.1.hook_mlp_out", "blocks.1.hook_resid_post");

    @TempDir
    Path dir;

    @BeforeAll
    static void requireNumpy() {
        PythonReference.script(SCRIPT);
        PythonReference.requireModules("numpy", "sklearn");
    }

    /** What the test wrote, per hook: every captured row in order (for the .npy files). */
    final List<List<float[]>> written = new ArrayList<>();

    Path writeSet() throws Exception {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/steps", "gpt2",
                1000, D, 2, HOOKS, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path set = dir.resolve("set");
        ActivationSetWriter w = ActivationSetWriter.open(set, header, 1 << 12); // several shards
        SplittableRandom r = new SplittableRandom(11);
        List<Long> first = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        List<Long> bcount = new ArrayList<>();
        List<Long> bounds = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int h = 0; h < HOOKS.size(); h++) {
            written.add(new ArrayList<>());
        }
        int trajectories = 14;
        for (int k = 0; k < trajectories; k++) {
            int tokens = 10 + r.nextInt(11);
            int from = k % 2 == 0 ? 0 : 2; // odd trajectories captured from position 2 on
            List<Integer> b = new ArrayList<>();
            if (k < trajectories - 1) { // the last trajectory has no steps
                int p = from == 0 ? r.nextInt(3) : 1 + r.nextInt(3); // 1 with from 2: the first step reaches back before the capture
                while (p < tokens) {
                    b.add(p);
                    p += p < from + 1 ? from + 2 - p : 1 + r.nextInt(4);
                }
            }
            int n = tokens - from;
            int[] positions = new int[n];
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = from + i;
                ids[i] = 1 + i;
            }
            List<float[]> perHook = new ArrayList<>();
            double[] x = new double[D];
            double[] drift = new double[D];
            for (int j = 0; j < D; j++) {
                x[j] = (k % 3) * 2 + r.nextGaussian();
                drift[j] = (j == k % D ? 1.5 : 0.2) + 0.1 * r.nextGaussian();
            }
            for (int h = 0; h < HOOKS.size(); h++) {
                float[] v = new float[n * D];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < D; j++) {
                        if (HOOKS.get(h).endsWith("resid_post")) {
                            x[j] += drift[j] + 0.7 * r.nextGaussian();
                            v[i * D + j] = (float) (x[j] + (k % 2) * 3);
                        } else {
                            v[i * D + j] = (float) ((1 + h + i % 3) * r.nextGaussian());
                        }
                    }
                    written.get(h).add(java.util.Arrays.copyOfRange(v, i * D, (i + 1) * D));
                }
                perHook.add(v);
            }
            ObjectNode l = Json.mapper().createObjectNode();
            l.put("kind", k % 2 == 0 ? "even" : "odd");
            w.add("p" + k, "math", l, b, tokens, positions, ids, perHook);
            first.add((long) from);
            rows.add((long) n);
            bcount.add((long) b.size());
            b.forEach(v -> bounds.add((long) v));
            labels.add((long) (k % 2));
        }
        w.finish();
        NpyTestFiles.longs(dir.resolve("first.npy"), first.stream().mapToLong(Long::longValue).toArray());
        NpyTestFiles.longs(dir.resolve("rows.npy"), rows.stream().mapToLong(Long::longValue).toArray());
        NpyTestFiles.longs(dir.resolve("bcount.npy"), bcount.stream().mapToLong(Long::longValue).toArray());
        NpyTestFiles.longs(dir.resolve("bounds.npy"), bounds.stream().mapToLong(Long::longValue).toArray());
        NpyTestFiles.longs(dir.resolve("labels.npy"), labels.stream().mapToLong(Long::longValue).toArray());
        NpyTestFiles.floats(dir.resolve("tokens.npy"), written.get(4).toArray(new float[0][]));
        for (int layer = 0; layer < 2; layer++) {
            NpyTestFiles.floats(dir.resolve("attn_" + layer + ".npy"), written.get(2 * layer).toArray(new float[0][]));
            NpyTestFiles.floats(dir.resolve("mlp_" + layer + ".npy"), written.get(2 * layer + 1).toArray(new float[0][]));
        }
        return set;
    }

    static void assertRel(double expected, double actual, double tol, String what) {
        assertEquals(expected, actual, tol * Math.max(1e-12, Math.abs(expected)), what + ": numpy " + expected + " vs ours " + actual);
    }

    @ParameterizedTest
    @EnumSource(StepPooling.Pool.class)
    void everyMetricOnStepsMatchesNumpyOnTheStepPoints(StepPooling.Pool pool) throws Exception {
        Path set = writeSet();
        List<ActivationGroups.Input> groups = ActivationGroups.of(List.of(ActivationSet.open(set)),
                new ActivationGroups.Options(null, List.of(), "kind", StepPooling.Unit.STEP, pool));
        assertEquals(1, groups.size());
        ActivationGroups.Input in = groups.get(0);
        JsonNode ref = Json.mapper().readTree(PythonReference.run(SCRIPT, dir.toString(), pool.label()));

        // The step points: numpy's pooling of the same token rows, trajectory by trajectory.
        PointSet p = in.points();
        JsonNode points = ref.get("points");
        assertEquals(points.size(), p.size(), "one point per step");
        for (int i = 0; i < p.size(); i++) {
            for (int j = 0; j < D; j++) {
                double e = points.get(i).get(j).asDouble();
                assertEquals(e, p.get(i, j), 1e-6 * Math.max(1, Math.abs(e)), "step point " + i + " column " + j);
            }
        }
        JsonNode offsets = ref.get("offsets");
        assertEquals(offsets.size(), p.trajectoryCount());
        for (int k = 0; k < offsets.size(); k++) {
            assertEquals(offsets.get(k).asInt(), p.trajectoryStart(k), "trajectory " + k + " starts at its first step");
        }
        assertEquals(13, in.trajectoryIds().size());
        assertTrue(!in.trajectoryIds().contains("p13") && in.dropped().contains("p13"), in.dropped());

        GeometryAnalysis.Options o = GeometryAnalysis.Options.defaults().withNullReplicates(0);
        GeometryAnalysis.Group g = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(groups, List.of(), false), o).groups().get(0);
        assertEquals("step (" + pool.label() + ")", g.unit());
        assertEquals(p.size(), g.nPoints());
        assertRel(ref.get("participation_ratio").asDouble(), g.participationRatio(), 1e-6, "participation ratio");
        assertEquals(ref.get("d90").asInt(), g.d90());
        assertEquals(ref.get("d95").asInt(), g.d95());
        assertRel(ref.get("twonn").asDouble(), g.twonn(), 1e-5, "TwoNN");
        assertRel(ref.get("alignment").asDouble(), g.alignment(), 1e-6, "alignment");
        assertRel(ref.get("step_cosine").asDouble(), g.stepCosine(), 1e-6, "step cosine");
        assertRel(ref.get("tangling_epsilon").asDouble(), g.tanglingEpsilon(), 1e-6, "tangling epsilon");
        assertRel(ref.get("tangling").asDouble(), g.tangling(), 1e-6, "tangling");
        assertRel(ref.get("tangling_median").asDouble(), g.tanglingMedian(), 1e-6, "tangling median");
        assertRel(ref.get("tangling_p90").asDouble(), g.tanglingP90(), 1e-6, "tangling p90");
        assertEquals(ref.get("silhouette").asDouble(), g.silhouette(), 1e-5, "silhouette on the step points with their prompts' labels");
        assertRel(ref.get("oscillation_coherence").asDouble(), g.oscillationCoherence(), 1e-6, "oscillation coherence over steps");
        assertTrue(g.reasons().get("steps").contains("1 of 14"), g.reasons().toString());
    }

    @ParameterizedTest
    @EnumSource(StepPooling.Pool.class)
    void nullsAndBootstrapRunOnStepPoints(StepPooling.Pool pool) throws Exception {
        Path set = writeSet();
        List<ActivationGroups.Input> groups = ActivationGroups.of(List.of(ActivationSet.open(set)),
                new ActivationGroups.Options(null, List.of(), null, StepPooling.Unit.STEP, pool));
        GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(groups, List.of(), false),
                GeometryAnalysis.Options.defaults().withNullReplicates(4).withBootstrap(20).withKRange(2, 3));
        GeometryAnalysis.Group g = r.groups().get(0);
        assertEquals("step", r.provenance().options().get("unit"));
        assertEquals(pool.label(), r.provenance().options().get("pool"));
        // Shuffling the steps of a trajectory keeps its ends: alignment is untested, the rest tested over steps.
        assertTrue(g.baselines().get(GeometryAnalysis.SHUFFLED_STEPS).get("alignment").reason() != null);
        assertEquals(4, g.baselines().get(GeometryAnalysis.SHUFFLED_STEPS).get("tangling").replicates());
        assertEquals(20, g.bootstrapReplicates());
        for (String m : List.of("participation_ratio", "alignment", "tangling", "step_cosine", "oscillation_coherence")) {
            double[] ci = g.ci().get(m);
            assertTrue(ci != null && ci[0] <= ci[1], m + " has a bootstrap interval over trajectories of steps");
        }
    }
}
