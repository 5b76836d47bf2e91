package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.DType;
import org.scalelab.io.Json;
import org.scalelab.io.SafetensorsWriter;
import org.scalelab.model.Generation;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/** model init for every family, --replace, and activations captured during generation, from the command line. */
class FamiliesCommandTest {
    @TempDir Path dir;

    private Path init(String family, String... extra) {
        return CliRun.tinyModel(family, dir.resolve(family + "-" + extra.length), extra);
    }

    @Test
    void initWritesEachFamilyInItsHuggingFaceLayoutAndTheModelGenerates() throws Exception {
        String[][] cases = {
                {"mistral", "--kv-heads", "2", "--sliding-window", "4"},
                {"qwen2", "--kv-heads", "2", "--tie-embeddings"},
                {"gemma", "--kv-heads", "1", "--head-dim", "16"},
                {"gemma2", "--kv-heads", "2", "--head-dim", "16", "--sliding-window", "4"},
                {"phi3", "--kv-heads", "2", "--sliding-window", "6"},
        };
        for (String[] c : cases) {
            Path m = init(c[0], Arrays.copyOfRange(c, 1, c.length));
            JsonNode config = Json.mapper().readTree(m.resolve("config.json").toFile());
            assertEquals(c[0], config.get("model_type").asText());
            JsonNode info = new CliRun("model", "info", m.toString(), "--json").json();
            assertEquals(c[0], info.at("/config/family").asText());
            CliRun gen = new CliRun("generate", "--model", m.toString(), "--prompt", "Hello there", "--max-tokens", "12");
            assertEquals(0, gen.code, c[0] + ": " + gen.err);
        }
        JsonNode mistral = Json.mapper().readTree(dir.resolve("mistral-4/config.json").toFile());
        assertEquals(4, mistral.get("sliding_window").asInt());
        JsonNode gemma = Json.mapper().readTree(dir.resolve("gemma-4/config.json").toFile());
        assertEquals(16, gemma.get("head_dim").asInt());
        assertEquals("gelu_pytorch_tanh", gemma.get("hidden_activation").asText());
        JsonNode qwen = Json.mapper().readTree(dir.resolve("qwen2-3/config.json").toFile());
        assertTrue(qwen.get("tie_word_embeddings").asBoolean());
        assertEquals(1e6, qwen.get("rope_theta").asDouble());
        try (var w = org.scalelab.model.Weights.open(dir.resolve("phi3-4"))) {
            assertTrue(w.contains("model.layers.0.self_attn.qkv_proj.weight") && w.contains("model.layers.1.mlp.gate_up_proj.weight"));
        }
    }

    @Test
    void initRefusesOptionsTheFamilyDoesNotHave() {
        CliRun r = new CliRun("model", "init", "--family", "gemma", "--d-model", "32", "--layers", "1", "--heads", "4", "--vocab", "64",
                "--sliding-window", "8", "--out", dir.resolve("x").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("gemma has no sliding-window attention"), r.err.toString());
        r = new CliRun("model", "init", "--family", "falcon", "--d-model", "32", "--layers", "1", "--heads", "4", "--vocab", "64",
                "--out", dir.resolve("y").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("supported: gemma, gemma2, gpt2, gpt_neox, llama, mistral, phi3, qwen2"), r.err.toString());
    }

