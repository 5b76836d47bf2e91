package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

class WorldCommandTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesTheWorldFilesAndReportsSplitSizes() throws Exception {
        Path out = dir.resolve("w");
        JsonNode j = new CliRun("world", "generate", "--out", out.toString(), "--entities", "40", "--relations", "8", "--seed", "3",
                "--json").json();
        assertEquals(40, j.at("/config/entities").asInt());
        assertEquals(3, j.at("/config/seed").asInt());
        for (String f : List.of("world.json", "world.jsonl", "vocab.json", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        List<String> lines = Files.readAllLines(out.resolve("world.jsonl"));
        int total = 0;
        for (var it = j.at("/split_sizes/eval_sets").fields(); it.hasNext(); ) {
            total += it.next().getValue().asInt();
        }
        assertEquals(lines.size(), total, "every line counted in exactly one evaluation set");
        JsonNode first = Json.mapper().readTree(lines.get(0));
        for (String field : List.of("id", "text", "target", "split", "domain", "labels", "kind", "eval_set")) {
            assertTrue(first.has(field), field + " in " + first);
        }
        // 20 entities per category × 0.25 → 5 held-out analogies: a warning says it is too few to measure.
        assertEquals(5, j.at("/split_sizes/eval_sets/analogical_ood").asInt());
        assertTrue(j.at("/split_sizes/warnings").toString().contains("analogical_ood: only 5 examples"), j.toString());

        Path again = dir.resolve("w2");
        CliRun table = new CliRun("world", "generate", "--out", again.toString(), "--entities", "40", "--relations", "8", "--seed", "3");
        assertEquals(0, table.code, table.err.toString());
        assertTrue(table.out.toString().contains("compositional_far_ood"), table.out.toString());
        assertTrue(table.err.toString().contains("warning: analogical_ood"), table.err.toString());
        assertArrayEquals(Files.readAllBytes(out.resolve("world.jsonl")), Files.readAllBytes(again.resolve("world.jsonl")), "same seed, same bytes");
    }

    @Test
    void impossibleWorldsExitWith2AndOneLine() {
        CliRun zero = new CliRun("world", "generate", "--out", dir.resolve("z").toString(), "--entities", "0");
        assertEquals(2, zero.code);
        assertTrue(zero.err.toString().contains("--entities 0"), zero.err.toString());
        assertEquals(1, zero.err.toString().strip().lines().count(), zero.err.toString());
        CliRun all = new CliRun("world", "generate", "--out", dir.resolve("a").toString(), "--analogy-holdout", "1");
        assertEquals(2, all.code);
        assertTrue(all.err.toString().contains("--analogy-holdout"), all.err.toString());
        CliRun domain = new CliRun("world", "generate", "--out", dir.resolve("d").toString(), "--domains", "chain,weather");
        assertEquals(2, domain.code);
        assertTrue(domain.err.toString().contains("weather"), domain.err.toString());
        assertTrue(!Files.exists(dir.resolve("z")), "nothing written before the config is checked");
    }

    private static final String[] TINY = {"--entities", "16", "--relations", "4", "--compositions", "40", "--truth-facts", "10",
        "--trajectories", "10", "--steps", "60", "--batch", "16", "--lr", "3e-3", "--eval-per-decade", "4"};

    private String[] args(String... head) {
        List<String> a = new java.util.ArrayList<>(List.of(head));
        a.addAll(List.of(TINY));
        return a.toArray(String[]::new);
    }

    @Test
    void sweepThenReportThenCaptureOnATinyWorld() throws Exception {
        String lab = dir.resolve("lab").toString();
        JsonNode sweep = new CliRun(args("world", "sweep", "--lab", lab, "--experiment", "tiny", "--widths", "16,32", "--depths", "1",
                "--seeds", "1", "--json")).json();
        assertEquals(2, sweep.get("runs").asInt());
        assertEquals(2, sweep.get("trained").asInt());
        assertEquals("finished", sweep.at("/results/0/status").asText());
        assertTrue(sweep.at("/results/0/final_metrics").has("accuracy.analogical_ood"), sweep.toString());
        JsonNode again = new CliRun(args("world", "sweep", "--lab", lab, "--experiment", "tiny", "--widths", "16,32", "--depths", "1",
                "--seeds", "1", "--json")).json();
        assertEquals(2, again.get("skipped").asInt(), "finished runs are skipped");

        Path reportDir = dir.resolve("report");
        JsonNode report = new CliRun("world", "report", "--lab", lab, "--experiment", "tiny", "--out", reportDir.toString(), "--json").json();
        assertEquals(2, report.get("runs").size());
        assertEquals(2, report.get("cells").size());
        assertTrue(report.get("scaling").size() > 0, "final/peak accuracy vs width at depth 1");
        assertTrue(report.at("/scaling/0/shape").has("shape") || report.at("/scaling/0/shape/status").asText().equals("degenerate"));
        // Every call carries its test against the binomial null; one seed per cell gives a range, not an interval.
        JsonNode transience = report.at("/cells/0/transience/0");
        assertTrue(transience.at("/test/p_value").isNumber() && transience.at("/test/threshold").isNumber(), transience.toString());
        assertTrue(transience.at("/drop/ci95").isNull(), transience.toString());
        assertEquals("n seeds 1 < 3, no CI", transience.at("/drop/no_ci").asText(), transience.toString());
        assertTrue(report.at("/cells/0/emergence/0/test/p_value").isNumber());
        assertTrue(report.at("/scaling/0/test/p_value").isNumber());
        assertTrue(Files.isRegularFile(reportDir.resolve("index.html")));
        assertTrue(Files.isRegularFile(reportDir.resolve("alignment_vs_analogy.svg")));

        JsonNode cap = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--json").json();
        assertEquals(2, cap.size(), "one activation set per model size");
        Path set = Path.of(cap.at("/0/out").asText());
        JsonNode manifest = Json.mapper().readTree(Files.readString(set.resolve("manifest.json")));
        assertTrue(manifest.get("complete").asBoolean());
        boolean sawSteps = false;
        boolean sawTruth = false;
        for (JsonNode t : manifest.get("trajectories")) {
            sawSteps |= t.path("step_boundaries").size() >= 2 && !t.path("domain").isNull();
            sawTruth |= t.at("/labels/truth").isBoolean();
        }
        assertTrue(sawSteps && sawTruth, "trajectories with step boundaries and domains, truth statements with labels");

        // the phase prompt sets, captured per size at their last position into their own folders
        Path phase = dir.resolve("phase");
        new CliRun("world", "phase-prompts", "--world", WorldLab.worldDir(Path.of(lab), "tiny").toString(), "--out", phase.toString(), "--json")
                .json();
        String truth = phase.resolve("truth-prompts.jsonl").toString();
        String reasoning = phase.resolve("reasoning-prompts.jsonl").toString();
        CliRun repeated = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--prompts", truth, "--prompts", truth,
                "--name", "phase", "--json");
        assertEquals(2, repeated.code, repeated.err.toString());
        assertEquals(1, repeated.err.toString().strip().lines().count(), repeated.err.toString());
        assertTrue(repeated.err.toString().contains("repeats"), repeated.err.toString());
        JsonNode phaseSets = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--prompts", truth, "--prompts", reasoning,
                "--positions", "last", "--name", "phase", "--hooks", "blocks.*.hook_resid_post,blocks.*.attn.hook_result", "--json").json();
        assertEquals(2, phaseSets.size());
        for (JsonNode s : phaseSets) {
            assertTrue(s.get("out").asText().endsWith("world-tiny-phase-" + s.get("size").asText()), s.toString());
            assertEquals(s.get("trajectories").asInt(), s.get("rows").asInt(), "one row per prompt: " + s);
            assertEquals(Files.readAllLines(Path.of(truth)).size() + Files.readAllLines(Path.of(reasoning)).size(), s.get("trajectories").asInt());
        }
        // the truth statements cut at every entity: a word-level tokenizer, so a step's position is its word's index
        JsonNode entitySteps = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--prompts", truth, "--name", "steps",
                "--positions", "last", "--steps", "regex:<e_\\d+>", "--json").json();
        Path stepsSet = Path.of(entitySteps.at("/0/out").asText());
        JsonNode stepsManifest = Json.mapper().readTree(Files.readString(stepsSet.resolve("manifest.json")));
        assertEquals("regex:<e_\\d+>", stepsManifest.get("step_rule").asText());
        List<String> truthLines = Files.readAllLines(Path.of(truth));
        for (int i = 0; i < truthLines.size(); i++) {
            String[] words = Json.mapper().readTree(truthLines.get(i)).get("text").asText().split(" ");
            List<Integer> entities = new java.util.ArrayList<>();
            for (int w = 0; w < words.length; w++) {
                if (words[w].matches("<e_\\d+>")) {
                    entities.add(w);
                }
            }
            List<Integer> recorded = new java.util.ArrayList<>();
            stepsManifest.at("/trajectories/" + i + "/step_boundaries").forEach(x -> recorded.add(x.asInt()));
            assertEquals(entities, recorded, truthLines.get(i));
        }
        CliRun badRule = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--name", "bad", "--steps", "regex:[");
        assertEquals(2, badRule.code);
        assertEquals(1, badRule.err.toString().strip().lines().count(), badRule.err.toString());
        assertTrue(badRule.err.toString().contains("--steps \"regex:[\": not a valid regular expression"), badRule.err.toString());
        assertFalse(Files.exists(Path.of(lab, "activations", "world-tiny-bad-w16-d1")));

        CliRun badName = new CliRun("world", "capture", "--lab", lab, "--experiment", "tiny", "--name", "../x");
        assertEquals(2, badName.code);
        assertTrue(badName.err.toString().contains("--name"), badName.err.toString());
    }

    @Test
    void aSweepWithAnImpossibleCellFailsBeforeAnythingStarts() {
        String lab = dir.resolve("lab").toString();
        CliRun r = new CliRun(args("world", "sweep", "--lab", lab, "--experiment", "bad", "--widths", "16,30", "--depths", "1", "--seeds", "1"));
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("--heads 4: must be positive and divide --width 30"), r.err.toString());
        assertTrue(!Files.exists(dir.resolve("lab").resolve("worlds").resolve("bad")), "no world written, no run started");
        CliRun noRuns = new CliRun("world", "report", "--lab", lab, "--experiment", "nothing");
        assertEquals(2, noRuns.code);
        assertTrue(noRuns.err.toString().contains("no runs"), noRuns.err.toString());
        CliRun fewReplicates = new CliRun("world", "report", "--lab", lab, "--experiment", "nothing", "--null-replicates", "5");
        assertEquals(2, fewReplicates.code);
        assertTrue(fewReplicates.err.toString().contains("--null-replicates 5: at least 19"), fewReplicates.err.toString());
    }

    @Test
    void theDemoArgumentsAreValidCommandLines() {
        picocli.CommandLine cl = Main.commandLine();
        // Parsing checks every option name and value type without training anything.
        cl.parseArgs(WorldDemo.sweepArgs(dir.resolve("lab")));
        cl = Main.commandLine();
        cl.parseArgs(WorldDemo.reportArgs(dir.resolve("lab"), dir.resolve("out")));
        assertTrue(List.of(WorldDemo.sweepArgs(dir)).contains(WorldDemo.EXPERIMENT));
    }
}
