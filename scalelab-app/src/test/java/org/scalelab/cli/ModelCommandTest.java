package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

class ModelCommandTest {
    @TempDir
    Path dir;

    private static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code;

        Run(String... args) {
            code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        }

        JsonNode json() throws Exception {
            assertEquals(0, code, err.toString());
            return Json.mapper().readTree(out.toString());
        }
    }

    @Test
    void initWritesAGpt2CheckpointThatInfoDescribes() throws Exception {
        Path m = dir.resolve("tiny");
        Run init = new Run("model", "init", "--family", "gpt2", "--d-model", "64", "--layers", "2", "--heads", "4", "--vocab", "256",
                "--max-positions", "128", "--seed", "1", "--out", m.toString());
        assertEquals(0, init.code, init.err.toString());
        assertTrue(Files.isRegularFile(m.resolve("config.json")) && Files.isRegularFile(m.resolve("model.safetensors")));
        JsonNode info = new Run("model", "info", m.toString(), "--json").json();
        assertEquals("gpt2", info.at("/config/family").asText());
        assertEquals(64, info.at("/config/d_model").asInt());
        // GPT-2: V·d + P·d + L·(12d² + 13d) + 2d.
        assertEquals(256 * 64 + 128 * 64 + 2 * (12 * 64 * 64 + 13 * 64) + 2 * 64, info.get("parameter_count").asLong());
        assertEquals("model.safetensors", info.at("/weight_files/0").asText());
        assertTrue(info.get("tokenizer").asBoolean(), "vocab 256 gets a byte-level tokenizer.json");
        Run table = new Run("model", "info", m.toString());
        assertEquals(0, table.code);
        assertTrue(table.out.toString().contains("gpt2") && table.out.toString().contains("parameters"), table.out.toString());
    }

    @Test
    void initWritesALlamaCheckpointWithGroupedQueryAttention() throws Exception {
        Path m = dir.resolve("llama");
        JsonNode info = new Run("model", "init", "--family", "llama", "--d-model", "64", "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--vocab", "256", "--seed", "1", "--out", m.toString(), "--json").json();
        assertEquals("llama", info.at("/config/family").asText());
        assertEquals(2, info.at("/config/n_kv_heads").asInt());
        assertEquals(176, info.at("/config/d_mlp").asInt(), "8/3 · 64 = 170.7, rounded up to a multiple of 8");
    }

    @Test
    void badInputIsOneLineWithExitCode2() {
        Run r = new Run("model", "init", "--family", "mamba", "--d-model", "64", "--layers", "2", "--heads", "4", "--vocab", "256",
                "--out", dir.resolve("x").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("supported: gemma, gemma2, gpt2"), r.err.toString());
        Run missing = new Run("model", "info", dir.resolve("nothing").toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.toString().contains("config.json not found"), missing.err.toString());
    }

    @Test
    void initRefusesToOverwriteACheckpoint() {
        String[] args = {"model", "init", "--family", "llama", "--d-model", "32", "--layers", "1", "--heads", "2", "--vocab", "64",
            "--out", dir.resolve("m").toString()};
        assertEquals(0, new Run(args).code);
        Run again = new Run(args);
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("already holds a checkpoint"), again.err.toString());
    }
}
