package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class TransformerTest {
    @TempDir Path dir;

    private Transformer tiny(ModelConfig c) {
        Path m = dir.resolve(c.family().modelType());
        ModelInit.write(m, c, 7, ModelInit.Scheme.ALL_RANDOM);
        return Transformer.load(m);
    }

    private static final ModelConfig GPT2 = ModelConfig.gpt2(128, 32, 3, 4, 32);
    private static final ModelConfig LLAMA = ModelConfig.llama(128, 32, 3, 4, 2, 64, 64, 10000.0, false);

    @Test
    void globSelectsOnlyTheMatchingHooks() {
        try (Transformer t = tiny(LLAMA)) {
            ForwardResult r = t.forward(new int[] {1, 2, 3}, HookSet.of("blocks.*.hook_resid_post", "hook_embed"));
            assertEquals(List.of("hook_embed", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post", "blocks.2.hook_resid_post"),
                    List.copyOf(r.activations().keySet()));
            assertArrayEquals(new long[] {1, 3, 32}, r.activation("blocks.1.hook_resid_post").shape());
            assertArrayEquals(new long[] {1, 3, 128}, r.logits().shape());
            assertTrue(t.forward(new int[] {1}, HookSet.none()).activations().isEmpty());
        }
    }

    @Test
    void positionSelectionCopiesOnlyThoseRows() {
        try (Transformer t = tiny(GPT2)) {
            int[] tokens = {11, 22, 33, 44, 55};
            HookSet hooks = HookSet.of("blocks.1.hook_resid_post", "blocks.0.attn.hook_pattern");
            ForwardResult all = t.forward(tokens, hooks);
            ForwardResult last = t.forward(tokens, hooks.at(Positions.parse("last")));
            ForwardResult range = t.forward(tokens, hooks.at(Positions.parse("1:3")));
            assertArrayEquals(new long[] {1, 1, 32}, last.activation("blocks.1.hook_resid_post").shape());
            assertArrayEquals(all.activation("blocks.1.hook_resid_post").at(0, 4), last.activation("blocks.1.hook_resid_post").at(0, 0));
            assertArrayEquals(new long[] {1, 2, 32}, range.activation("blocks.1.hook_resid_post").shape());
            assertArrayEquals(all.activation("blocks.1.hook_resid_post").at(0, 2), range.activation("blocks.1.hook_resid_post").at(0, 1));
            // Attention patterns are selected on the query axis: [batch, heads, query, key].
            assertArrayEquals(new long[] {1, 4, 2, 5}, range.activation("blocks.0.attn.hook_pattern").shape());
            assertEquals(5 * 5 * 4, all.activation("blocks.0.attn.hook_pattern").data().length);
            assertThrows(InputException.class, () -> t.forward(tokens, hooks.at(Positions.parse("7"))));
        }
    }

    @Test
    void positionsParseTheDocumentedForms() {
        assertEquals(Positions.ALL, Positions.parse("all"));
        assertEquals(Positions.LAST, Positions.parse("LAST"));
        assertEquals(new Positions(5, 6), Positions.parse("5"));
        assertEquals(new Positions(2, 10), Positions.parse("2:10"));
        assertEquals(new Positions(0, 4), Positions.parse(":4"));
        assertEquals(new Positions(3, Integer.MAX_VALUE), Positions.parse("3:"));
        assertThrows(InputException.class, () -> Positions.parse("first"));
        assertThrows(InputException.class, () -> Positions.parse("4:2"));
    }

    @Test
    void residualStreamIsTheSumOfItsWrites() {
        try (Transformer t = tiny(GPT2)) {
            Map<String, Activation> a = t.forward(new int[] {3, 1, 4, 1, 5}, HookSet.all()).activations();
            assertSum(a.get("hook_embed"), a.get("hook_pos_embed"), a.get("blocks.0.hook_resid_pre"));
            for (int l = 0; l < 3; l++) {
                assertSum(a.get(HookNames.residPre(l)), a.get(HookNames.attnOut(l)), a.get(HookNames.residMid(l)));
                assertSum(a.get(HookNames.residMid(l)), a.get(HookNames.mlpOut(l)), a.get(HookNames.residPost(l)));
            }
        }
    }

    @Test
    void earlierPositionsDoNotSeeLaterTokens() {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer t = tiny(c)) {
                ForwardResult a = t.forward(new int[] {9, 8, 7, 6}, HookSet.of("blocks.2.hook_resid_post"));
                ForwardResult b = t.forward(new int[] {9, 8, 7, 100}, HookSet.of("blocks.2.hook_resid_post"));
                for (int p = 0; p < 3; p++) {
                    assertArrayEquals(a.logits().at(0, p), b.logits().at(0, p), 1e-6f, c.family() + " position " + p);
                }
                assertFalse(java.util.Arrays.equals(a.logits().at(0, 3), b.logits().at(0, 3)), "the changed position changes");
            }
        }
    }

    @Test
    void batchRowsEqualSingleSequenceRuns() {
        try (Transformer t = tiny(LLAMA)) {
            int[][] batch = {{1, 2, 3, 4}, {50, 60, 70, 80}};
            ForwardResult r = t.forward(batch, HookSet.of("blocks.1.hook_mlp_out"));
            for (int b = 0; b < 2; b++) {
                ForwardResult single = t.forward(batch[b], HookSet.of("blocks.1.hook_mlp_out"));
                for (int p = 0; p < 4; p++) {
                    assertArrayEquals(single.logits().at(0, p), r.logits().at(b, p), 1e-5f);
                    assertArrayEquals(single.activation("blocks.1.hook_mlp_out").at(0, p), r.activation("blocks.1.hook_mlp_out").at(b, p), 1e-5f);
                }
            }
        }
    }

    @Test
    void lastOrNoLogitsLeaveActivationsAsTheyAreAndLastEqualsTheFullLastRow() {
        ModelConfig gemma2 = ModelConfig.of(new Gemma2Family(), 128, 32, 2, 4, 2, 8, 64, 32); // soft-capped logits
        for (ModelConfig c : List.of(GPT2, LLAMA, gemma2)) {
            try (Transformer t = tiny(c)) {
                int[][] batch = {{1, 2, 3, 4, 5}, {50, 60, 70, 80, 90}};
                HookSet hooks = HookSet.of("blocks.1.hook_resid_post", "ln_final.hook_normalized");
                ForwardResult all = t.forward(batch, hooks);
                ForwardResult last = t.forward(batch, hooks, null, LogitsWanted.LAST);
                ForwardResult none = t.forward(batch, hooks, null, LogitsWanted.NONE);
                assertArrayEquals(new long[] {2, 1, 128}, last.logits().shape());
                assertArrayEquals(new long[] {2, 0, 128}, none.logits().shape());
                assertEquals(0, none.logits().data().length);
                for (int b = 0; b < 2; b++) {
                    assertArrayEquals(all.logits().at(b, 4), last.logits().at(b, 0), 1e-6f, c.family() + " last row of sequence " + b);
                }
                for (String h : List.of("blocks.1.hook_resid_post", "ln_final.hook_normalized")) {
                    assertArrayEquals(all.activation(h).data(), none.activation(h).data(), 0f, c.family() + " " + h);
                    assertArrayEquals(all.activation(h).data(), last.activation(h).data(), 0f, c.family() + " " + h);
                }
            }
        }
    }

    @Test
    void cachedForwardEqualsTheFullForwardAtEveryPosition() {
        int[] tokens = {5, 17, 99, 3, 64, 8, 120, 44, 7};
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer t = tiny(c)) {
                HookSet hooks = HookSet.of("blocks.*.hook_resid_post");
                ForwardResult full = t.forward(tokens, hooks);
                try (KvCache cache = t.newCache()) {
                    // Prefill 4 tokens, then 2, then one at a time.
                    int[][] chunks = {{5, 17, 99, 3}, {64, 8}, {120}, {44}, {7}};
                    int position = 0;
                    for (int[] chunk : chunks) {
                        ForwardResult step = t.forward(new int[][] {chunk}, hooks, cache);
                        for (int i = 0; i < chunk.length; i++, position++) {
                            assertArrayEquals(full.logits().at(0, position), step.logits().at(0, i), 1e-5f, c.family() + " logits at " + position);
                            assertArrayEquals(full.activation("blocks.2.hook_resid_post").at(0, position),
                                    step.activation("blocks.2.hook_resid_post").at(0, i), 1e-5f, c.family() + " resid_post at " + position);
                        }
                    }
                    assertEquals(tokens.length, cache.length());
                }
            }
        }
    }

    @Test
    void cacheRejectsAnotherBatchSizeAndGpt2RejectsPositionsBeyondItsTable() {
        try (Transformer t = tiny(GPT2); KvCache cache = t.newCache()) {
            t.forward(new int[][] {{1, 2}, {3, 4}}, HookSet.none(), cache);
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[][] {{1}}, HookSet.none(), cache));
            InputException e = assertThrows(InputException.class, () -> t.forward(new int[][] {new int[31], new int[31]}, HookSet.none(), cache));
            assertTrue(e.getMessage().contains("33 positions exceed gpt2's 32 learned positions"), e.getMessage());
        }
    }

    @Test
    void greedyStopsAtAStopToken() {
        try (Transformer t = tiny(LLAMA)) {
            int[] free = Generation.greedy(t, new int[] {1, 2, 3}, 6);
            int[] stopped = Generation.greedy(t, new int[] {1, 2, 3}, 6, free[2]);
            int firstStop = 0;
            while (free[firstStop] != free[2]) {
                firstStop++;
            }
            assertArrayEquals(java.util.Arrays.copyOf(free, firstStop + 1), stopped);
        }
    }

    @Test
    void samplingIsReproducibleFromItsSeedAndTopOneIsGreedy() {
        try (Transformer t = tiny(GPT2)) {
            int[] prompt = {4, 8, 15};
            Sampler warm = new Sampler(1.5, 0, 1);
            int[] a = Generation.sample(t, prompt, 10, warm, 7);
            assertArrayEquals(a, Generation.sample(t, prompt, 10, warm, 7));
            assertFalse(java.util.Arrays.equals(a, Generation.sample(t, prompt, 10, warm, 8)), "another seed, other tokens");
            assertArrayEquals(Generation.greedy(t, prompt, 10), Generation.sample(t, prompt, 10, new Sampler(1.5, 1, 1), 7));
        }
    }

    @Test
    void forwardPassesLeaveNoArraysBehind() {
        try (Transformer t = tiny(GPT2)) {
            t.forward(new int[] {1, 2}, HookSet.all());
            int before = t.liveParameterArrays();
            for (int i = 0; i < 20; i++) {
                t.forward(new int[] {1, 2, 3, 4, 5, 6}, HookSet.all());
            }
            Generation.greedy(t, new int[] {1, 2, 3}, 5);
            assertEquals(before, t.liveParameterArrays());
        }
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        try (Transformer t = tiny(GPT2)) {
            InputException e = assertThrows(InputException.class, () -> t.forward(new int[] {1, 128}, HookSet.none()));
            assertTrue(e.getMessage().contains("token id 128 at sequence 0, position 1"), e.getMessage());
        }
    }

    @Test
    void weightShapeThatContradictsTheConfigIsNamedAtLoad() throws IOException {
        Path m = dir.resolve("m");
        ModelInit.write(m, GPT2, 1);
        // Same checkpoint, config claiming a wider MLP.
        String config = Files.readString(m.resolve("config.json")).replace("\"n_inner\" : 128", "\"n_inner\" : 96");
        Files.writeString(m.resolve("config.json"), config);
        InputException e = assertThrows(InputException.class, () -> Transformer.load(m).close());
        assertTrue(e.getMessage().contains("weight 'transformer.h.0.mlp.c_fc.weight' has shape [32, 128] but config.json implies [32, 96]"),
                e.getMessage());
    }

    @Test
    void missingWeightIsNamedAtLoad() {
        Path m = dir.resolve("m");
        ModelInit.write(m, LLAMA, 1);
        ModelConfig moreLayers = ModelConfig.llama(128, 32, 4, 4, 2, 64, 64, 10000.0, false);
        moreLayers.write(m);
        InputException e = assertThrows(InputException.class, () -> Transformer.load(m).close());
        assertTrue(e.getMessage().contains("no weight 'model.layers.3.input_layernorm.weight'"), e.getMessage());
    }

    private static void assertSum(Activation a, Activation b, Activation sum) {
        assertEquals(sum.data().length, a.data().length);
        for (int i = 0; i < sum.data().length; i++) {
            assertEquals(a.data()[i] + b.data()[i], sum.data()[i], 1e-5f, sum.name() + "[" + i + "]");
        }
    }
}
