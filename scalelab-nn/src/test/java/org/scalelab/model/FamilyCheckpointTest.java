package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsWriter;

/**
 * The Mistral, Qwen2, Gemma, Gemma 2 and Phi-3 checkpoints: their Hugging Face parameter names
 * and counts, KV-cached generation against full recomputation (sliding windows included), and
 * the errors for checkpoints that do not match their config.json.
 */
class FamilyCheckpointTest {
    @TempDir Path dir;

    @Test
    void everyFamilyRoundTripsThroughInitSaveLoadAndCachedGenerationEqualsFullRecomputation() {
        for (Family f : Families.all()) {
            ModelConfig c = ModelConfig.of(f, 256, 32, 3, 4, f.groupedQueryAttention() ? 2 : 4, 8, 64, 64);
            if (f.slidingWindow()) {
                c = c.withOptions(c.options().withSlidingWindow(4)); // shorter than the 5 + 8 positions below
            }
            Path m = dir.resolve(f.modelType());
            ModelInit.write(m, c, 5, ModelInit.Scheme.ALL_RANDOM);
            assertEquals(c, ModelConfig.read(m), f + " config.json");
            try (Transformer t = Transformer.load(m)) {
                int[] prompt = {3, 1, 4, 1, 5};
                int[] cached = Generation.greedy(t, prompt, 8);
                int[] recomputed = new int[8];
                int[] seq = prompt;
                for (int i = 0; i < 8; i++) {
                    Activation logits = t.forward(seq, HookSet.none()).logits();
                    recomputed[i] = Generation.argmax(logits.at(0, seq.length - 1));
                    seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = recomputed[i];
                }
                assertArrayEquals(recomputed, cached, f + ": KV cache and sliding-window masks during generation");
            }
        }
    }

    @Test
    void slidingWindowHidesKeysOlderThanTheWindow() {
        // Changing the first token must not change the last position's output once it is outside
        // every layer's window (all layers windowed), and must change it without a window.
        ModelConfig c = ModelConfig.of(new MistralFamily(), 256, 32, 2, 4, 2, 8, 64, 64);
        ModelInit.write(dir.resolve("w"), c.withOptions(c.options().withSlidingWindow(3)), 5, ModelInit.Scheme.ALL_RANDOM);
        ModelInit.write(dir.resolve("full"), c, 5, ModelInit.Scheme.ALL_RANDOM);
        // Two layers of a 3-token window: position 9 sees positions ≥ 9 − 2·2 = 5 at most.
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        int[] b = a.clone();
        b[0] = 200;
        try (Transformer w = Transformer.load(dir.resolve("w")); Transformer full = Transformer.load(dir.resolve("full"))) {
            assertArrayEquals(w.forward(a, HookSet.none()).logits().at(0, 9), w.forward(b, HookSet.none()).logits().at(0, 9));
            assertFalse(java.util.Arrays.equals(full.forward(a, HookSet.none()).logits().at(0, 9),
                    full.forward(b, HookSet.none()).logits().at(0, 9)));
        }
    }

    @Test
    void phi3CheckpointHasFusedProjectionsAndTheClosedFormParameterCount() {
        int v = 256, d = 64, l = 2, h = 4, kv = 2, hd = 16, mlp = 96;
        ModelInit.write(dir.resolve("m"), ModelConfig.of(new Phi3Family(), v, d, l, h, kv, hd, mlp, 128), 3);
        try (Weights w = Weights.open(dir.resolve("m"))) {
            assertArrayEquals(new long[] {(h + 2L * kv) * hd, d}, w.info("model.layers.0.self_attn.qkv_proj.weight").shape());
            assertArrayEquals(new long[] {2L * mlp, d}, w.info("model.layers.1.mlp.gate_up_proj.weight").shape());
            assertFalse(w.contains("model.layers.0.self_attn.q_proj.weight"));
            long perLayer = (long) d * (h + 2L * kv) * hd + (long) h * hd * d + 3L * d * mlp + 2L * d;
            assertEquals(2L * v * d + l * perLayer + d, w.parameterCount());
        }
    }

