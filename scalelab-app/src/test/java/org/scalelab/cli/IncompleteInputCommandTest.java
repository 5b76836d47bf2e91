package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

/**
 * An activation set whose capture was interrupted (its manifest says {@code "complete": false}, as
 * after {@code kill -9}) is refused by every command that reads it, with one line naming the folder
 * and how to finish it; {@code --allow-incomplete} analyses what is there and the result says so.
 */
class IncompleteInputCommandTest {
    @TempDir
    Path dir;

    Path model;
    Path prompts;
    Path acts;

    @BeforeEach
    void captureThenInterrupt() throws Exception {
        model = CliRun.tinyModel("gpt2", dir.resolve("model"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String domain = i % 2 == 0 ? "math" : "law";
            lines.add("{\"id\": \"p" + i + "\", \"text\": \"prompt number " + i + " about " + domain + "\", \"domain\": \"" + domain + "\"}");
        }
        prompts = Files.write(dir.resolve("prompts.jsonl"), lines);
        acts = dir.resolve("acts");
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--out", acts.toString());
        assertEquals(0, c.code, c.err.toString());
        // What a capture killed between two shards leaves: a manifest rewritten with "complete": false.
        Path manifest = acts.resolve("manifest.json");
        ObjectNode m = (ObjectNode) Json.mapper().readTree(Files.readString(manifest));
        m.put("complete", false);
        Files.writeString(manifest, Json.pretty(m) + "\n");
    }

    private void assertRefused(CliRun r) {
        assertEquals(2, r.code, r.err.toString());
        String err = r.err.toString().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(acts.toString()) && err.contains("incomplete") && err.contains("re-run the same capture command")
                && err.contains("--allow-incomplete"), err);
    }

    @Test
    void geometryRefusesAnInterruptedCaptureAndRecordsAllowIncomplete() throws Exception {
        assertRefused(new CliRun("geometry", "--acts", acts.toString(), "--by", "domain", "--json", "--no-store"));

        CliRun allowed = new CliRun("geometry", "--acts", acts.toString(), "--by", "domain", "--allow-incomplete", "--json", "--no-store");
        JsonNode r = allowed.json();
        JsonNode recorded = r.path("provenance").path("options").path("incomplete_inputs");
        assertEquals(1, recorded.size(), r.path("provenance").toString());
        assertEquals(acts.toString(), recorded.get(0).asText());
        assertTrue(allowed.err.toString().contains("incomplete"), allowed.err.toString());
    }

    @Test
    void directionRefusesAnInterruptedCaptureUnlessAllowed() {
        Path out = dir.resolve("d.npy");
        String[] args = {"direction", "--set", acts.toString(), "--hook", "blocks.1.hook_resid_post", "--positive", "domain=math",
            "--negative", "domain=law", "--out", out.toString()};
        assertRefused(new CliRun(args));
        assertTrue(Files.notExists(out), "nothing written when refused");

        List<String> allowing = new ArrayList<>(List.of(args));
        allowing.add("--allow-incomplete");
        CliRun r = new CliRun(allowing.toArray(String[]::new));
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains("incomplete activation set"), r.out.toString());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void reRunningTheCaptureFinishesTheSetAndItIsReadAgain() {
        CliRun resumed = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks",
                "blocks.1.hook_resid_post", "--out", acts.toString());
        assertEquals(0, resumed.code, resumed.err.toString());
        CliRun r = new CliRun("geometry", "--acts", acts.toString(), "--by", "domain", "--json", "--no-store");
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains("\"groups\""));
    }

    @Test
    void aCaptureStoppedByABadPromptIsIncompleteUntilFinished() throws Exception {
        // A prompt whose step boundary lies beyond its tokens stops the capture after the shards before it.
        List<String> lines = new ArrayList<>(Files.readAllLines(prompts));
        lines.set(6, "{\"id\": \"p6\", \"text\": \"short\", \"domain\": \"math\", \"step_boundaries\": [400]}");
        Path bad = Files.write(dir.resolve("bad.jsonl"), lines);
        Path partial = dir.resolve("partial");
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", bad.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--batch", "2", "--shard-mb", "0.001", "--out", partial.toString());
        assertEquals(2, c.code, c.err.toString());
        assertTrue(c.err.toString().contains(bad + ":7: prompt \"p6\": field \"step_boundaries\": 400"), c.err.toString());
        JsonNode m = Json.mapper().readTree(Files.readString(partial.resolve("manifest.json")));
        assertTrue(!m.get("complete").asBoolean() && m.get("trajectories").size() > 0, m.toString());

        CliRun refused = new CliRun("geometry", "--acts", partial.toString(), "--by", "domain", "--json", "--no-store");
        assertEquals(2, refused.code, refused.err.toString());
        assertTrue(refused.err.toString().contains("re-run the same capture command"), refused.err.toString());

        CliRun finished = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--batch", "2", "--shard-mb", "0.001", "--out", partial.toString());
        assertEquals(0, finished.code, finished.err.toString());
        assertEquals(0, new CliRun("geometry", "--acts", partial.toString(), "--by", "domain", "--json", "--no-store").code);
    }
}
