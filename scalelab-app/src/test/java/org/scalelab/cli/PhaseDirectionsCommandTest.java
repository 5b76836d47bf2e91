package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;
import org.scalelab.model.Directions;

/**
 * {@code scalelab phase directions} end to end on activation sets written with {@link ActivationSetWriter}:
 * one result per (set, hook), direction files where the contract puts them, and bad input refused
 * with exit code 2 and one line, nothing written.
 */
class PhaseDirectionsCommandTest {
    static final List<String> HOOKS = List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post", "blocks.1.hook_mlp_out");

    @TempDir
    Path dir;

    /**
     * Trajectories of 2 rows; at blocks.1.hook_resid_post the last row is shifted by ±3 along column 0 by
     * class, elsewhere pure noise. {@code label} null: no labels; {@code nanAt} ≥ 0: a NaN in that trajectory.
     */
    Path set(String name, int d, int perClass, String label, int nanAt) {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                1000L * d, d, 2, HOOKS, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path out = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(out, header, 1 << 20);
        Random r = new Random(d);
        for (int i = 0; i < 2 * perClass; i++) {
            boolean pos = i % 2 == 0;
            ObjectNode labels = Json.mapper().createObjectNode();
            if (label != null) {
                labels.put(label, pos ? "true" : "false");
                labels.put("pair", "q" + i / 2);
                labels.put("split", i / 2 % 2 == 0 ? "train" : "heldout");
            }
            List<float[]> rows = new ArrayList<>();
            for (String hook : HOOKS) {
                float[] v = new float[2 * d];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) r.nextGaussian();
                }
                if (hook.equals("blocks.1.hook_resid_post")) {
                    v[d] += pos ? 3 : -3;
                }
                if (i == nanAt) {
                    v[d + 1] = Float.NaN;
                }
                rows.add(v);
            }
            w.add("t" + i, null, labels, List.of(), 2, new int[] {0, 1}, new int[] {5, 6}, rows);
        }
        w.finish();
        return out;
    }

    static String[] args(Path out, String... first) {
        List<String> a = new ArrayList<>(List.of("phase", "directions"));
        a.addAll(List.of(first));
        a.addAll(List.of("--positive", "labels.truth=true", "--negative", "labels.truth=false", "--resamples", "30", "--no-store"));
        if (out != null) {
            a.addAll(List.of("--out", out.toString()));
        }
        return a.toArray(String[]::new);
    }

    @Test
    void oneResultPerSetAndLayerAndUnitDirectionFilesPerMethod() throws Exception {
        Path small = set("small", 6, 40, "truth", -1);
        Path large = set("large", 10, 40, "truth", -1);
        Path out = dir.resolve("dirs");
        JsonNode r = new CliRun(args(out, "--set", small.toString(), "--set", large.toString(), "--hook", "blocks.*.hook_resid_post", "--json")).json();
        JsonNode results = r.get("results");
        assertEquals(4, results.size(), "2 sets × 2 matching hooks");
        assertEquals("labels.truth=true", r.get("positive").asText());
        for (JsonNode x : results) {
            boolean planted = x.get("hook").asText().equals("blocks.1.hook_resid_post");
            double acc = x.get("probe_held_out_accuracy").asDouble();
            JsonNode ci = x.get("probe_accuracy_ci");
            assertEquals(40, x.get("n_positive").asInt());
            assertTrue(planted ? acc > 0.9 : ci.get(0).asDouble() <= 0.5, x.toString());
            assertEquals(3, x.get("directions").size());
        }
        for (String s : new String[] {"small", "large"}) {
            for (String hook : new String[] {"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"}) {
                for (String m : new String[] {"mean_diff", "pca_diff", "probe"}) {
                    float[] v = Directions.read(out.resolve(s).resolve(hook + "." + m + ".npy"), null);
                    assertEquals(s.equals("small") ? 6 : 10, v.length);
                    double norm = 0;
                    for (float f : v) {
                        norm += f * f;
                    }
                    assertEquals(1, Math.sqrt(norm), 1e-5, s + " " + hook + " " + m);
                    if (hook.startsWith("blocks.1")) {
                        assertTrue(v[0] > 0.8, "points toward the positive class along the planted column: " + m + " " + v[0]);
                    }
                }
            }
            assertFalse(Files.exists(out.resolve(s).resolve("blocks.1.hook_mlp_out.probe.npy")), "only the hooks asked for");
        }
        assertTrue(Files.exists(out.resolve("index.html")) && Files.exists(out.resolve("result.json")));

        CliRun again = new CliRun(args(out, "--set", small.toString(), "--hook", "blocks.1.hook_resid_post"));
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("--force"), again.err.toString());
        assertTrue(Files.exists(out.resolve("large")), "the earlier output is kept");
        CliRun forced = new CliRun(args(out, "--set", small.toString(), "--hook", "blocks.1.hook_resid_post", "--force"));
        assertEquals(0, forced.code, forced.err.toString());
        assertFalse(Files.exists(out.resolve("large")), "replaced as a whole");
        assertTrue(forced.out.toString().contains("probe acc"), forced.out.toString());

        JsonNode half = new CliRun(args(null, "--set", small.toString(), "--hook", "blocks.1.hook_resid_post", "--where", "labels.split=train",
                "--json")).json().get("results").get(0);
        assertEquals(20, half.get("n_positive").asInt(), "--where keeps the training half");
        assertEquals(20, half.get("n_negative").asInt());
        refused(new CliRun(args(null, "--set", small.toString(), "--hook", "blocks.1.hook_resid_post", "--where", "labels.pair=q3")),
                "at least 2");
    }

    static void refused(CliRun r, String... mentions) {
        assertEquals(2, r.code, r.out + "\n" + r.err);
        String err = r.err.toString().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        for (String m : mentions) {
            assertTrue(err.contains(m), "names " + m + ": " + err);
        }
    }

    @Test
    void badInputIsOneLineWithExitCode2AndWritesNothing() {
        Path good = set("good", 4, 6, "truth", -1);
        Path out = dir.resolve("never");
        refused(new CliRun(args(out, "--set", good.toString(), "--hook", "blocks.7.hook_resid_post")), "blocks.7.hook_resid_post", "good");
        refused(new CliRun(args(out, "--set", good.toString(), "--hook", "blocks.*.hook_attn_out")), "blocks.*.hook_attn_out");
        Path unlabelled = set("unlabelled", 4, 6, null, -1);
        refused(new CliRun(args(out, "--set", unlabelled.toString(), "--hook", "blocks.0.hook_resid_post")), "0 of 12 trajectories carry labels.truth");
        refused(new CliRun("phase", "directions", "--set", good.toString(), "--hook", "blocks.0.hook_resid_post", "--positive", "labels.truth=true",
                "--negative", "labels.truth=maybe", "--no-store", "--out", out.toString()), "labels.truth=maybe");
        Path nan = set("nan", 4, 6, "truth", 5);
        refused(new CliRun(args(out, "--set", nan.toString(), "--hook", "blocks.0.hook_resid_post")), "t5", "non-finite");
        refused(new CliRun(args(good.resolve("dirs"), "--set", good.toString(), "--hook", "blocks.0.hook_resid_post")), "inside the input activation set");
        refused(new CliRun(args(out, "--set", good.toString(), "--hook", "blocks.0.hook_resid_post", "--holdout", "1.5")), "--holdout");
        assertFalse(Files.exists(out), "nothing written");
        assertFalse(Files.exists(good.resolve("dirs")));
    }
}
