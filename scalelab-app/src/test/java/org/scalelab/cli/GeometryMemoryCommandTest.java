package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * {@code scalelab geometry --memory}: a bound too small for the groups streams them from the shards
 * and gives the in-memory numbers for the exact metrics (the streamed engine repeats the in-memory
 * arithmetic in the same order, so the JSON numbers are compared as equal), and for TwoNN and
 * tangling below their exact limits (there the sampled engine runs the in-memory algorithm); bad bounds and broken
 * sets are one line and exit 2.
 */
class GeometryMemoryCommandTest {
    @TempDir
    Path dir;

    static final List<String> HOOKS = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.1.hook_attn_out",
            "blocks.1.hook_mlp_out", "blocks.1.hook_resid_post");

    /** 16 random-walk trajectories of 8 to 39 rows (d = {@code d}), two domains, in shards of about 4 kB. */
    Path set(String name, int d) {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                1000, d, 2, HOOKS, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path out = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(out, header, 4_000);
        Random rnd = new Random(11);
        for (int k = 0; k < 16; k++) {
            int n = 8 + (k * 7) % 32;
            List<float[]> rows = new ArrayList<>();
            for (int h = 0; h < HOOKS.size(); h++) {
                float[] r = new float[n * d];
                float[] x = new float[d];
                for (int t = 0; t < n; t++) {
                    for (int j = 0; j < d; j++) {
                        x[j] += (float) rnd.nextGaussian() * (1 + (j + h) % 4);
                        r[t * d + j] = x[j] + 20;
                    }
                }
                rows.add(r);
            }
            int[] positions = new int[n];
            for (int t = 0; t < n; t++) {
                positions[t] = t;
            }
            w.add("p" + k, k % 2 == 0 ? "math" : "code", null, List.of(0, 3, 6), n, positions, new int[n], rows);
        }
        w.finish();
        return out;
    }

    static final String[] EXACT = {"participation_ratio", "d90", "d95", "alignment", "step_cosine", "oscillation_coherence"};

    @Test
    void aSmallBoundStreamsEveryGroupAndGivesTheInMemoryExactMetrics() throws Exception {
        Path acts = set("walks", 12);
        for (String unit : new String[] {"token", "step"}) {
            JsonNode mem = new CliRun("geometry", "--acts", acts.toString(), "--by", "domain", "--unit", unit, "--null-replicates", "0",
                    "--k-range", "0", "--json", "--no-store").json();
            // 4 kB holds a few rows of 12 floats but not the covariance work: every group streams, in blocks of one row.
            JsonNode streamed = new CliRun("geometry", "--acts", acts.toString(), "--by", "domain", "--unit", unit, "--null-replicates", "0",
                    "--k-range", "0", "--memory", "4k", "--json", "--no-store").json();
            assertEquals(2, mem.get("groups").size());
            assertEquals(mem.get("groups").size(), streamed.get("groups").size());
            JsonNode engines = streamed.get("provenance").get("options").get("engines");
            assertEquals("4 KiB", streamed.get("provenance").get("options").get("memory").asText());
            for (int i = 0; i < mem.get("groups").size(); i++) {
                JsonNode a = mem.get("groups").get(i);
                JsonNode b = streamed.get("groups").get(i);
                String name = a.get("name").asText();
                assertEquals("in memory", mem.get("provenance").get("options").get("engines").get(name).asText());
                assertEquals("streamed", engines.get(name).asText(), engines.toString());
                assertTrue(b.get("reasons").get("engine").asText().startsWith("streamed from the shards in blocks of 1 rows"), b.toString());
                assertEquals(a.get("n_points"), b.get("n_points"));
                for (String m : EXACT) {
                    assertTrue(a.get(m).isNumber(), m + " in memory: " + a);
                    assertEquals(a.get(m).asDouble(), b.get(m).asDouble(), 0, unit + " " + name + " " + m);
                }
                assertEquals(a.get("explained_variance"), b.get("explained_variance"), unit + " " + name);
                // TwoNN and tangling below the sampled engine's exact limits: the in-memory values.
                for (String m : new String[] {"twonn", "tangling"}) {
                    assertTrue(a.get(m).isNumber(), m + " in memory: " + a);
                    assertEquals(a.get(m).asDouble(), b.get(m).asDouble(), 0, unit + " " + name + " " + m);
                }
            }
        }
    }

    @Test
    void theTextReportSaysAStreamedGroupsEngine() throws Exception {
        Path acts = set("text", 6);
        CliRun r = new CliRun("geometry", "--acts", acts.toString(), "--null-replicates", "0", "--k-range", "0", "--memory", "4k", "--no-store");
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains(": engine — streamed from the shards in blocks of 1 rows (memory bound 4 KiB"), r.out.toString());
        assertTrue(r.out.toString().contains(": silhouette: null — no labels given and k-means is off"), r.out.toString());
    }

    @Test
    void withoutABoundAGroupThatFitsRunsInMemoryAsBefore() throws Exception {
        Path acts = set("fits", 6);
        JsonNode r = new CliRun("geometry", "--acts", acts.toString(), "--null-replicates", "0", "--json", "--no-store").json();
        JsonNode g = r.get("groups").get(0);
        assertEquals("in memory", r.get("provenance").get("options").get("engines").get(g.get("name").asText()).asText());
        assertTrue(g.get("twonn").isNumber() && g.get("tangling").isNumber(), g.toString());
        assertFalse(g.get("reasons").has("engine"));
    }

    static void assertOneLine(CliRun r, String... contains) {
        assertEquals(2, r.code, r.err.toString());
        String err = r.err.toString().strip();
        assertEquals(1, err.lines().count(), err);
        for (String c : contains) {
            assertTrue(err.contains(c), err);
        }
    }

    @Test
    void badBoundsAndBrokenSetsAreOneLineAndExit2WithNothingWritten() throws Exception {
        Path acts = set("broken", 6);
        Path report = dir.resolve("report");
        assertOneLine(new CliRun("geometry", "--acts", acts.toString(), "--memory", "0", "--no-store", "--out", report.toString()), "--memory", "'0'");
        assertOneLine(new CliRun("geometry", "--acts", acts.toString(), "--memory", "3x", "--no-store", "--out", report.toString()), "--memory", "'3x'");
        assertOneLine(new CliRun("geometry", "--acts", acts.toString(), "--hook", "blocks.*.hook_attn_out", "--memory", "1g", "--no-store"),
                "--memory", "give one hook");
        // A shard whose width disagrees with the manifest (another set's shard, d = 4, copied over it).
        Path narrow = set("narrow", 4);
        Path shard = acts.resolve("shard-00001.safetensors");
        Path saved = Files.copy(shard, dir.resolve("saved.safetensors"));
        Files.copy(narrow.resolve("shard-00001.safetensors"), shard, StandardCopyOption.REPLACE_EXISTING);
        assertOneLine(new CliRun("geometry", "--acts", acts.toString(), "--memory", "4k", "--no-store", "--out", report.toString()),
                "shard-00001.safetensors");
        // A missing shard.
        Files.delete(shard);
        assertOneLine(new CliRun("geometry", "--acts", acts.toString(), "--memory", "4k", "--no-store", "--out", report.toString()),
                "shard-00001.safetensors", "missing");
        assertFalse(Files.exists(report), "nothing written");
        Files.copy(saved, shard);
        assertEquals(0, new CliRun("geometry", "--acts", acts.toString(), "--memory", "4k", "--null-replicates", "0", "--no-store").code);
    }

    @Test
    void helpSaysWhereTheDefaultBoundComesFrom() {
        CliRun r = new CliRun("geometry", "--help");
        assertTrue(r.out.toString().replaceAll("\\s+", " ").contains("Default: the JVM's maximum heap (-Xmx"), r.out.toString());
    }

    static String json(JsonNode n) throws Exception {
        return Json.mapper().writeValueAsString(n);
    }
}
