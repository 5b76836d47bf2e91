package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.IncompleteInputException;
import org.scalelab.InputException;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;

/**
 * Activation sets written here byte by byte from the documented format (safetensors: u64 header
 * length, JSON header, data; manifest.json as the runtime writes it), read by
 * {@code io.ActivationSet} and grouped into points by {@link ActivationGroups}.
 */
class ActivationGroupsTest {
    @TempDir
    Path dir;

    /** Value of hook h at global row r, column j: distinct and recomputable. */
    static float value(int h, int r, int j) {
        return h * 1000 + r * 10 + j * 0.5f + (float) Math.sin(r * 7 + j * 3 + h);
    }

    /** One trajectory: id, domain, labels JSON (or null), rows. */
    record T(String id, String domain, String labels, int rows) {}

    /**
     * Writes a set whose trajectories fill shards of {@code perShard} trajectories; tensor widths per
     * shard from {@code widths} (the manifest says {@code d}); {@code values} gives (row, column) → value overrides.
     */
    Path write(String name, int d, int[] widths, List<String> hooks, List<T> ts, int perShard, long params, IntBinaryOperator nanAt)
            throws Exception {
        Path set = Files.createDirectories(dir.resolve(name));
        List<Map<String, Object>> shards = new ArrayList<>();
        List<Map<String, Object>> trajectories = new ArrayList<>();
        int globalRow = 0;
        for (int s = 0; s * perShard < ts.size(); s++) {
            List<T> part = ts.subList(s * perShard, Math.min(ts.size(), (s + 1) * perShard));
            int rows = part.stream().mapToInt(T::rows).sum();
            int w = widths[s];
            int rowStart = 0;
            for (int k = 0; k < part.size(); k++) {
                T t = part.get(k);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", s * perShard + k);
                m.put("id", t.id());
                m.put("domain", t.domain());
                m.put("labels", t.labels() == null ? null : Json.mapper().readTree(t.labels()));
                m.put("token_count", t.rows());
                m.put("shard", s);
                m.put("row_start", rowStart);
                m.put("rows", t.rows());
                m.put("first_position", 0);
                m.put("step_boundaries", List.of());
                trajectories.add(m);
                rowStart += t.rows();
            }
            StringBuilder header = new StringBuilder("{");
            long offset = 0;
            for (int h = 0; h < hooks.size(); h++) {
                long bytes = 4L * rows * w;
                header.append(h == 0 ? "" : ",").append('"').append(hooks.get(h)).append("\":{\"dtype\":\"F32\",\"shape\":[").append(rows)
                        .append(',').append(w).append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
                offset += bytes;
            }
            header.append('}');
            byte[] hb = header.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + hb.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(hb.length).put(hb);
            for (int h = 0; h < hooks.size(); h++) {
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < w; j++) {
                        int g = globalRow + r;
                        b.putFloat(nanAt != null && nanAt.applyAsInt(g, j) == 1 ? Float.NaN : value(h, g, j));
                    }
                }
            }
            String file = String.format("shard-%05d.safetensors", s);
            Files.write(set.resolve(file), b.array());
            shards.add(Map.of("file", file, "rows", rows, "first_trajectory", s * perShard, "trajectory_count", part.size()));
            globalRow += rows;
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "scalelab-activations");
        manifest.put("format_version", 1);
        manifest.put("model", "models/" + name);
        manifest.put("family", "gpt2");
        manifest.put("parameter_count", params);
        manifest.put("d_model", d);
        manifest.put("n_layers", 2);
        manifest.put("hooks", hooks);
        manifest.put("dtype", "F32");
        manifest.put("positions", "all");
        manifest.put("interventions", List.of());
        manifest.put("complete", true);
        manifest.put("shards", shards);
        manifest.put("trajectories", trajectories);
        Files.writeString(set.resolve("manifest.json"), Json.pretty(manifest));
        return set;
    }

    static final List<String> HOOKS = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.1.hook_attn_out",
            "blocks.1.hook_mlp_out", "blocks.1.hook_resid_post");

    List<T> prompts() {
        List<T> ts = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            ts.add(new T("q" + k, k % 2 == 0 ? "math" : "law", "{\"strategy\": \"s" + (k % 3) + "\"}", 4 + k));
        }
        return ts;
    }

    @Test
    void groupsByDomainGatherEachTrajectorysRowsOfTheLastResidualStream() throws Exception {
        Path set = write("tiny", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1234, null);
        ActivationSet f = ActivationSet.open(set);
        assertEquals(6, f.dModel());
        assertEquals(1234, f.parameterCount());
        List<ActivationGroups.Input> groups = ActivationGroups.of(List.of(f),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), null));
        assertEquals(2, groups.size());
        ActivationGroups.Input math = groups.get(0);
        assertEquals("math", math.domain());
        assertEquals("blocks.1.hook_resid_post", math.hook(), "default hook: the last layer's residual stream");
        assertEquals(List.of("q0", "q2", "q4"), math.trajectoryIds());
        PointSet p = math.points();
        assertEquals(4 + 6 + 8, p.size());
        assertEquals(3, p.trajectoryCount());
        // q2 is the first trajectory of shard 1, global row 4 + 5 = 9 (q0: rows 0-3, q1: rows 4-8).
        assertEquals(4, p.trajectoryStart(1));
        assertEquals(value(4, 9, 2), p.get(4, 2), 0f);
        assertEquals(value(4, 0, 5), p.get(0, 5), 0f);
        assertNotNull(math.coherence(), math.coherenceReason());
        assertEquals(3, math.coherence().length);
    }

    @Test
    void coherenceFollowsItsDefinitionOnTheCapturedNorms() throws Exception {
        Path set = write("norms", 4, new int[] {4}, HOOKS, List.of(new T("a", "x", null, 5), new T("b", "x", null, 3)), 2, 1, null);
        ActivationSet f = ActivationSet.open(set);
        List<ActivationGroups.Input> g = ActivationGroups.of(List.of(f), new ActivationGroups.Options(null, List.of(), null));
        // Reference: Pearson r of (‖attn₁‖ − ‖attn₀‖, ‖mlp₁‖ − ‖mlp₀‖) over every row, from the values written.
        List<double[]> pairs = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            pairs.add(new double[] {norm(2, r, 4) - norm(0, r, 4), norm(3, r, 4) - norm(1, r, 4)});
        }
        double want = pearson(pairs);
        assertEquals(want, OscillationCoherence.of(g.get(0).coherence()).value(), 1e-9);
    }

    static double norm(int h, int r, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += (double) value(h, r, j) * value(h, r, j);
        }
        return Math.sqrt(s);
    }

    static double pearson(List<double[]> xy) {
        double mx = xy.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = xy.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (double[] p : xy) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
            syy += (p[1] - my) * (p[1] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    @Test
    void withoutAttentionAndMlpHooksCoherenceIsNullWithTheReason() throws Exception {
        Path set = write("resid", 4, new int[] {4}, List.of("blocks.0.hook_resid_post"), prompts().subList(0, 3), 3, 1, null);
        List<ActivationGroups.Input> g = ActivationGroups.of(List.of(ActivationSet.open(set)),
                new ActivationGroups.Options(null, List.of(), null));
        GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(g, List.of(), false),
                GeometryAnalysis.Options.defaults().withNullReplicates(0));
        GeometryAnalysis.Group group = r.groups().get(0);
        assertNull(group.oscillationCoherence());
        assertTrue(group.reasons().get("oscillation_coherence").contains("hook_attn_out"), group.reasons().toString());
    }

    /** Rewrites one field of trajectory {@code index} in the set's manifest. */
    static void setTrajectoryField(Path set, int index, String field, String json) throws Exception {
        Path file = set.resolve("manifest.json");
        com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(Files.readString(file));
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("trajectories").get(index)).set(field, Json.mapper().readTree(json));
        Files.writeString(file, Json.pretty(m));
    }

    @Test
    void badStepBoundariesNameTheManifestTheTrajectoryAndTheValue() throws Exception {
        Path set = write("steps", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, null);
        setTrajectoryField(set, 2, "step_boundaries", "[0, 99]");
        InputException e = assertThrows(InputException.class, () -> ActivationSet.open(set));
        assertTrue(e.getMessage().startsWith(set.resolve("manifest.json") + ": trajectory 2 (\"q2\"): field \"step_boundaries\" holds 99; "
                + "expected token positions from 0 to 5 (token_count 6)"), e.getMessage());
        setTrajectoryField(set, 2, "step_boundaries", "\"3\"");
        assertTrue(assertThrows(InputException.class, () -> ActivationSet.open(set)).getMessage()
                .contains("trajectory 2 (\"q2\"): field \"step_boundaries\" is \"3\"; expected an array"));
        setTrajectoryField(set, 2, "step_boundaries", "[-1]");
        assertTrue(assertThrows(InputException.class, () -> ActivationSet.open(set)).getMessage().contains("holds -1"));
    }

    @Test
    void manifestFieldsThatOverflowOrPointOutsideTheShardAreInputErrors() throws Exception {
        Path set = write("rows", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, null);
        setTrajectoryField(set, 1, "row_start", "2147483647");
        InputException e = assertThrows(InputException.class, () -> ActivationSet.open(set));
        assertTrue(e.getMessage().contains("trajectory 1 (\"q1\"): points at rows 2147483647…2147483651 of shard 0"), e.getMessage());
        setTrajectoryField(set, 1, "row_start", "4294967296");
        assertTrue(assertThrows(InputException.class, () -> ActivationSet.open(set)).getMessage()
                .contains("field \"row_start\" is 4294967296; expected a whole number"));
    }

    @Test
    void anInterruptedCaptureIsRefusedUnlessAllowed() throws Exception {
        Path set = write("partial", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, null);
        Path file = set.resolve("manifest.json");
        Files.writeString(file, Files.readString(file).replace("\"complete\" : true", "\"complete\" : false"));
        IncompleteInputException e = assertThrows(IncompleteInputException.class, () -> ActivationSet.open(set));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(set + ": the capture is incomplete") && e.getMessage().contains("re-run the same capture command")
                && e.getMessage().endsWith("or pass --allow-incomplete to analyse what is there"), e.getMessage());
        ActivationSet partial = ActivationSet.open(set, true);
        assertFalse(partial.complete());
        assertEquals(6, partial.trajectories().size());
        assertTrue(ActivationSet.open(write("whole", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, null)).complete());
    }

    @Test
    void aShardOfAnotherWidthIsAnErrorNamingTheShardAndTensor() throws Exception {
        Path set = write("mixed", 6, new int[] {6, 5, 6}, HOOKS, prompts(), 2, 1, null);
        InputException e = assertThrows(InputException.class, () -> ActivationSet.open(set));
        assertTrue(e.getMessage().contains("shard-00001.safetensors: tensor 'blocks.0.hook_attn_out' is F32 [13,5]")
                && e.getMessage().contains("the manifest says F32 [13, 6]"), e.getMessage());
    }

    @Test
    void aNonFiniteRowIsAnErrorNamingTheTrajectoryAndPosition() throws Exception {
        // global row 6 is q1's third position (q0 has rows 0-3).
        Path set = write("nan", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, (r, j) -> r == 6 && j == 1 ? 1 : 0);
        ActivationSet f = ActivationSet.open(set);
        InputException e = assertThrows(InputException.class, () -> ActivationGroups.of(List.of(f),
                new ActivationGroups.Options(null, List.of(), null)));
        assertTrue(e.getMessage().contains("\"q1\" position 2") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void labelsGroupOrLabelTheSilhouetteAndAMissingLabelIsAnError() throws Exception {
        ActivationSet f = ActivationSet.open(write("lab", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 1, null));
        List<ActivationGroups.Input> byLabel = ActivationGroups.of(List.of(f),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.LABEL), "strategy"));
        assertEquals(List.of("s0", "s1", "s2"), byLabel.stream().map(ActivationGroups.Input::label).toList());
        List<ActivationGroups.Input> labelled = ActivationGroups.of(List.of(f), new ActivationGroups.Options(null, List.of(), "strategy"));
        assertTrue(labelled.get(0).points().hasLabels());
        assertEquals(2, labelled.get(0).points().label(labelled.get(0).points().trajectoryStart(2)), "q2 has strategy s2");
        InputException e = assertThrows(InputException.class, () -> ActivationGroups.of(List.of(f),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.LABEL), "difficulty")));
        assertTrue(e.getMessage().contains("\"q0\" has no label 'difficulty'"), e.getMessage());
        InputException h = assertThrows(InputException.class, () -> ActivationGroups.of(List.of(f),
                new ActivationGroups.Options("blocks.7.hook_resid_post", List.of(), null)));
        assertTrue(h.getMessage().contains("'blocks.7.hook_resid_post' was not captured"), h.getMessage());
    }

    @Test
    void groupingByParameterCountPoolsSetsOfOneSizeAndRefusesMixedWidths() throws Exception {
        ActivationSet a = ActivationSet.open(write("seed1", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 500, null));
        ActivationSet b = ActivationSet.open(write("seed2", 6, new int[] {6, 6, 6}, HOOKS, prompts(), 2, 500, null));
        ActivationSet c = ActivationSet.open(write("wide", 8, new int[] {8, 8, 8}, HOOKS, prompts(), 2, 900, null));
        List<ActivationGroups.Input> g = ActivationGroups.of(List.of(a, b, c),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.PARAMS, ActivationGroups.Key.DOMAIN), null));
        assertEquals(4, g.size(), "2 sizes × 2 domains");
        ActivationGroups.Input pooled = g.get(0);
        assertEquals("params=500, domain=math", pooled.name());
        assertEquals("models/seed1+models/seed2", pooled.model());
        assertEquals(6, pooled.points().trajectoryCount(), "3 math prompts from each of the two sets");
        ActivationSet odd = ActivationSet.open(write("odd", 8, new int[] {8, 8, 8}, HOOKS, prompts(), 2, 500, null));
        InputException e = assertThrows(InputException.class, () -> ActivationGroups.of(List.of(a, odd),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.PARAMS), null)));
        assertTrue(e.getMessage().contains("pools sets of different widths (6 and 8"), e.getMessage());
    }

    @Test
    void anEmptySetGivesAGroupWithNullMetricsAndReasons() throws Exception {
        Path set = write("empty", 4, new int[] {}, HOOKS, List.of(), 2, 1, null);
        List<ActivationGroups.Input> g = ActivationGroups.of(List.of(ActivationSet.open(set)),
                new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), null));
        GeometryAnalysis.Group group = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(g, List.of(), true),
                GeometryAnalysis.Options.defaults().withBootstrap(20)).groups().get(0);
        assertEquals(0, group.nPoints());
        assertNull(group.participationRatio());
        assertTrue(group.reasons().get("participation_ratio").contains("at least 2 points"), group.reasons().toString());
        assertTrue(group.reasons().get("bootstrap").contains("need at least 2"), group.reasons().toString());
    }
}
