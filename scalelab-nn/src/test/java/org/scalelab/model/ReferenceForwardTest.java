package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * The Java runtime against bench/reference_forward.py, an independent float64 PyTorch
 * implementation of the published architectures that reads the same safetensors file: logits and
 * every TransformerLens hook must agree to 1e-4 (max abs) on several prompts, and greedy decoding
 * with the KV cache must produce the reference's tokens (full recomputation) one for one.
 */
class ReferenceForwardTest {
    private static final String SCRIPT = "bench/reference_forward.py";
    private static final double TOLERANCE = 1e-4;
    private static final int NEW_TOKENS = 12;
    private static final int[][] PROMPTS = {
            {7},
            {1, 2, 3, 4, 5, 6, 7, 8},
            {250, 0, 17, 99, 42, 42, 42, 3, 128, 64, 255, 1, 9},
            {5, 4, 3, 2, 1, 0, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225},
    };

    @TempDir Path dir;

    @Test
    void gpt2MatchesIndependentPyTorchReferenceAtEveryHook() throws IOException {
        compare(ModelConfig.gpt2(256, 64, 2, 4, 64));
    }

    @Test
    void llamaWithGroupedQueryAttentionMatchesIndependentPyTorchReferenceAtEveryHook() throws IOException {
        // 4 query heads share 2 kv heads; untied lm_head; a non-default RoPE base.
        compare(new ModelConfig(new LlamaFamily(), 256, 64, 2, 4, 2, 16, 172, 128, 1e-5, 500000.0, false, "silu"));
    }

    @Test
    void llama3RopeScalingMatchesIndependentPyTorchReference() throws IOException {
        // original context 16 → wavelengths above 16 are scaled by 1/8, between 4 and 16 blended: all three regimes occur.
        compare(ModelConfig.llama(256, 64, 2, 4, 1, 128, 128, 10000.0, true).withRopeScaling(new RopeScaling(8, 1, 4, 16)));
    }

    @Test
    void tiedLlamaMatchesIndependentPyTorchReference() throws IOException {
        compare(ModelConfig.llama(256, 48, 3, 6, 6, 128, 64, 10000.0, true));
    }

    @Test
    void mistralWithSlidingWindowMatchesIndependentPyTorchReference() throws IOException {
        // A 6-token window: prompts of 8 to 32 tokens and the 12 generated ones all reach past it,
        // so the window is exercised in the full pass and, through the KV cache, in generation.
        compare(ModelConfig.of(new MistralFamily(), 256, 64, 2, 4, 2, 16, 160, 128).withOptions(new FamilyOptions(6, 0, false, false, 0, 0, 0)));
    }

    @Test
    void qwen2WithQkvBiasesMatchesIndependentPyTorchReference() throws IOException {
        // Qwen2.5-0.5B's shape in miniature: 2 kv heads, tied unembedding, RoPE base 10⁶, q/k/v biases.
        compare(ModelConfig.of(new Qwen2Family(), 256, 64, 2, 4, 2, 16, 176, 128).withTiedEmbeddings(true));
    }

    @Test
    void qwen2SlidingWindowFromMaxWindowLayersOnMatchesIndependentPyTorchReference() throws IOException {
        // use_sliding_window with max_window_layers 1: layer 0 global, layers 1 and 2 with a 5-token window.
        compare(ModelConfig.of(new Qwen2Family(), 256, 64, 3, 4, 1, 16, 128, 128).withOptions(new FamilyOptions(5, 1, false, true, 0, 0, 0)));
    }

    @Test
    void gemmaMatchesIndependentPyTorchReference() throws IOException {
        // head_dim 32 with 4 heads: q is 128 wide on a 64-wide residual stream (as Gemma-7B's 16×256 on 3072);
        // one kv head (Gemma-2B's multi-query attention); tied; GeGLU with tanh GELU.
        compare(ModelConfig.of(new GemmaFamily(), 256, 64, 2, 4, 1, 32, 192, 128));
    }

    @Test
    void gemmaWithExactGeluMatchesIndependentPyTorchReference() throws IOException {
        ModelConfig c = ModelConfig.of(new GemmaFamily(), 256, 48, 2, 2, 2, 24, 96, 128);
        compare(new ModelConfig(c.family(), c.vocabSize(), c.dModel(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), c.dMlp(),
                c.maxPositions(), c.normEps(), c.ropeTheta(), null, true, "gelu", c.options()));
    }

    @Test
    void gemma2MatchesIndependentPyTorchReference() throws IOException {
        // Soft-caps small enough to bend the random model's scores and logits, a query scalar other
        // than head_dim, and a 5-token window on layers 0 and 2 (layer 1 global).
        compare(ModelConfig.of(new Gemma2Family(), 256, 64, 3, 4, 2, 16, 128, 128).withOptions(new FamilyOptions(5, 0, true, false, 24, 1.5, 2.0)));
    }

    @Test
    void phi3WithFusedProjectionsMatchesIndependentPyTorchReference() throws IOException {
        compare(ModelConfig.of(new Phi3Family(), 256, 64, 2, 4, 2, 16, 160, 128).withOptions(new FamilyOptions(7, 0, false, false, 0, 0, 0)));
    }

    private void compare(ModelConfig config) throws IOException {
        PythonReference.requireModules("torch", "numpy");
        Path model = dir.resolve("model");
        ModelInit.write(model, config, 11, ModelInit.Scheme.ALL_RANDOM);
        assertEquals(config, ModelConfig.read(model), "config.json round trip");
        Path prompts = Files.writeString(dir.resolve("prompts.json"), Json.write(PROMPTS));
        Path out = dir.resolve("ref");
        PythonReference.run(SCRIPT, model.toString(), prompts.toString(), out.toString(), Integer.toString(NEW_TOKENS));
        int[][] greedy = Json.mapper().readValue(out.resolve("greedy.json").toFile(), int[][].class);
        List<String> hookNames = HookNames.all(config);
        double worst = 0;
        try (Transformer t = Transformer.load(model)) {
            for (int p = 0; p < PROMPTS.length; p++) {
                ForwardResult r = t.forward(PROMPTS[p], HookSet.all());
                assertEquals(hookNames, List.copyOf(r.activations().keySet()), "every hook, in forward order");
                Path refDir = out.resolve("p" + p);
                for (String hook : hookNames) {
                    worst = Math.max(worst, assertClose(Npy.read(refDir.resolve(hook + ".npy")), r.activation(hook), "prompt " + p + " " + hook));
                }
                worst = Math.max(worst, assertClose(Npy.read(refDir.resolve("logits.npy")), r.logits(), "prompt " + p + " logits"));
                // Greedy decoding with the KV cache against the reference's full recomputation.
                assertArrayEquals(greedy[p], Generation.greedy(t, PROMPTS[p], NEW_TOKENS), "prompt " + p + " greedy tokens");
            }
        }
        System.out.printf("%s vs float64 PyTorch reference: max abs error %.2e over %d prompts, all hooks and logits%n",
                config.family().modelType(), worst, PROMPTS.length);
    }

    private static double assertClose(Activation expected, Activation actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double max = 0;
        for (int i = 0; i < expected.data().length; i++) {
            float e = expected.data()[i];
            float x = actual.data()[i];
            // Masked attention scores are −∞ on both sides; anything else (NaN included) is compared by difference.
            double diff = e == x ? 0 : Math.abs(e - x);
            max = Double.isNaN(diff) || Double.isNaN(max) ? Double.NaN : Math.max(max, diff);
        }
        assertTrue(max <= TOLERANCE, what + ": max abs error " + max + " > " + TOLERANCE);
        return max;
    }
}
