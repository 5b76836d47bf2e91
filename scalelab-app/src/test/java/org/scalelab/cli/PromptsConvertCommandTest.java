package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.Prompt;

/** {@code scalelab prompts convert}: writes a set the prompts reader accepts; bad rows and existing files are one line, exit 2, nothing written. */
class PromptsConvertCommandTest {
    @TempDir Path dir;

    @Test
    void convertsMathRowsAndReportsTheRowsWithoutADifficulty() throws Exception {
        Path in = dir.resolve("math.jsonl");
        Files.writeString(in, "{\"problem\": \"What is $2+2$?\", \"level\": \"Level 2\", \"type\": \"Algebra\"}\n"
                + "{\"problem\": \"What is $3+3$?\", \"level\": \"Level ?\", \"type\": \"Algebra\"}\n"
                + "{\"problem\": \"Count the ways.\", \"level\": \"Level 4\", \"type\": \"Counting & Probability\"}\n");
        Path out = dir.resolve("sets/math-prompts.jsonl");
        JsonNode r = new CliRun("prompts", "convert", "--from", "math", in.toString(), "--out", out.toString(), "--json").json();
        assertEquals(3, r.get("prompts").asInt());
        assertEquals(1, r.get("without_difficulty").asInt());
        assertEquals(2, r.at("/domains/Algebra").asInt());
        List<Prompt> prompts = Prompt.readJsonl(out);
        assertEquals(List.of(2, 4), List.of(prompts.get(0).labels().get("difficulty").asInt(), prompts.get(2).labels().get("difficulty").asInt()));

        CliRun text = new CliRun("prompts", "convert", "--from", "math", in.toString(), "--out", dir.resolve("t.jsonl").toString());
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().contains("3 prompts (Algebra 2, Counting & Probability 1)"), text.out.toString());
        assertTrue(text.out.toString().contains("1 prompt(s) without a difficulty (level \"Level ?\")"), text.out.toString());
    }

    @Test
    void refusesBadRowsAndExistingFilesWithOneLineAndWritesNothing() throws Exception {
        Path in = dir.resolve("gsm8k.jsonl");
        Files.writeString(in, "{\"question\": \"Q1?\", \"answer\": \"a\\n#### 1\"}\n{\"question\": \"Q2?\", \"answer\": 2}\n");
        Path out = dir.resolve("out.jsonl");
        CliRun bad = new CliRun("prompts", "convert", "--from", "gsm8k", in.toString(), "--out", out.toString());
        assertEquals(2, bad.code);
        assertEquals(1, bad.err.toString().strip().lines().count(), bad.err.toString());
        assertTrue(bad.err.toString().contains(in + ":2: field \"answer\": 2 is not a string"), bad.err.toString());
        assertFalse(Files.exists(out), "nothing written");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }

        Files.writeString(out, "mine\n");
        Files.writeString(in, "{\"question\": \"Q1?\", \"answer\": \"a\\n#### 1\"}\n");
        CliRun exists = new CliRun("prompts", "convert", "--from", "gsm8k", in.toString(), "--out", out.toString());
        assertEquals(2, exists.code);
        assertTrue(exists.err.toString().contains("--force"), exists.err.toString());
        assertEquals("mine\n", Files.readString(out));
        assertEquals(0, new CliRun("prompts", "convert", "--from", "gsm8k", in.toString(), "--out", out.toString(), "--force").code);
        assertEquals(1, Prompt.readJsonl(out).size());

        CliRun layout = new CliRun("prompts", "convert", "--from", "mmlu", in.toString(), "--out", dir.resolve("x.jsonl").toString());
        assertEquals(2, layout.code);
        assertTrue(layout.err.toString().contains("--from: \"mmlu\" is not one of gsm8k, math, generic"), layout.err.toString());
    }
}
