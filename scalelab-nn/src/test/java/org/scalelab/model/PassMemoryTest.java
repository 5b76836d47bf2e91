package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An inference pass frees each block's intermediates when the block ends: the arrays alive in the
 * pass (counted, and their bytes summed, as each block ends) do not grow with the layer, a
 * KV cache keeps nothing but its keys and values, and the values computed are the same bits as
 * the pass that keeps every intermediate (the training path).
 */
class PassMemoryTest {
    @TempDir Path dir;

    static List<ModelConfig> families() {
        return List.of(
                ModelConfig.gpt2(64, 32, 6, 4, 32),
                ModelConfig.llama(64, 32, 6, 4, 2, 64, 32, 10000.0, false), // grouped-query attention
                ModelConfig.gptNeoX(64, 32, 6, 4, 32),
                ModelConfig.of(new MistralFamily(), 64, 32, 6, 4, 2, 8, 64, 32).withOptions(new FamilyOptions(3, 0, false, false, 0, 0, 0)),
                ModelConfig.of(new GemmaFamily(), 64, 32, 6, 4, 1, 8, 64, 32),
                ModelConfig.of(new Gemma2Family(), 64, 32, 6, 4, 2, 8, 64, 32).withOptions(new FamilyOptions(3, 0, true, false, 8, 1.5, 2.0)));
    }

    private Transformer load(ModelConfig c) {
        Path m = dir.resolve(c.family().modelType());
        ModelInit.write(m, c, 5, ModelInit.Scheme.ALL_RANDOM);
        return Transformer.load(m);
    }

