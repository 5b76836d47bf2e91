package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;

class GenerationCaptureTest {
    @TempDir Path dir;

    private static final String HOOK = "blocks.1.hook_resid_post";

    private static Prompt prompt(String id, String text) {
        return new Prompt(id, text, "demo", JsonNodeFactory.instance.objectNode(), List.of());
    }

    @Test
    void rowsCapturedWhileGeneratingEqualAFullForwardOfPromptAndContinuation() {
        // Mistral with a 4-token window: the KV-cached steps must reproduce the windowed full pass.
        ModelConfig c = ModelConfig.of(new MistralFamily(), 260, 32, 2, 4, 2, 8, 64, 64).withOptions(new FamilyOptions(4, 0, false, false, 0, 0, 0));
        Path m = dir.resolve("m");
        ModelInit.write(m, c, 2, ModelInit.Scheme.ALL_RANDOM);
        Path out = dir.resolve("acts");
        Intervention steer = Intervention.add(HOOK, new float[32], 0, 0);
        List<GenerationCapture.Completion> completions = new ArrayList<>();
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            GenerationCapture.Options o = new GenerationCapture.Options(List.of("blocks.*.hook_resid_post"), 6, Sampler.GREEDY, 0,
                    new int[0], 1 << 20, List.of(steer));
            Capture.Summary s = GenerationCapture.run(t, tok, List.of(prompt("a", "Hello"), prompt("b", "2+2=")), out, o, completions::add);
            assertEquals(2, s.trajectories());
            try (ActivationSet set = ActivationSet.open(out)) {
                assertEquals(List.of("blocks.0.hook_resid_post", HOOK), set.hooks());
                for (GenerationCapture.Completion done : completions) {
                    int[] text = IntStream.concat(IntStream.of(done.promptTokens()), IntStream.of(done.generated())).toArray();
                    ActivationManifest.Trajectory tr = set.trajectory(done.prompt().id());
                    assertEquals(text.length, tr.tokenCount());
                    assertEquals(text.length - 1, tr.rows(), "every fed position: the prompt and all generated tokens but the last");
                    assertEquals(List.of(done.promptTokens().length), tr.stepBoundaries(), "generation starts at the boundary");
                    Activation full = t.forward(text, HookSet.of(HOOK)).activation(HOOK);
                    float[][] rows = set.rows(HOOK, tr);
                    for (int p = 0; p < rows.length; p++) {
                        assertArrayEquals(full.at(0, p), rows[p], 1e-4f, done.prompt().id() + " position " + p);
                    }
                }
                assertTrue(set.manifest().positions().startsWith("all+generated(max_tokens=6"), set.manifest().positions());
                assertEquals(1, set.manifest().interventions().size());
            }
        }
    }

    @Test
    void anotherDecodingSettingCannotResumeTheSetAndZeroTokensAreRefused() {
        Path m = dir.resolve("m");
        ModelInit.write(m, ModelConfig.of(new Qwen2Family(), 260, 32, 1, 4, 2, 8, 64, 64), 2);
        Path out = dir.resolve("acts");
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            List<Prompt> prompts = List.of(prompt("a", "Hi"));
            GenerationCapture.run(t, tok, prompts, out, new GenerationCapture.Options(List.of(HOOK.replace('1', '0')), 3, Sampler.GREEDY, 0,
                    new int[0], 1 << 20, List.of()), x -> { });
            InputException e = assertThrows(InputException.class, () -> GenerationCapture.run(t, tok, prompts, out,
                    new GenerationCapture.Options(List.of(HOOK.replace('1', '0')), 4, Sampler.GREEDY, 0, new int[0], 1 << 20, List.of()), x -> { }));
            assertTrue(e.getMessage().contains("captured with other settings"), e.getMessage());
            assertTrue(Files.exists(out.resolve("manifest.json")));
        }
        InputException e = assertThrows(InputException.class, () -> new GenerationCapture.Options(List.of(HOOK), 0, Sampler.GREEDY, 0,
                new int[0], 1, List.of()));
        assertTrue(e.getMessage().contains("must be at least 1"), e.getMessage());
    }
}