    @Test
    void qwen2AndGemma2CheckpointsHaveTheirExtraTensors() {
        ModelInit.write(dir.resolve("q"), ModelConfig.of(new Qwen2Family(), 256, 64, 2, 4, 2, 16, 96, 128), 3);
        ModelInit.write(dir.resolve("g"), ModelConfig.of(new Gemma2Family(), 256, 64, 2, 4, 2, 16, 96, 128), 3);
        try (Weights q = Weights.open(dir.resolve("q")); Weights g = Weights.open(dir.resolve("g"))) {
            assertArrayEquals(new long[] {32}, q.info("model.layers.1.self_attn.k_proj.bias").shape());
            assertTrue(g.contains("model.layers.1.pre_feedforward_layernorm.weight") && g.contains("model.layers.1.post_feedforward_layernorm.weight"));
            assertFalse(g.contains("lm_head.weight"), "Gemma ties its unembedding");
            // Gemma's norms multiply by 1 + w: the published initialisation stores w = 0.
            assertTrue(allZero(g.floats("model.layers.0.input_layernorm.weight")));
        }
    }

    @Test
    void fusedWeightOfTheWrongShapeIsNamedWithBothShapes() throws IOException {
        ModelConfig c = ModelConfig.of(new Phi3Family(), 256, 64, 2, 4, 2, 16, 96, 128);
        Path m = rewritten(c, tensors -> tensors.stream().map(t -> t.name().equals("model.layers.1.self_attn.qkv_proj.weight")
                ? SafetensorsWriter.Tensor.ofFloats(t.name(), DType.F32, new long[] {192, 64}, new float[192 * 64]) : t).toList());
        InputException e = assertThrows(InputException.class, () -> Transformer.load(m).close());
        assertTrue(e.getMessage().contains("'model.layers.1.self_attn.qkv_proj.weight' has shape [192, 64] but config.json implies [128, 64]"),
                e.getMessage());
    }

    @Test
    void missingFamilyTensorsAreNamed() throws IOException {
        String[][] cases = {
                {"qwen2", "model.layers.0.self_attn.q_proj.bias"},
                {"gemma2", "model.layers.1.pre_feedforward_layernorm.weight"},
                {"phi3", "model.layers.0.mlp.gate_up_proj.weight"},
                {"mistral", "model.layers.1.mlp.up_proj.weight"},
        };
        for (String[] k : cases) {
            ModelConfig c = ModelConfig.of(Families.find(k[0]), 256, 64, 2, 4, 2, 16, 96, 128);
            Path m = rewritten(c, tensors -> tensors.stream().filter(t -> !t.name().equals(k[1])).toList());
            InputException e = assertThrows(InputException.class, () -> Transformer.load(m).close());
            assertTrue(e.getMessage().contains("checkpoint has no weight '" + k[1] + "'"), e.getMessage());
        }
    }

    @Test
    void aLlamaCheckpointLabelledPhi3IsRefusedForItsMissingFusedWeight() throws IOException {
        ModelConfig llama = ModelConfig.of(new LlamaFamily(), 256, 64, 2, 4, 2, 16, 96, 128);
        Path m = dir.resolve("relabelled");
        ModelInit.write(m, llama, 1);
        String json = Files.readString(m.resolve("config.json")).replace("\"llama\"", "\"phi3\"").replace("LlamaForCausalLM", "Phi3ForCausalLM")
                .replace("\"attention_bias\" : false,", "").replace("\"mlp_bias\" : false", "\"sliding_window\" : null");
        Files.writeString(m.resolve("config.json"), json);
        InputException e = assertThrows(InputException.class, () -> Transformer.load(m).close());
        assertTrue(e.getMessage().contains("no weight 'model.layers.0.self_attn.qkv_proj.weight'"), e.getMessage());
    }

    /** A fresh checkpoint of {@code c} whose tensors went through {@code edit}. */
    private Path rewritten(ModelConfig c, UnaryOperator<List<SafetensorsWriter.Tensor>> edit) throws IOException {
        Path m = dir.resolve("edited-" + c.family().modelType() + "-" + System.nanoTime());
        ModelInit.write(m, c, 1);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        try (Weights w = Weights.open(m)) {
            for (String name : w.names()) {
                tensors.add(SafetensorsWriter.Tensor.ofFloats(name, DType.F32, w.info(name).shape(), w.floats(name)));
            }
        }
        Files.delete(m.resolve(Weights.SINGLE_FILE));
        SafetensorsWriter.write(m.resolve(Weights.SINGLE_FILE), edit.apply(tensors), Map.of("format", "pt"));
        return m;
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