    @Test
    void replaceSetsTheActivationAtTheHookInCaptureAndGenerate() throws Exception {
        Path m = init("qwen2", "--kv-heads", "2");
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i + 1.0);
        }
        Path vec = dir.resolve("v.safetensors");
        SafetensorsWriter.write(vec, List.of(SafetensorsWriter.Tensor.ofFloats("mean", DType.F32, new long[] {32}, v)));
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"id\": \"a\", \"text\": \"The cat sat.\"}\n");
        Path out = dir.resolve("acts");
        JsonNode s = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.0.hook_resid_post",
                "--replace", vec.toString(), "--at", "blocks.0.hook_resid_post", "--from-position", "3", "--out", out.toString(), "--json").json();
        assertEquals(1, s.get("trajectories").asInt());
        try (ActivationSet set = ActivationSet.open(out); Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            float[][] rows = set.rows("blocks.0.hook_resid_post", set.trajectory("a"));
            float[] original = t.forward(tok.encode("The cat sat."), HookSet.of("blocks.0.hook_resid_post")).activation("blocks.0.hook_resid_post").at(0, 1);
            assertArrayEquals(original, rows[1], 1e-6f, "positions before --from-position are untouched");
            for (int p = 3; p < rows.length; p++) {
                assertArrayEquals(v, rows[p], 0f, "position " + p + " replaced");
            }
            assertTrue(set.manifest().interventions().get(0).startsWith("replace@blocks.0.hook_resid_post"), set.manifest().interventions().toString());
        }
        // Replacing the last block's output with the same vector everywhere makes every next-token choice the same.
        CliRun g = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--max-tokens", "4", "--replace", vec.toString(),
                "--at", "blocks.1.hook_resid_post");
        CliRun h = new CliRun("generate", "--model", m.toString(), "--prompt", "Something else", "--max-tokens", "4", "--replace", vec.toString(),
                "--at", "blocks.1.hook_resid_post");
        assertEquals(0, g.code, g.err.toString());
        assertEquals(g.out.toString(), h.out.toString());
        String text = g.out.toString().strip();
        assertTrue(!text.isEmpty() && text.chars().distinct().count() == 1, "one token repeated, got '" + text + "'");
    }

    @Test
    void headZeroAblatesOneHeadAndCaptureWritesThePerHeadHook() throws Exception {
        Path m = init("qwen2", "--kv-heads", "2"); // 4 heads of 8
        Path zeros = dir.resolve("zeros.safetensors");
        SafetensorsWriter.write(zeros, List.of(SafetensorsWriter.Tensor.ofFloats("z", DType.F32, new long[] {8}, new float[8])));
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"id\": \"a\", \"text\": \"The cat sat.\"}\n");
        Path out = dir.resolve("acts-head");
        CliRun r = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.0.attn.hook_z",
                "--replace", zeros.toString(), "--at", "blocks.0.attn.hook_z", "--head", "1", "--out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        try (ActivationSet set = ActivationSet.open(out); Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            assertArrayEquals(new int[] {4, 8}, set.rowShape("blocks.0.attn.hook_z"));
            float[][] rows = set.rows("blocks.0.attn.hook_z", set.trajectory("a"));
            org.scalelab.model.Activation direct = t.forward(tok.encode("The cat sat."), HookSet.of("blocks.0.attn.hook_z")).activation("blocks.0.attn.hook_z");
            for (int p = 0; p < rows.length; p++) {
                for (int i = 0; i < 32; i++) {
                    assertEquals(i / 8 == 1 ? 0f : direct.data()[p * 32 + i], rows[p][i], 1e-6f, "position " + p + " value " + i);
                }
            }
            assertTrue(set.manifest().interventions().get(0).startsWith("replace@blocks.0.attn.hook_z head 1"), set.manifest().interventions().toString());
        }
        CliRun bad = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--replace", zeros.toString(),
                "--at", "blocks.0.hook_resid_post", "--head", "1", "--out", dir.resolve("x").toString());
        assertEquals(2, bad.code);
        assertTrue(bad.err.toString().contains("head 1 given, but the hook has no [batch, pos, head, x] head axis"), bad.err.toString());
    }

    @Test
    void generateCapturesTheActivationsOfPromptAndContinuation() throws Exception {
        Path m = init("gemma2", "--kv-heads", "2", "--head-dim", "16", "--sliding-window", "3");
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, """
                {"id": "x", "text": "2+2=", "domain": "math", "labels": {"k": 1}}
                {"id": "y", "text": "Hello, world"}
                """);
        Path out = dir.resolve("gen-acts");
        CliRun r = new CliRun("generate", "--model", m.toString(), "--prompts", prompts.toString(), "--max-tokens", "7",
                "--capture-hooks", "blocks.*.hook_resid_post", "--capture-out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        List<String> lines = r.out.toString().lines().toList();
        assertEquals(2, lines.size(), r.out.toString());
        assertEquals("x", Json.mapper().readTree(lines.get(0)).get("id").asText());
        assertTrue(r.err.toString().contains("captured 2 generations"), r.err.toString());
        CliRun plain = new CliRun("generate", "--model", m.toString(), "--prompts", prompts.toString(), "--max-tokens", "7");
        assertEquals(0, plain.code, plain.err.toString());
        assertEquals(r.out.toString(), plain.out.toString(), "capturing does not change what is generated");
        try (ActivationSet set = ActivationSet.open(out); Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            assertTrue(set.manifest().complete());
            for (String id : List.of("x", "y")) {
                String text = id.equals("x") ? "2+2=" : "Hello, world";
                int[] prompt = tok.encode(text);
                int[] gen = Generation.greedy(t, prompt, 7, tok.endOfText());
                int[] all = IntStream.concat(IntStream.of(prompt), IntStream.of(gen)).toArray();
                ActivationManifest.Trajectory tr = set.trajectory(id);
                assertEquals(all.length - 1, tr.rows());
                assertEquals(List.of(prompt.length), tr.stepBoundaries());
                float[][] rows = set.rows("blocks.1.hook_resid_post", tr);
                var full = t.forward(all, HookSet.of("blocks.1.hook_resid_post")).activation("blocks.1.hook_resid_post");
                for (int p = 0; p < rows.length; p++) {
                    assertArrayEquals(full.at(0, p), rows[p], 1e-4f, id + " position " + p);
                }
            }
            assertEquals("math", set.trajectory("x").domain());
        }
        CliRun half = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--capture-out", dir.resolve("z").toString());
        assertEquals(2, half.code);
        assertTrue(half.err.toString().contains("--capture-out: needs --capture-hooks"), half.err.toString());
        assertFalse(Files.exists(dir.resolve("z")));
        CliRun both = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--prompts", prompts.toString());
        assertEquals(2, both.code);
        assertTrue(both.err.toString().contains("give exactly one"), both.err.toString());
    }
}
