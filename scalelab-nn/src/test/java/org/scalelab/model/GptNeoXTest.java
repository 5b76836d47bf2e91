package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * The GPT-2-like pre-LN block with RoPE, stored as a GPT-NeoX checkpoint (sequential residual,
 * full rotary), against bench/reference_neox.py, an independent float64 PyTorch implementation
 * of the published architecture: every hook and the logits to 1e-4, greedy tokens one for one.
 */
class GptNeoXTest {
    private static final String SCRIPT = "bench/reference_neox.py";
    private static final int[][] PROMPTS = {{7}, {1, 2, 3, 4, 5, 6, 7, 8}, {250, 0, 17, 99, 42, 42, 42, 3, 128, 64, 255, 1, 9, 33, 34, 35, 36, 37, 38}};

    @TempDir Path dir;

    @Test
    void defaultTiedExactGeluMatchesIndependentPyTorchReferenceAtEveryHook() throws IOException {
        compare(ModelConfig.gptNeoX(256, 64, 2, 4, 64));
    }

    @Test
    void untiedGeluTanhWithOtherRopeBaseMatchesIndependentPyTorchReference() throws IOException {
        ModelConfig c = ModelConfig.gptNeoX(256, 48, 3, 3, 64);
        compare(new ModelConfig(c.family(), c.vocabSize(), c.dModel(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), 100,
                c.maxPositions(), 1e-5, 500.0, null, false, "gelu_new", c.options()));
    }

    @Test
    void configIsWrittenWithTheKeysTransformersGptNeoXReads() throws IOException {
        Path m = dir.resolve("m");
        ModelInit.write(m, ModelConfig.gptNeoX(300, 32, 2, 4, 64), 1);
        var json = Json.mapper().readTree(m.resolve("config.json").toFile());
        assertEquals("gpt_neox", json.get("model_type").asText());
        assertEquals("GPTNeoXForCausalLM", json.get("architectures").get(0).asText());
        assertEquals(false, json.get("use_parallel_residual").asBoolean());
        assertEquals(1.0, json.get("rotary_pct").asDouble());
        assertEquals(10000.0, json.get("rotary_emb_base").asDouble());
        try (Weights w = Weights.open(m)) {
            assertTrue(w.contains("gpt_neox.layers.1.attention.query_key_value.bias"));
            assertTrue(!w.contains("embed_out.weight"), "tied: no separate unembedding stored");
        }
    }

    @Test
    void parallelResidualAndPartialRotaryAreRefusedNotMiscomputed() throws IOException {
        Path m = dir.resolve("m");
        ModelInit.write(m, ModelConfig.gptNeoX(64, 32, 1, 4, 64), 1);
        String config = Files.readString(m.resolve("config.json"));
        Files.writeString(m.resolve("config.json"), config.replace("\"use_parallel_residual\" : false", "\"use_parallel_residual\" : true"));
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(m));
        assertTrue(e.getMessage().contains("use_parallel_residual"), e.getMessage());
        Files.writeString(m.resolve("config.json"), config.replace("\"rotary_pct\" : 1.0", "\"rotary_pct\" : 0.25"));
        e = assertThrows(InputException.class, () -> ModelConfig.read(m));
        assertTrue(e.getMessage().contains("rotary_pct 0.25"), e.getMessage());
    }

    private void compare(ModelConfig config) throws IOException {
        PythonReference.requireModules("torch", "numpy");
        Path model = dir.resolve("model");
        ModelInit.write(model, config, 11, ModelInit.Scheme.ALL_RANDOM);
        assertEquals(config, ModelConfig.read(model), "config.json round trip");
        Path prompts = Files.writeString(dir.resolve("prompts.json"), Json.write(PROMPTS));
        Path out = dir.resolve("ref");
        PythonReference.run(SCRIPT, model.toString(), prompts.toString(), out.toString(), "10");
        int[][] greedy = Json.mapper().readValue(out.resolve("greedy.json").toFile(), int[][].class);
        double worst = 0;
        try (Transformer t = Transformer.load(model)) {
            for (int p = 0; p < PROMPTS.length; p++) {
                ForwardResult r = t.forward(PROMPTS[p], HookSet.all());
                assertEquals(HookNames.all(config), List.copyOf(r.activations().keySet()));
                for (String hook : HookNames.all(config)) {
                    worst = Math.max(worst, maxAbs(Npy.read(out.resolve("p" + p).resolve(hook + ".npy")), r.activation(hook), hook));
                }
                worst = Math.max(worst, maxAbs(Npy.read(out.resolve("p" + p).resolve("logits.npy")), r.logits(), "logits"));
                assertArrayEquals(greedy[p], Generation.greedy(t, PROMPTS[p], 10), "prompt " + p + " greedy tokens");
            }
        }
        System.out.printf("gpt_neox vs float64 PyTorch reference: max abs error %.2e%n", worst);
    }

    private static double maxAbs(Activation expected, Activation actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double max = 0;
        for (int i = 0; i < expected.data().length; i++) {
            float e = expected.data()[i];
            float x = actual.data()[i];
            double diff = e == x ? 0 : Math.abs(e - x); // masked attention scores are −∞ on both sides
            max = Double.isNaN(diff) || Double.isNaN(max) ? Double.NaN : Math.max(max, diff);
        }
        assertTrue(max <= 1e-4, what + ": max abs error " + max);
        return max;
    }
}
