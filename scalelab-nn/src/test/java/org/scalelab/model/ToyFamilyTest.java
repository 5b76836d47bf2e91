package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;

/**
 * Adding a family is one class: {@link ToyFamily}, defined only in the tests, is found by the
 * registry, written by the real checkpoint writer, read back by the real loader, and computes (and
 * captures to an activation set) what Llama computes, since it is Llama's layer under other names. The reference is the Llama family
 * on the same weights: {@link ModelInit} draws each tensor from its own seeded stream in order, and
 * the toy lists Llama's tensors in Llama's order with the same roles, so both checkpoints hold the
 * same numbers.
 */
class ToyFamilyTest {
    @TempDir Path dir;

    @Test
    void aFamilyDefinedInOneClassIsFoundWrittenLoadedRunAndCapturedLikeTheFamilyItMirrors() throws Exception {
        Family toy = Families.find("toy");
        assertEquals(new ToyFamily(), toy, "the registry finds a family class it was never told about");
        assertTrue(Families.supported().contains("toy"), Families.supported());

        ModelConfig toyConfig = ModelConfig.of(toy, 256, 32, 2, 4, 2, 8, 64, 64);
        ModelConfig llamaConfig = ModelConfig.of(new LlamaFamily(), 256, 32, 2, 4, 2, 8, 64, 64);
        Path toyDir = dir.resolve("toy");
        Path llamaDir = dir.resolve("llama");
        ModelInit.write(toyDir, toyConfig, 11, ModelInit.Scheme.ALL_RANDOM);
        ModelInit.write(llamaDir, llamaConfig, 11, ModelInit.Scheme.ALL_RANDOM);

        // config.json in the family's own keys, read back to the same record
        var json = Json.mapper().readTree(Files.readString(toyDir.resolve(ModelConfig.FILE)));
        assertEquals("toy", json.get("model_type").asText());
        assertEquals(32, json.get("width").asInt());
        assertEquals(toyConfig, ModelConfig.read(toyDir));
        try (Weights w = Weights.open(toyDir)) {
            assertTrue(w.contains("toy.layers.1.mlp.down_proj.weight") && w.contains("toy.unembed.weight"), w.names().toString());
            assertEquals(toy.parameterShapes(toyConfig).keySet(), w.names());
        }

        assertEquals(HookNames.all(llamaConfig), HookNames.all(toyConfig));
        int[][] tokens = {{3, 1, 4, 1, 5, 9}, {2, 7, 1, 8, 2, 8}};
        HookSet hooks = HookSet.of("hook_embed", "blocks.*.hook_resid_post", "blocks.1.attn.hook_pattern", "ln_final.hook_normalized");
        try (Transformer t = Transformer.load(toyDir); Transformer reference = Transformer.load(llamaDir)) {
            assertEquals(toy, t.config().family());
            ForwardResult got = t.forward(tokens, hooks);
            ForwardResult want = reference.forward(tokens, hooks);
            assertEquals(List.copyOf(want.activations().keySet()), List.copyOf(got.activations().keySet()));
            assertEquals(5, got.activations().size()); // embed, two resid_post, one pattern, ln_final
            for (String h : want.activations().keySet()) {
                assertArrayEquals(want.activation(h).shape(), got.activation(h).shape(), h);
                assertArrayEquals(want.activation(h).data(), got.activation(h).data(), 0f, h);
            }
            assertArrayEquals(want.logits().data(), got.logits().data(), 0f);
            assertArrayEquals(Generation.greedy(reference, tokens[0], 4), Generation.greedy(t, tokens[0], 4));
        }
    }

    @Test
    void captureWritesTheToyFamilysActivationsToAnActivationSet() throws Exception {
        ModelConfig toyConfig = ModelConfig.of(new ToyFamily(), 256, 32, 2, 4, 2, 8, 64, 64);
        ModelConfig llamaConfig = ModelConfig.of(new LlamaFamily(), 256, 32, 2, 4, 2, 8, 64, 64);
        Path toyDir = dir.resolve("toy");
        Path llamaDir = dir.resolve("llama");
        ModelInit.write(toyDir, toyConfig, 5, ModelInit.Scheme.ALL_RANDOM);
        ModelInit.write(llamaDir, llamaConfig, 5, ModelInit.Scheme.ALL_RANDOM);
        Path promptFile = Files.writeString(dir.resolve("prompts.jsonl"),
                "{\"id\": \"a\", \"text\": \"one small model\", \"domain\": \"x\"}\n{\"id\": \"b\", \"text\": \"a new family\", \"domain\": \"y\"}\n");
        List<Prompt> prompts = Prompt.readJsonl(promptFile);
        Capture.Options options = Capture.Options.of("blocks.*.hook_resid_post");
        try (Transformer toy = Transformer.load(toyDir); ModelTokenizer tok = ModelTokenizer.load(toyDir);
             Transformer llama = Transformer.load(llamaDir)) {
            Capture.run(toy, tok, prompts, dir.resolve("acts-toy"), options);
            Capture.run(llama, tok, prompts, dir.resolve("acts-llama"), options);
        }
        try (ActivationSet got = ActivationSet.open(dir.resolve("acts-toy")); ActivationSet want = ActivationSet.open(dir.resolve("acts-llama"))) {
            assertEquals("toy", got.manifest().family());
            assertEquals(List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), got.hooks());
            for (Prompt p : prompts) {
                for (String h : got.hooks()) {
                    float[][] rows = got.rows(h, got.trajectory(p.id()));
                    float[][] reference = want.rows(h, want.trajectory(p.id()));
                    assertEquals(reference.length, rows.length, p.id() + " " + h);
                    for (int i = 0; i < rows.length; i++) {
                        assertArrayEquals(reference[i], rows[i], 0f, p.id() + " " + h + " row " + i);
                    }
                }
            }
        }
    }
}
