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

    @Test
    void readsGpt2SmallConfig() throws IOException {
        ModelConfig c = ModelConfig.read(write(GPT2_SMALL));
        assertEquals(new ModelConfig(Family.GPT2, 50257, 768, 12, 12, 12, 64, 3072, 1024, 1e-5, 0, true, "gelu_new"), c);
    }

    @Test
    void readsLlama32Config() throws IOException {
        ModelConfig c = ModelConfig.read(write(LLAMA_1B));
        assertEquals(new ModelConfig(Family.LLAMA, 128256, 2048, 16, 32, 8, 64, 8192, 131072, 1e-5, 500000.0,
                new RopeScaling(32, 1, 4, 8192), true, "silu"), c);
    }

    @Test
    void writtenConfigReadsBackEqual() {
        for (ModelConfig c : new ModelConfig[] {ModelConfig.gpt2(256, 64, 2, 4, 128),
                new ModelConfig(Family.LLAMA, 300, 96, 3, 6, 2, 16, 256, 512, 1e-6, 10000.0, false, "silu"),
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
                && e.getMessage().contains("supported: gpt2, llama"), e.getMessage());
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
