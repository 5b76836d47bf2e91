package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class ModelConfigTest {
    @TempDir Path dir;

    /** The fields of openai-community/gpt2's published config.json that ScaleLab reads. */
    private static final String GPT2_SMALL = """
            {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
             "layer_norm_epsilon": 1e-05, "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_inner": null,
             "n_layer": 12, "n_positions": 1024, "vocab_size": 50257}""";

    /** The fields of meta-llama/Llama-3.2-1B's published config.json that ScaleLab reads. */
    private static final String LLAMA_1B = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu", "hidden_size": 2048,
             "intermediate_size": 8192, "max_position_embeddings": 131072, "num_attention_heads": 32,
             "num_hidden_layers": 16, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
             "tie_word_embeddings": true, "vocab_size": 128256, "head_dim": 64, "attention_bias": false,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""";

    /** mistralai/Mistral-7B-v0.1's published config.json. */
    private static final String MISTRAL_7B = """
            {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768,
             "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}""";

    /** Qwen/Qwen2.5-0.5B's published config.json. */
    private static final String QWEN25_05B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
             "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864,
             "max_position_embeddings": 32768, "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14,
             "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true,
             "use_mrope": false, "use_sliding_window": false, "vocab_size": 151936}""";

    /** google/gemma-2b's published config.json (hidden_act "gelu": transformers runs the tanh approximation). */
    private static final String GEMMA_2B = """
            {"architectures": ["GemmaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 2,
             "eos_token_id": 1, "head_dim": 256, "hidden_act": "gelu", "hidden_size": 2048, "initializer_range": 0.02,
             "intermediate_size": 16384, "max_position_embeddings": 8192, "model_type": "gemma", "num_attention_heads": 8,
             "num_hidden_layers": 18, "num_key_value_heads": 1, "pad_token_id": 0, "rms_norm_eps": 1e-06,
             "rope_scaling": null, "rope_theta": 10000.0, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 256000}""";

    /** google/gemma-2-2b's published config.json. */
    private static final String GEMMA2_2B = """
            {"architectures": ["Gemma2ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "attn_logit_softcapping": 50.0, "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": [1, 107],
             "final_logit_softcapping": 30.0, "head_dim": 256, "hidden_act": "gelu_pytorch_tanh",
             "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 2304, "initializer_range": 0.02,
             "intermediate_size": 9216, "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 8,
             "num_hidden_layers": 26, "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256,
             "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "float32",
             "use_cache": true, "vocab_size": 256000}""";

    /** microsoft/Phi-3-mini-4k-instruct's published config.json (auto_map and token ids trimmed). */
    private static final String PHI3_MINI_4K = """
            {"architectures": ["Phi3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "embd_pdrop": 0.0,
             "hidden_act": "silu", "hidden_size": 3072, "initializer_range": 0.02, "intermediate_size": 8192,
             "max_position_embeddings": 4096, "model_type": "phi3", "num_attention_heads": 32, "num_hidden_layers": 32,
             "num_key_value_heads": 32, "original_max_position_embeddings": 4096, "resid_pdrop": 0.0, "rms_norm_eps": 1e-05,
             "rope_scaling": null, "rope_theta": 10000.0, "sliding_window": 2047, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 32064}""";

    @Test
    void readsMistral7bConfigWithItsSlidingWindow() throws IOException {
        assertEquals(new ModelConfig(new MistralFamily(), 32000, 4096, 32, 32, 8, 128, 14336, 32768, 1e-5, 10000.0, null, false, "silu",
                new FamilyOptions(4096, 0, false, false, 0, 0, 0)), ModelConfig.read(write(MISTRAL_7B)));
    }

    @Test
    void readsQwen25ConfigWithBiasesAndNoWindowWhenUseSlidingWindowIsFalse() throws IOException {
        assertEquals(new ModelConfig(new Qwen2Family(), 151936, 896, 24, 14, 2, 64, 4864, 32768, 1e-6, 1e6, null, true, "silu",
                new FamilyOptions(0, 0, false, true, 0, 0, 0)), ModelConfig.read(write(QWEN25_05B)));
        ModelConfig windowed = ModelConfig.read(write(QWEN25_05B.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true")
                .replace("\"max_window_layers\": 24", "\"max_window_layers\": 20")));
        assertEquals(0, windowed.options().window(19));
        assertEquals(32768, windowed.options().window(20));
    }

    @Test
    void readsGemmaConfigWithHeadDimFromConfigTiedEmbeddingsAndTanhGelu() throws IOException {
        assertEquals(new ModelConfig(new GemmaFamily(), 256000, 2048, 18, 8, 1, 256, 16384, 8192, 1e-6, 10000.0, null, true,
                "gelu_pytorch_tanh"), ModelConfig.read(write(GEMMA_2B)));
    }

    @Test
    void readsGemma2ConfigWithSoftcapsAndAlternatingWindow() throws IOException {
        ModelConfig c = ModelConfig.read(write(GEMMA2_2B));
        assertEquals(new ModelConfig(new Gemma2Family(), 256000, 2304, 26, 8, 4, 256, 9216, 8192, 1e-6, 10000.0, null, true,
                "gelu_pytorch_tanh", new FamilyOptions(4096, 0, true, false, 256, 50.0, 30.0)), c);
        assertEquals(4096, c.options().window(0));
        assertEquals(0, c.options().window(1));
    }

    @Test
    void readsPhi3MiniConfig() throws IOException {
        assertEquals(new ModelConfig(new Phi3Family(), 32064, 3072, 32, 32, 32, 96, 8192, 4096, 1e-5, 10000.0, null, false, "silu",
                new FamilyOptions(2047, 0, false, false, 0, 0, 0)), ModelConfig.read(write(PHI3_MINI_4K)));
    }

    @Test
    void familyComesFromArchitecturesWhenModelTypeIsMissing() throws IOException {
        ModelConfig c = ModelConfig.read(write(QWEN25_05B.replace("\"model_type\": \"qwen2\",", "")));
        assertEquals(new Qwen2Family(), c.family());
    }

    @Test
    void unknownArchitectureListsTheSupportedFamilies() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(
                "{\"architectures\": [\"MambaForCausalLM\"], \"hidden_size\": 8}")));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("MambaForCausalLM")
                && e.getMessage().contains("supported: gemma, gemma2, gpt2, gpt_neox, llama, mistral, phi3, qwen2"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(GEMMA2_2B.replace("\"gemma2\"", "\"gemma3_text\""))));
        assertTrue(e.getMessage().contains("\"gemma3_text\" is not supported") && e.getMessage().contains("q/k norms"), e.getMessage());
    }

    @Test
    void phi3LongContextRopeScalingIsRejectedClearly() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(PHI3_MINI_4K.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"type\": \"longrope\", \"long_factor\": [1.0], \"short_factor\": [1.0]}"))));
        assertTrue(e.getMessage().contains("rope_scaling type \"longrope\"") && e.getMessage().contains("not supported yet"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(PHI3_MINI_4K.replace("\"rope_scaling\": null",
                "\"partial_rotary_factor\": 0.75, \"rope_scaling\": null"))));
        assertTrue(e.getMessage().contains("partial_rotary_factor 0.75"), e.getMessage());
    }

    @Test
    void familyVariantsThatWouldBeMisreadAreRejected() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(MISTRAL_7B.replace("\"silu\"", "\"relu\""))));
        assertTrue(e.getMessage().contains("hidden_act \"relu\" is not supported for mistral"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(GEMMA2_2B.replace("\"hidden_activation\": \"gelu_pytorch_tanh\"",
                "\"hidden_activation\": \"silu\""))));
        assertTrue(e.getMessage().contains("hidden_activation \"silu\" is not supported for gemma2"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(MISTRAL_7B.replace("\"rope_theta\"",
                "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}, \"rope_theta\""))));
        assertTrue(e.getMessage().contains("rope_scaling type \"yarn\" is not supported for mistral"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(QWEN25_05B.replace("\"use_mrope\": false",
                "\"layer_types\": [\"sliding_attention\"]"))));
        assertTrue(e.getMessage().contains("layer_types must list one entry per layer (24)"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(GEMMA_2B.replace("\"head_dim\": 256", "\"head_dim\": 255"))));
        assertTrue(e.getMessage().contains("head_dim 255 must be even"), e.getMessage());
    }

    @Test
    void ropeParametersOfNewerTransformersAreReadLikeRopeThetaAndRopeScaling() throws IOException {
        ModelConfig expected = ModelConfig.read(write(LLAMA_1B));
        String v5 = LLAMA_1B.replace("\"rope_theta\": 500000.0,", "").replace("\"rope_scaling\": {", "\"rope_parameters\": {\"rope_theta\": 500000.0, ");
        assertEquals(expected, ModelConfig.read(write(v5)));
        String plain = QWEN25_05B.replace("\"rope_theta\": 1000000.0,", "\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 20000.0},");
        assertEquals(20000.0, ModelConfig.read(write(plain)).ropeTheta());
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(GEMMA2_2B.replace("\"rope_theta\": 10000.0,",
                "\"rope_parameters\": {\"full_attention\": {\"rope_theta\": 1e6}, \"sliding_attention\": {\"rope_theta\": 1e4}},"))));
        assertTrue(e.getMessage().contains("per-layer-type RoPE settings are not supported"), e.getMessage());
    }

    @Test
    void aMissingRequiredKeyIsNamedWithItsFamily() throws IOException {
        String[][] cases = {
                {MISTRAL_7B, "\"intermediate_size\": 14336,", "intermediate_size", "mistral"},
                {QWEN25_05B, "\"num_hidden_layers\": 24,", "num_hidden_layers", "qwen2"},
                {GEMMA_2B, "\"hidden_size\": 2048,", "hidden_size", "gemma"},
                {GEMMA2_2B, "\"vocab_size\": 256000", "vocab_size", "gemma2"},
                {PHI3_MINI_4K, "\"num_attention_heads\": 32,", "num_attention_heads", "phi3"},
        };
        for (String[] c : cases) {
            String json = c[0].replace(c[1], "");
            if (c[2].equals("vocab_size")) {
                json = json.replace("\"use_cache\": true,", "\"use_cache\": true");
            }
            String text = json;
            InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(text)), c[3]);
            assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("missing field \"" + c[2] + "\"")
                    && e.getMessage().contains("model_type " + c[3]), e.getMessage());
        }
    }

    @Test
    void everyFamilysWrittenConfigReadsBackEqual() {
        for (Family f : Families.all()) {
            ModelConfig c = ModelConfig.of(f, 300, 64, 3, 4, f.groupedQueryAttention() ? 2 : 4, 16, 128, 256);
            Path d = dir.resolve("rt-" + f.modelType());
            c.write(d);
            assertEquals(c, ModelConfig.read(d), f.modelType());
        }
        ModelConfig windowed = ModelConfig.of(new Qwen2Family(), 300, 64, 3, 4, 2, 16, 128, 256).withOptions(new FamilyOptions(8, 2, false, true, 0, 0, 0));
        windowed.write(dir.resolve("rt-qwen2-window"));
        assertEquals(windowed, ModelConfig.read(dir.resolve("rt-qwen2-window")));
    }

    @Test
    void readsGpt2SmallConfig() throws IOException {
        ModelConfig c = ModelConfig.read(write(GPT2_SMALL));
        assertEquals(new ModelConfig(new Gpt2Family(), 50257, 768, 12, 12, 12, 64, 3072, 1024, 1e-5, 0, true, "gelu_new"), c);
    }

    @Test
    void readsLlama32Config() throws IOException {
        ModelConfig c = ModelConfig.read(write(LLAMA_1B));
        assertEquals(new ModelConfig(new LlamaFamily(), 128256, 2048, 16, 32, 8, 64, 8192, 131072, 1e-5, 500000.0,
                new RopeScaling(32, 1, 4, 8192), true, "silu"), c);
    }

    @Test
    void writtenConfigReadsBackEqual() {
        for (ModelConfig c : new ModelConfig[] {ModelConfig.gpt2(256, 64, 2, 4, 128),
                new ModelConfig(new LlamaFamily(), 300, 96, 3, 6, 2, 16, 256, 512, 1e-6, 10000.0, false, "silu"),
                ModelConfig.llama(300, 96, 3, 6, 2, 256, 512, 500000.0, true).withRopeScaling(new RopeScaling(8, 1, 4, 64))}) {
            Path d = dir.resolve(c.family().modelType() + (c.ropeScaling() == null ? "" : "-scaled"));
            c.write(d);
            assertEquals(c, ModelConfig.read(d));
        }
    }

    @Test
    void unknownModelTypeListsTheSupportedFamilies() throws IOException {
        Path d = write("{\"model_type\": \"mamba\", \"hidden_size\": 8}");
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(d));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("\"mamba\"")
                && e.getMessage().contains("supported: gemma, gemma2, gpt2"), e.getMessage());
    }

    @Test
    void missingConfigSaysWhatIsExpected() {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(dir));
        assertTrue(e.getMessage().contains("config.json not found"), e.getMessage());
    }

    @Test
    void corruptJsonIsNamed() throws IOException {
        Path d = write("{\"model_type\": \"gpt2\", ");
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(d));
        assertTrue(e.getMessage().contains("config.json: not valid JSON"), e.getMessage());
    }

    @Test
    void missingOrMistypedFieldIsNamed() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(GPT2_SMALL.replace("\"n_head\": 12,", ""))));
        assertTrue(e.getMessage().contains("missing field \"n_head\""), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(GPT2_SMALL.replace("\"n_layer\": 12", "\"n_layer\": \"twelve\""))));
        assertTrue(e.getMessage().contains("\"n_layer\" must be an integer"), e.getMessage());
    }

    @Test
    void inconsistentShapesAreRejected() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(GPT2_SMALL.replace("\"n_head\": 12", "\"n_head\": 7"))));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("not divisible by n_head 7"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(LLAMA_1B.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5"))));
        assertTrue(e.getMessage().contains("not a multiple of num_key_value_heads 5"), e.getMessage());
    }

    @Test
    void unsupportedLlamaVariantsAreRejectedNotSilentlyMisread() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelConfig.read(write(LLAMA_1B.replace("\"rope_type\": \"llama3\"",
                "\"rope_type\": \"yarn\""))));
        assertTrue(e.getMessage().contains("rope_scaling type \"yarn\" is not supported (supported: llama3)"), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(LLAMA_1B.replace("\"low_freq_factor\": 1.0,", ""))));
        assertTrue(e.getMessage().contains("rope_scaling is missing \"low_freq_factor\""), e.getMessage());
        e = assertThrows(InputException.class, () -> ModelConfig.read(write(LLAMA_1B.replace("\"attention_bias\": false", "\"attention_bias\": true"))));
        assertTrue(e.getMessage().contains("attention_bias"), e.getMessage());
    }

    private Path write(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
        return dir;
    }
}
