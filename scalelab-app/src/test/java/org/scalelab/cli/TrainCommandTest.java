package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir Path dir;

    private Path tinyModel() {
        Path m = dir.resolve("tiny");
        CliRun init = new CliRun("model", "init", "--family", "gpt_neox", "--d-model", "32", "--layers", "2", "--heads", "4", "--vocab", "257",
                "--max-positions", "64", "--seed", "1", "--out", m.toString());
        assertEquals(0, init.code, init.err.toString());
        return m;
    }

    @Test
    void trainsOnTextPromptCompletionAndTokenLinesThenResumes() throws Exception {
        Path model = tinyModel();
        Path data = Files.write(dir.resolve("train.jsonl"), List.of(
                "{\"text\": \"the cat sat on the mat\"}",
                "",
                "{\"prompt\": \"2+2=\", \"completion\": \"4\"}",
                "{\"tokens\": [5, 9, 2, 7], \"loss_mask\": [0, 0, 0, 1]}",
                "{\"tokens\": [1, 2, 3]}"));
        Path out = dir.resolve("run");
        JsonNode first = new CliRun("train", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--steps", "6", "--lr", "1e-3", "--batch", "2", "--seed", "3", "--checkpoint-every", "3", "--schedule", "constant", "--json").json();
        assertEquals(6, first.get("step").asInt());
        assertEquals(4, first.get("examples").asInt());
        assertTrue(first.get("resumed_from").isNull());
        Path checkpoint = Path.of(first.get("checkpoint").asText());
        assertEquals(out.resolve("checkpoint-00000006"), checkpoint);
        assertEquals(6, Files.readAllLines(out.resolve("train_log.jsonl")).size());

        // The checkpoint is a model folder the other commands read.
        JsonNode info = new CliRun("model", "info", checkpoint.toString(), "--json").json();
        assertEquals("gpt_neox", info.at("/config/family").asText());
        assertTrue(info.get("tokenizer").asBoolean(), "tokenizer.json travels with the checkpoint");

        CliRun again = new CliRun("train", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(), "--steps", "6",
                "--batch", "2", "--seed", "3");
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("--resume"), again.err.toString());

        JsonNode resumed = new CliRun("train", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--steps", "9", "--lr", "1e-3", "--batch", "2", "--seed", "3", "--checkpoint-every", "3", "--schedule", "constant", "--resume",
                "--json").json();
        assertEquals(6, resumed.get("resumed_from").asInt());
        assertEquals(9, resumed.get("step").asInt());
        assertEquals(3, resumed.get("steps_this_run").asInt());
        assertEquals(9, Files.readAllLines(out.resolve("train_log.jsonl")).size());
    }

    @Test
    void badLinesAndOptionsGetOneClearError() throws Exception {
        Path model = tinyModel();
        Path bad = Files.write(dir.resolve("bad.jsonl"), List.of("{\"text\": \"fine\"}", "{\"tokens\": [1, 2], \"loss_mask\": [0]}"));
        CliRun r = new CliRun("train", "--model", model.toString(), "--data", bad.toString(), "--out", dir.resolve("r").toString(), "--steps", "2");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("bad.jsonl:2: field \"loss_mask\" must be an array of 2 entries"), r.err.toString());

        Path big = Files.write(dir.resolve("big.jsonl"), List.of("{\"tokens\": [1, 300]}"));
        r = new CliRun("train", "--model", model.toString(), "--data", big.toString(), "--out", dir.resolve("r").toString(), "--steps", "2");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("token id 300 at position 1 is outside the model's vocabulary [0, 257)"), r.err.toString());

        Path ok = Files.write(dir.resolve("ok.jsonl"), List.of("{\"tokens\": [1, 2]}"));
        r = new CliRun("train", "--model", model.toString(), "--data", ok.toString(), "--out", dir.resolve("r").toString(), "--steps", "2",
                "--schedule", "linear");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("--schedule: \"linear\""), r.err.toString());
        r = new CliRun("train", "--model", model.toString(), "--data", ok.toString(), "--out", dir.resolve("r").toString(), "--steps", "2",
                "--resume");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("no complete checkpoint"), r.err.toString());
        assertTrue(!Files.exists(dir.resolve("r").resolve("checkpoint-00000002")), "no run started on bad input");
    }
}
