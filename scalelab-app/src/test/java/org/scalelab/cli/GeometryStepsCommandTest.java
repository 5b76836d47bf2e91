package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.io.Json;
import org.scalelab.report.GeometryRenderer;

/**
 * {@code scalelab geometry --unit step}: a tiny model captures prompts whose steps the prompts file
 * gives ({@code step_boundaries}); the result, its provenance and its report say the unit; sets
 * that cannot give steps are refused with one line.
 */
class GeometryStepsCommandTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path stepped;

    static Path prompts(String name, boolean withSteps) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String text = "Step one: add " + i + ". Step two: double it. Step three: done.";
            String steps = !withSteps || i == 7 ? "" : ", \"step_boundaries\": [0, 15, 32]";
            lines.add("{\"id\": \"p" + i + "\", \"text\": \"" + text + "\", \"domain\": \"" + (i % 2 == 0 ? "math" : "law") + "\"" + steps + "}");
        }
        return Files.write(dir.resolve(name), lines);
    }

    static Path capture(Path prompts, String name, String positions) {
        Path out = dir.resolve(name);
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks",
                "blocks.*.hook_resid_post,blocks.*.hook_attn_out,blocks.*.hook_mlp_out", "--positions", positions, "--out", out.toString());
        assertEquals(0, c.code, c.err.toString());
        return out;
    }

    @BeforeAll
    static void captureOnce() throws Exception {
        model = CliRun.tinyModel("gpt2", dir.resolve("model"));
        stepped = capture(prompts("steps.jsonl", true), "acts-steps", "all");
    }

    @Test
    void stepsAreThePointsAndTheResultAndReportSaySo() throws Exception {
        Path report = dir.resolve("report");
        JsonNode r = new CliRun("geometry", "--acts", stepped.toString(), "--unit", "step", "--pool", "last", "--null-replicates", "2",
                "--k-range", "2:3", "--json", "--no-store", "--out", report.toString()).json();
        JsonNode g = r.get("groups").get(0);
        assertEquals("step (last)", g.get("unit").asText());
        assertEquals(7, g.get("trajectories").asInt(), "the prompt without steps is left out");
        assertEquals(21, g.get("n_points").asInt(), "three steps per prompt");
        assertTrue(g.get("reasons").get("steps").asText().contains("p7"), g.get("reasons").toString());
        assertTrue(g.get("tangling").isNumber() && g.get("oscillation_coherence").isNumber(), g.toString());
        assertEquals("step", r.get("provenance").get("options").get("unit").asText());
        assertEquals("last", r.get("provenance").get("options").get("pool").asText());
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("Metrics per domain — unit: step (last)") && html.contains("one point per reasoning step"), "report headings");

        CliRun text = new CliRun("geometry", "--acts", stepped.toString(), "--unit", "step", "--null-replicates", "0", "--no-store");
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().startsWith("geometry of 1 group(s) — unit: step (mean)"), text.out.toString());

        JsonNode tokens = new CliRun("geometry", "--acts", stepped.toString(), "--null-replicates", "0", "--json", "--no-store").json();
        assertEquals("token", tokens.get("groups").get(0).get("unit").asText());
        assertEquals(8, tokens.get("groups").get(0).get("trajectories").asInt());

        // A result saved before groups carried a unit reads as tokens.
        ((com.fasterxml.jackson.databind.node.ObjectNode) tokens.get("groups").get(0)).remove("unit");
        GeometryAnalysis.Result old = Json.mapper().treeToValue(tokens, GeometryAnalysis.Result.class);
        assertTrue(GeometryRenderer.ofGroups(List.of()).text(old).startsWith("geometry of 1 group(s) — unit: token;"));
    }

    @Test
    void aSetWithoutStepBoundariesIsRefusedInOneLine() throws Exception {
        Path flat = capture(prompts("flat.jsonl", false), "acts-flat", "all");
        CliRun r = new CliRun("geometry", "--acts", flat.toString(), "--unit", "step", "--no-store");
        assertEquals(2, r.code);
        String err = r.err.toString().strip();
        assertTrue(!err.contains("\n") && err.contains(flat.toString()) && err.contains("--steps") && err.contains("step_boundaries"), err);
    }

    @Test
    void aStepWithNoCapturedRowIsRefusedNamingSetTrajectoryAndStep() throws Exception {
        Path last = capture(prompts("last.jsonl", true), "acts-last", "last");
        CliRun r = new CliRun("geometry", "--acts", last.toString(), "--unit", "step", "--no-store");
        assertEquals(2, r.code);
        String err = r.err.toString().strip();
        assertTrue(!err.contains("\n") && err.contains(last.toString()) && err.contains("\"p0\" step 0") && err.contains("--positions all"), err);
    }

    @Test
    void badUnitOrPoolNamesTheFlagAndHelpTeachesBoth() {
        CliRun unit = new CliRun("geometry", "--acts", stepped.toString(), "--unit", "sentence", "--no-store");
        assertEquals(2, unit.code);
        assertTrue(unit.err.toString().contains("--unit: 'sentence' is not one of token, step"), unit.err.toString());
        CliRun pool = new CliRun("geometry", "--acts", stepped.toString(), "--unit", "step", "--pool", "max", "--no-store");
        assertEquals(2, pool.code);
        assertTrue(pool.err.toString().contains("--pool: 'max' is not one of mean, last"), pool.err.toString());
        CliRun tokens = new CliRun("geometry", "--acts", stepped.toString(), "--pool", "last", "--no-store");
        assertEquals(2, tokens.code);
        assertTrue(tokens.err.toString().contains("--pool last pools the tokens of a reasoning step; it needs --unit step"), tokens.err.toString());
        CliRun help = new CliRun("geometry", "--help");
        assertTrue(help.out.toString().contains("--unit=U") && help.out.toString().contains("--pool=P")
                && help.out.toString().contains("step_boundaries"), help.out.toString());
    }
}
