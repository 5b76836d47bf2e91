package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;

/**
 * {@code --steps} on {@code capture} and {@code generate}: the boundaries and rule a set records, the
 * warning for texts without a step, and bad rules refused before anything is written. The tiny model's
 * tokenizer is byte-level, so a step's token position is its byte offset in the text.
 */
class StepsCommandTest {
    @TempDir Path dir;

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asInt()));
        return out;
    }

    @Test
    void captureRecordsTheRuleAndWarnsOnceAboutTextsWithoutAStep() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path prompts = dir.resolve("cot.jsonl");
        Files.writeString(prompts, """
                {"id": "a", "text": "We add.\\n\\nStep 1: 2+2=4\\nStep 2: done", "domain": "math"}
                {"id": "b", "text": "No markers at all", "step_boundaries": [3]}
                {"id": "c", "text": "Neither here", "domain": "math"}
                """);
        Path out = dir.resolve("acts");
        CliRun r = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--steps", "regex:(?m)^Step \\d+:", "--out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        List<String> warnings = r.err.toString().lines().filter(l -> l.startsWith("warning:")).toList();
        assertEquals(List.of("warning: --steps regex:(?m)^Step \\d+: found no step in 2 of the 3 texts captured now (" + out
                + "); their trajectories keep the prompts file's step_boundaries (if any)"), warnings);
        try (ActivationSet set = ActivationSet.open(out)) {
            assertEquals("regex:(?m)^Step \\d+:", set.stepRule());
            assertEquals(List.of(9, 23), set.trajectory("a").stepBoundaries(), "\"We add.\\n\\n\" is 9 bytes, \"Step 1: 2+2=4\\n\" 14 more");
            assertEquals(List.of(3), set.trajectory("b").stepBoundaries(), "no match: the file's boundaries stay");
            assertEquals(List.of(), set.trajectory("c").stepBoundaries());
        }
        // every text cut: no warning
        Path lines = dir.resolve("lines");
        CliRun quiet = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--steps", "newline", "--out", lines.toString());
        assertEquals(0, quiet.code, quiet.err.toString());
        assertFalse(quiet.err.toString().contains("warning"), quiet.err.toString());
        JsonNode manifest = Json.mapper().readTree(Files.readString(lines.resolve("manifest.json")));
        assertEquals("newline", manifest.get("step_rule").asText());
        assertEquals(List.of(0, 9, 23), ints(manifest.at("/trajectories/0/step_boundaries")));
    }

    @Test
    void aBadRuleIsOneLineExit2AndWritesNothing() {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path prompts = dir.resolve("p.jsonl");
        try {
            Files.writeString(prompts, "{\"id\": \"a\", \"text\": \"Step 1: x\"}\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String[][] bad = {{"regex:Step (\\d+", "--steps \"regex:Step (\\d+\": not a valid regular expression"},
            {"paragraph", "--steps \"paragraph\": unknown rule"}, {"marker:", "--steps \"marker:\": the marker is empty"}};
        for (String[] b : bad) {
            Path out = dir.resolve("never");
            CliRun capture = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--steps", b[0], "--out", out.toString());
            CliRun generate = new CliRun("generate", "--model", m.toString(), "--prompts", prompts.toString(), "--steps", b[0], "--max-tokens", "2",
                    "--capture-hooks", "blocks.1.hook_resid_post", "--capture-out", out.toString());
            for (CliRun r : List.of(capture, generate)) {
                assertEquals(2, r.code, r.err.toString());
                assertEquals(1, r.err.toString().strip().lines().count(), r.err.toString());
                assertTrue(r.err.toString().contains(b[1]), r.err.toString());
                assertEquals("", r.out.toString(), "nothing generated or captured");
                assertFalse(Files.exists(out), "nothing written");
            }
        }
        CliRun noSet = new CliRun("generate", "--model", m.toString(), "--prompts", prompts.toString(), "--steps", "newline");
        assertEquals(2, noSet.code);
        assertTrue(noSet.err.toString().contains("--steps: needs --capture-out"), noSet.err.toString());
    }

    @Test
    void generateCutsTheContinuationAndKeepsThePromptsBoundariesAndWhereGenerationStarts() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"id\": \"a\", \"text\": \"Step 1: x. Step 2:\", \"step_boundaries\": [0, 11]}\n");
        Path out = dir.resolve("gen");
        // every character of the continuation starts a step: each fed generated position
        CliRun r = new CliRun("generate", "--model", m.toString(), "--prompts", prompts.toString(), "--max-tokens", "4", "--steps", "regex:(?s).",
                "--capture-hooks", "blocks.1.hook_resid_post", "--capture-out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        JsonNode line = Json.mapper().readTree(r.out.toString().lines().findFirst().orElseThrow());
        try (ActivationSet set = ActivationSet.open(out)) {
            var t = set.trajectory("a");
            int generated = t.tokenCount() - 18;
            String completion = line.get("completion").asText();
            assertTrue(generated == 4 && completion.length() == 4 && completion.chars().allMatch(ch -> ch < 128),
                    "precondition: this model's greedy continuation is 4 ASCII bytes, one character per token: " + line);
            List<Integer> expected = new ArrayList<>(List.of(0, 11));
            for (int i = 0; i < generated - 1; i++) {
                expected.add(18 + i); // "Step 1: x. Step 2:" is 18 bytes; the last generated token is never fed
            }
            assertEquals(expected, t.stepBoundaries());
            assertEquals("regex:(?s).", set.stepRule());
        }
    }
}
