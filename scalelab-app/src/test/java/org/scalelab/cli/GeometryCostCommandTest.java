package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.geometry.ThoughtCost;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * {@code scalelab geometry cost} on activation sets written with known steps, difficulties and sizes:
 * the per-trajectory rows in the JSON and the CSV (each value from the manifest), the report, the
 * refusal to overwrite a CSV without --force, bad input, and {@code geometry} without the subcommand.
 */
class GeometryCostCommandTest {
    @TempDir
    Path dir;

    static final int D = 8;
    static final String HOOK = "blocks.1.hook_resid_post";

    /**
     * A set of 2 domains × 12 trajectories: trajectory i has 2 + i % 5 steps of 3 tokens after 2 prompt
     * tokens (boundaries at 2, 5, 8, …), a random walk; difficulty i % 4 + 1 unless {@code difficulty} is false;
     * no boundaries at all when {@code steps} is false.
     */
    static Path writeSet(Path out, String model, boolean difficulty, boolean steps, float poison) {
        return writeSet(out, model, difficulty ? null : "", steps, poison, 50_000);
    }

    /** As above; {@code difficultyText} null: numeric difficulties, "": none, else that text as every difficulty. */
    static Path writeSet(Path out, String model, String difficultyText, boolean steps, float poison, long parameters) {
        boolean difficulty = difficultyText == null || !difficultyText.isEmpty();
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, model, "gpt2",
                parameters, D, 2, List.of(HOOK), "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        ActivationSetWriter w = ActivationSetWriter.open(out, header, 1 << 14);
        SplittableRandom r = new SplittableRandom(model.hashCode());
        for (String domain : List.of("law", "math")) {
            for (int i = 0; i < 12; i++) {
                int stepCount = 2 + i % 5;
                int tokens = 2 + 3 * stepCount;
                List<Integer> bounds = new ArrayList<>();
                for (int s = 0; steps && s < stepCount; s++) {
                    bounds.add(2 + 3 * s);
                }
                int[] positions = new int[tokens];
                int[] ids = new int[tokens];
                float[] rows = new float[tokens * D];
                double[] x = new double[D];
                for (int t = 0; t < tokens; t++) {
                    positions[t] = t;
                    ids[t] = 5 + t;
                    for (int j = 0; j < D; j++) {
                        x[j] += r.nextGaussian();
                        rows[t * D + j] = (float) x[j];
                    }
                }
                if (i == 3 && domain.equals("math")) {
                    rows[D + 1] = poison;
                }
                ObjectNode labels = Json.mapper().createObjectNode();
                if (difficulty && difficultyText == null) {
                    labels.put("difficulty", i % 4 + 1);
                } else if (difficulty) {
                    labels.put("difficulty", difficultyText);
                }
                w.add(domain + i, domain, labels, bounds, tokens, positions, ids, List.of(rows));
            }
        }
        w.finish();
        return out;
    }

    @Test
    void perTrajectoryRowsReachTheJsonTheCsvAndTheReport() throws Exception {
        Path set = writeSet(dir.resolve("set"), "models/small", true, true, 0.5f);
        Path csv = dir.resolve("rows.csv");
        Path report = dir.resolve("report");
        JsonNode r = new CliRun("geometry", "cost", "--acts", set.toString(), "--cost", "steps", "--unit", "step", "--bootstrap", "200",
                "--trajectories-out", csv.toString(), "--out", report.toString(), "--json", "--no-store").json();
        assertEquals("steps", r.get("cost").asText());
        assertEquals("step (mean)", r.get("unit").asText());
        JsonNode rows = r.get("trajectories");
        assertEquals(24, rows.size());
        for (JsonNode row : rows) {
            int i = Integer.parseInt(row.get("id").asText().replaceAll("\\D", ""));
            int stepCount = 2 + i % 5;
            int tokens = 2 + 3 * stepCount;
            assertEquals(stepCount, row.get("steps").asInt(), row.toString());
            assertEquals(tokens, row.get("tokens").asInt());
            assertEquals(i % 4 + 1, row.get("difficulty").asDouble(), 0.0);
            assertEquals(ThoughtCost.forwardFlops(50_000, 2, D, tokens), row.get("flops").asDouble(), 0.0);
            assertTrue(row.get("tangling").isNumber() && row.get("alignment").isNumber(), row.toString());
            // a trajectory of two steps has one step vector: no pair of consecutive steps for a cosine
            assertEquals(stepCount >= 3, row.get("step_cosine").isNumber(), row.toString());
        }
        JsonNode groups = r.get("groups");
        assertEquals(2, groups.size(), "one per domain");
        for (JsonNode g : groups) {
            assertEquals(12, g.get("trajectories").asInt());
            assertTrue(g.get("answer").asText().startsWith(g.get("name").asText()), g.toString());
            assertEquals(ThoughtCost.MEASURES.size() * 3 + 1, g.get("associations").size());
            JsonNode difficulty = g.get("associations").get(3);
            assertEquals("difficulty", difficulty.get("with").asText());
            assertTrue(difficulty.get("rho").isNumber() && difficulty.get("ci").size() == 2, difficulty.toString());
        }
        assertTrue(r.get("answer").asText().startsWith("Across 2 model × domain groups"), r.get("answer").asText());

        List<String> lines = Files.readAllLines(csv);
        assertEquals(25, lines.size());
        assertEquals("id,model,parameter_count,domain,difficulty,tokens,steps,flops,tangling,step_cosine,alignment", lines.get(0));
        String[] first = lines.get(1).split(",", -1);
        assertEquals(rows.get(0).get("id").asText(), first[0]);
        assertEquals(rows.get(0).get("tangling").asDouble(), Double.parseDouble(first[8]), 0.0);
        assertEquals("", first[9], "law0 has two steps: no step cosine, an empty field");
        assertTrue(Files.isRegularFile(report.resolve("index.html")));
        assertTrue(Files.isRegularFile(report.resolve("cost-tangling-0.svg")));
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("The cost of thought") && html.contains("domain=math"), "report sections");

