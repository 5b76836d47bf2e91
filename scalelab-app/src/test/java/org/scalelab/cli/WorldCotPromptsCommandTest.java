package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.Prompt;

/** {@code scalelab world cot-prompts}: counts by domain and hops, both forms, the split, an existing file kept without --force. */
class WorldCotPromptsCommandTest {
    @TempDir Path dir;

    @Test
    void writesTheTrajectoriesAsPromptsInBothForms() throws Exception {
        Path world = dir.resolve("world");
        new CliRun("world", "generate", "--out", world.toString(), "--entities", "16", "--relations", "4", "--compositions", "40",
                "--truth-facts", "20", "--trajectories", "12", "--json").json();
        long trajectories = Files.readAllLines(world.resolve("world.jsonl")).stream().filter(l -> l.contains("\"kind\":\"trajectory\"")).count();
        Path out = dir.resolve("cot.jsonl");
        JsonNode r = new CliRun("world", "cot-prompts", "--world", world.toString(), "--out", out.toString(), "--json").json();
        assertEquals(trajectories, r.get("prompts").asLong());
        int sum = 0;
        for (JsonNode byHops : r.get("domains")) {
            for (JsonNode n : byHops) {
                sum += n.asInt();
            }
        }
        assertEquals(trajectories, sum);
        List<Prompt> questions = Prompt.readJsonl(out);
        assertTrue(questions.stream().allMatch(p -> p.text().endsWith("<think>") && p.stepBoundaries().isEmpty()));

        Path chains = dir.resolve("chains.jsonl");
        JsonNode c = new CliRun("world", "cot-prompts", "--world", world.toString(), "--out", chains.toString(), "--with-answers", "--split", "train",
                "--json").json();
        List<Prompt> withAnswers = Prompt.readJsonl(chains);
        assertEquals(c.get("prompts").asInt(), withAnswers.size());
        for (Prompt p : withAnswers) {
            assertEquals("train", p.labels().get("split").asText());
            assertEquals(p.labels().get("hops").asInt(), p.stepBoundaries().size(), p.toString());
            assertTrue(p.text().endsWith("<think> " + p.labels().get("answer").asText()), p.toString());
        }

        Files.writeString(out, "mine\n");
        CliRun again = new CliRun("world", "cot-prompts", "--world", world.toString(), "--out", out.toString());
        assertEquals(2, again.code);
        assertEquals(1, again.err.toString().strip().lines().count(), again.err.toString());
        assertEquals("mine\n", Files.readString(out));
        CliRun split = new CliRun("world", "cot-prompts", "--world", world.toString(), "--out", dir.resolve("x.jsonl").toString(), "--split", "test");
        assertEquals(2, split.code);
        assertTrue(split.err.toString().contains("--split: \"test\""), split.err.toString());
        assertTrue(!Files.exists(dir.resolve("x.jsonl")));
    }
}