    /** Per layer: {live arrays, their bytes} in the pass scope as the block ends (its own scope included). */
    private static List<long[]> liveAtEachBlockEnd(Transformer t, Runnable pass) {
        List<long[]> live = new ArrayList<>();
        t.blockEnded = (NDManager scope, int layer) -> {
            List<NDArray> arrays = scope.getManagedArrays();
            long bytes = 0;
            for (NDArray a : arrays) {
                bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
            live.add(new long[] {arrays.size(), bytes});
        };
        pass.run();
        return live;
    }

    @ParameterizedTest
    @MethodSource("families")
    void liveArraysDoNotGrowWithTheLayers(ModelConfig c) {
        try (Transformer t = load(c)) {
            int parameters = t.liveParameterArrays();
            int[][] tokens = {{1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1}};
            HookSet hooks = HookSet.of("blocks.*.hook_resid_post", "blocks.*.attn.hook_pattern")
                    .with(Intervention.add(HookNames.residMid(2), new float[32], 1.0, 2));
            List<long[]> live = liveAtEachBlockEnd(t, () -> t.forward(tokens, hooks, null, LogitsWanted.LAST));
            assertEquals(c.nLayers(), live.size());
            for (int layer = 3; layer < c.nLayers(); layer++) {
                assertArrayEquals(live.get(1), live.get(layer), c.family().modelType() + ": {arrays, bytes} alive at the end of block " + layer
                        + " vs block 1");
            }
            assertEquals(parameters, t.liveParameterArrays(), c.family().modelType() + ": the pass left arrays in the parameter manager");
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void aKvCacheKeepsOnlyItsKeysAndValues(ModelConfig c) {
        try (Transformer t = load(c)) {
            int parameters = t.liveParameterArrays();
            try (KvCache cache = t.newCache()) {
                t.forward(new int[][] {{1, 2, 3, 4}}, HookSet.none(), cache, LogitsWanted.LAST);
                assertEquals(2 * c.nLayers(), cache.liveArrays(), "keys and values per layer");
                long firstStep = -1;
                for (int step = 0; step < 4; step++) {
                    List<long[]> live = liveAtEachBlockEnd(t, () -> t.forward(new int[][] {{9}}, HookSet.none(), cache, LogitsWanted.LAST));
                    assertEquals(2 * c.nLayers(), cache.liveArrays(), c.family().modelType() + ": arrays owned by the cache after step " + step);
                    long last = live.get(c.nLayers() - 1)[0];
                    firstStep = step == 0 ? last : firstStep;
                    assertEquals(firstStep, last, c.family().modelType() + ": arrays alive in the last block of step " + step);
                }
            }
            assertEquals(parameters, t.liveParameterArrays(), c.family().modelType() + ": the passes left arrays in the parameter manager");
        }
    }

    /**
     * Attention's score stages [batch, heads, seq, keys] and the MLP's [batch, seq, d_mlp] products
     * are freed inside the sub-layer as soon as they are read, so none is left when it returns,
     * also when hooks record them.
     */
    @Test
    void aSubLayerHoldsNoLargeIntermediateWhenItReturns() {
        ModelConfig c = ModelConfig.llama(64, 32, 3, 4, 2, 64, 32, 10000.0, false); // d_mlp 64, d_model 32, head_dim 8
        try (Transformer t = load(c)) {
            int[][] tokens = {{1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1}};
            List<String> left = new ArrayList<>();
            int[] subLayers = {0};
            t.subLayerEnded = (scope, layer) -> {
                subLayers[0]++;
                for (NDArray a : scope.getManagedArrays()) {
                    long[] s = a.getShape().getShape();
                    if (s.length > 0 && s[s.length - 1] == c.dMlp() || s.length == 4 && s[3] == tokens[0].length) {
                        left.add("block " + layer + ": " + a.getShape());
                    }
                }
            };
            HookSet hooks = HookSet.of("blocks.*.attn.hook_attn_scores", "blocks.*.attn.hook_pattern", "blocks.*.mlp.hook_pre",
                    "blocks.*.mlp.hook_post");
            Map<String, Activation> a = t.forward(tokens, hooks, null, LogitsWanted.LAST).activations();
            assertEquals(2 * c.nLayers(), subLayers[0]);
            assertEquals(List.of(), left, "large intermediates alive when their sub-layer returned");
            assertEquals(4 * c.nLayers(), a.size(), "every hooked intermediate was recorded before it was freed");
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void freeingEachBlockChangesNoBit(ModelConfig c) {
        try (Transformer t = load(c)) {
            int[][] tokens = {{3, 1, 4, 1, 5, 9}, {2, 7, 1, 8, 2, 8}};
            float[] perBlock = t.forward(tokens, HookSet.none()).logits().data();
            float[] keptAll;
            try (NDManager scope = NDManager.newBaseManager()) {
                keptAll = t.logits(scope, tokens).toFloatArray();
            }
            assertArrayEquals(keptAll, perBlock, c.family().modelType());
            Map<String, Activation> a = t.forward(tokens, HookSet.of("blocks.5.hook_resid_post")).activations();
            assertEquals(1, a.size());
        }
    }

    /**
     * The choices of a context continuing a shared view of its KV cache ({@link KvCache#sharedBy}):
     * the same log-probs, bit for bit, as continuing a copy of the cache's rows per choice
     * ({@link KvCache#select}), with no per-choice copy of the context's keys and values alive as a
     * block ends (each layer's rows are gathered inside its attention and freed with it) and none
     * owned by the view, whose one pass keeps nothing.
     */
    @ParameterizedTest
    @MethodSource("families")
    void choicesSharingAContextHoldNoPerChoiceCopyOfItsKeysAndValues(ModelConfig c) {
        try (Transformer t = load(c)) {
            int[][] contexts = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}};
            int[] rowOf = {0, 0, 0, 1, 1, 1, 1}; // three choices of context 0, four of context 1
            int[][] choices = new int[rowOf.length][];
            int[] valid = new int[rowOf.length];
            for (int r = 0; r < rowOf.length; r++) {
                valid[r] = 1 + r % 3;
                choices[r] = new int[] {20 + r, 30 + r, 40 + r};
            }
            RaggedBatch ragged = new RaggedBatch(new int[] {11, 11, 11, 11, 11, 11, 11}, valid);
            int[] rows = {0, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5, 6};
            int[] positions = {0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 1, 2, 0};
            int[] targets = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
            try (KvCache cache = t.newCache()) {
                t.forward(contexts, HookSet.none(), cache, LogitsWanted.NONE);
                // Everything alive under the parameters' manager (parameters, caches, the pass) as a block
                // ends: arrays of one row per choice reaching back over the context are copies of it.
                List<String> copies = new ArrayList<>();
                t.blockEnded = (NDManager scope, int layer) -> {
                    for (NDArray a : scope.getParentManager().getManagedArrays()) {
                        long[] s = a.getShape().getShape();
                        if (s.length == 4 && s[0] == rowOf.length && s[2] >= contexts[0].length) {
                            copies.add("block " + layer + ": " + a.getShape());
                        }
                    }
                };
                float[] copied;
                try (KvCache perChoice = cache.select(rowOf)) {
                    copied = t.logProbs(choices, perChoice, ragged, rows, positions, targets);
                }
                assertTrue(copies.size() >= 2 * c.nLayers() * c.nLayers(), c.family().modelType() + ": continuing select(), every block ends"
                        + " with the copied keys and values of every layer alive (the check finds copies): " + copies.size());
                copies.clear();
                float[] shared;
                try (KvCache view = cache.sharedBy(rowOf)) {
                    shared = t.logProbs(choices, view, ragged, rows, positions, targets);
                    assertEquals(0, view.liveArrays(), c.family().modelType() + ": arrays the view owns after its pass");
                    assertThrows(IllegalStateException.class, () -> t.logProbs(choices, view, ragged, rows, positions, targets),
                            "a view serves one pass");
                }
                assertArrayEquals(copied, shared, c.family().modelType() + ": log-probs continuing a view vs a copy");
                assertEquals(List.of(), copies, c.family().modelType() + ": per-choice keys and values alive as a block ended");
                assertEquals(2 * c.nLayers(), cache.liveArrays(), c.family().modelType() + ": the shared cache still holds its keys and values");
            }
        }
    }
}