        // an existing CSV is kept unless --force
        Files.writeString(csv, "mine\n");
        CliRun again = new CliRun("geometry", "cost", "--acts", set.toString(), "--trajectories-out", csv.toString(), "--bootstrap", "0",
                "--no-store");
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("--trajectories-out") && again.err.toString().contains("--force"), again.err.toString());
        assertEquals("mine\n", Files.readString(csv));
        CliRun forced = new CliRun("geometry", "cost", "--acts", set.toString(), "--trajectories-out", csv.toString(), "--bootstrap", "0",
                "--force", "--no-store");
        assertEquals(0, forced.code, forced.err.toString());
        assertEquals(25, Files.readAllLines(csv).size());
        assertTrue(forced.out.toString().contains("cannot say: no intervals were computed (--bootstrap 0)"), forced.out.toString());
    }

    @Test
    void missingDifficultyIsSaidNotAnError() throws Exception {
        Path set = writeSet(dir.resolve("plain"), "models/plain", false, true, 0.5f);
        JsonNode r = new CliRun("geometry", "cost", "--acts", set.toString(), "--bootstrap", "100", "--json", "--no-store").json();
        for (JsonNode g : r.get("groups")) {
            assertEquals("CANNOT_SAY", g.get("verdict").asText());
            assertTrue(g.get("answer").asText().contains("labels.difficulty"), g.get("answer").asText());
            assertTrue(g.get("associations").get(0).get("rho").isNumber(), "cost against tangling is still computed");
        }
        assertTrue(r.get("trajectories").get(0).get("difficulty").isNull());
        // difficulty read from another label: the world's trajectories carry theirs as labels.hops
        Path numeric = writeSet(dir.resolve("numeric"), "models/numeric", true, true, 0.5f);
        JsonNode other = new CliRun("geometry", "cost", "--acts", numeric.toString(), "--difficulty", "level", "--bootstrap", "100", "--json",
                "--no-store").json();
        assertTrue(other.get("groups").get(0).get("answer").asText().contains("labels.level"), other.get("groups").get(0).get("answer").asText());
        assertEquals("level", other.get("provenance").get("options").get("difficulty_label").asText());
    }

    @Test
    void badInputNamesTheFieldAndValue() {
        Path noSteps = writeSet(dir.resolve("nosteps"), "models/a", true, false, 0.5f);
        CliRun steps = new CliRun("geometry", "cost", "--acts", noSteps.toString(), "--cost", "steps", "--no-store");
        assertEquals(2, steps.code);
        assertTrue(steps.err.toString().contains("--cost steps") && steps.err.toString().contains("no step_boundaries"), steps.err.toString());
        CliRun unit = new CliRun("geometry", "cost", "--acts", noSteps.toString(), "--cost", "watts", "--no-store");
        assertEquals(2, unit.code);
        assertTrue(unit.err.toString().contains("--cost: 'watts'"), unit.err.toString());
        Path nan = writeSet(dir.resolve("nan"), "models/b", true, true, Float.NaN);
        CliRun bad = new CliRun("geometry", "cost", "--acts", nan.toString(), "--no-store");
        assertEquals(2, bad.code);
        assertTrue(bad.err.toString().contains("math3") && bad.err.toString().contains("NaN"), bad.err.toString());
        Path words = writeSet(dir.resolve("words"), "models/d", "hard", true, 0.5f, 50_000);
        CliRun text = new CliRun("geometry", "cost", "--acts", words.toString(), "--no-store");
        assertEquals(2, text.code);
        assertTrue(text.err.toString().contains("trajectory \"law0\" has labels.difficulty = \"hard\", not a finite number"), text.err.toString());
        Path sizeless = writeSet(dir.resolve("sizeless"), "models/e", null, true, 0.5f, 0);
        CliRun flops = new CliRun("geometry", "cost", "--acts", sizeless.toString(), "--cost", "flops", "--no-store");
        assertEquals(2, flops.code);
        assertTrue(flops.err.toString().contains("--cost flops") && flops.err.toString().contains("parameter_count 0"), flops.err.toString());
        Path empty = dir.resolve("empty");
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/c", "gpt2",
                50_000, D, 2, List.of(HOOK), "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        ActivationSetWriter.open(empty, header, 1 << 14).finish();
        CliRun none = new CliRun("geometry", "cost", "--acts", empty.toString(), "--no-store");
        assertEquals(2, none.code);
        assertTrue(none.err.toString().contains("no trajectories to analyse"), none.err.toString());
    }

    @Test
    void geometryWithoutTheSubcommandStillRuns() throws Exception {
        Path set = writeSet(dir.resolve("set"), "models/small", true, true, 0.5f);
        JsonNode r = new CliRun("geometry", "--acts", set.toString(), "--by", "domain", "--null-replicates", "0", "--json", "--no-store").json();
        assertEquals(2, r.get("groups").size());
        assertNotNull(r.get("groups").get(0).get("tangling"));
        CliRun help = new CliRun("geometry", "--help");
        assertTrue(help.out.toString().contains("cost"), help.out.toString());
    }
}
