package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

/**
 * The TransformerLens hooks' algebra on tiny random checkpoints of every family: the residual
 * stream is the sum of the embeddings and every sub-layer's output, each attention output is the
 * sum of its heads' results (plus b_O), per-head interventions change one head alone, and position
 * selection works on per-head and per-query-key hooks. (Each hook's value is checked against the
 * independent PyTorch reference in ReferenceForwardTest and GptNeoXTest.)
 */
class HookTest {
    private static final double TOLERANCE = 1e-4;
    private static final int[][] TOKENS = {{5, 80, 17, 3, 99, 42, 7}, {1, 2, 250, 4, 9, 9, 200}};

    @TempDir static Path dir; // shared: each tiny checkpoint is written once for the class

    private static List<ModelConfig> families() {
        return List.of(
                ModelConfig.gpt2(256, 32, 2, 4, 64),
                ModelConfig.gptNeoX(256, 32, 2, 4, 64),
                ModelConfig.llama(256, 32, 2, 4, 2, 64, 64, 10000.0, false),
                ModelConfig.of(new MistralFamily(), 256, 32, 2, 4, 2, 8, 64, 64).withOptions(new FamilyOptions(3, 0, false, false, 0, 0, 0)),
                ModelConfig.of(new Qwen2Family(), 256, 32, 2, 4, 2, 8, 64, 64),
                ModelConfig.of(new Phi3Family(), 256, 32, 2, 4, 2, 8, 64, 64),
                ModelConfig.of(new GemmaFamily(), 256, 32, 2, 4, 1, 16, 64, 64),
                ModelConfig.of(new Gemma2Family(), 256, 32, 3, 4, 2, 8, 64, 64).withOptions(new FamilyOptions(3, 0, true, false, 24, 1.5, 2.0)));
    }

    private static Path model(ModelConfig c) {
        Path m = dir.resolve(c.family().modelType() + "-" + c.nLayers() + "-" + Integer.toHexString(c.hashCode()));
        if (!java.nio.file.Files.exists(m)) {
            ModelInit.write(m, c, 5, ModelInit.Scheme.ALL_RANDOM);
        }
        return m;
    }

    /** b_O of layer {@code l}, or null for the families without one. */
    private static float[] outputBias(Weights w, ModelConfig c, int l) {
        return switch (c.family().modelType()) {
            case "gpt2" -> w.floats("transformer.h." + l + ".attn.c_proj.bias");
            case "gpt_neox" -> w.floats("gpt_neox.layers." + l + ".attention.dense.bias");
            default -> null;
        };
    }

    @Test
    void theResidualStreamIsTheEmbeddingsPlusEverySubLayersOutputAndEachAttentionOutputTheSumOfItsHeads() {
        for (ModelConfig c : families()) {
            Path m = model(c);
            try (Transformer t = Transformer.load(m); Weights w = Weights.open(m)) {
                ForwardResult r = t.forward(TOKENS, HookSet.all());
                int d = c.dModel();
                int n = TOKENS.length * TOKENS[0].length; // rows of [batch, seq, d_model]
                double[] sum = new double[n * d];
                add(sum, r.activation(HookNames.EMBED).data());
                if (c.family().learnedPositions()) {
                    add(sum, r.activation(HookNames.POS_EMBED).data());
                }
                double worstHeads = 0;
                for (int l = 0; l < c.nLayers(); l++) {
                    float[] attnOut = r.activation(HookNames.attnOut(l)).data();
                    add(sum, attnOut);
                    add(sum, r.activation(HookNames.mlpOut(l)).data());
                    // Σ_heads result (+ b_O) is what the attention adds; Gemma 2 norms that sum (ln1_post) before adding it.
                    Activation result = r.activation(HookNames.result(l));
                    assertArrayEquals(new long[] {TOKENS.length, TOKENS[0].length, c.nHeads(), d}, result.shape(), c.family() + " result shape");
                    float[] bias = outputBias(w, c, l);
                    double[] heads = new double[n * d];
                    for (int row = 0; row < n; row++) {
                        for (int h = 0; h < c.nHeads(); h++) {
                            for (int j = 0; j < d; j++) {
                                heads[row * d + j] += result.data()[(row * c.nHeads() + h) * d + j];
                            }
                        }
                        for (int j = 0; j < d && bias != null; j++) {
                            heads[row * d + j] += bias[j];
                        }
                    }
                    if (c.family().normsAfterSubLayers()) {
                        float[] scale = r.activation(HookNames.ln1PostScale(l)).data();
                        float[] weight = w.floats("model.layers." + l + ".post_attention_layernorm.weight");
                        for (int row = 0; row < n; row++) {
                            for (int j = 0; j < d; j++) {
                                heads[row * d + j] = heads[row * d + j] / scale[row] * (1 + weight[j]);
                            }
                        }
                        assertArrayEquals(attnOut, r.activation(HookNames.ln1PostNormalized(l)).data(), c.family() + " attn_out is ln1_post's output");
                    }
                    worstHeads = Math.max(worstHeads, maxAbs(heads, attnOut));
                }
                float[] last = r.activation(HookNames.residPost(c.nLayers() - 1)).data();
                double worst = maxAbs(sum, last);
                assertTrue(worst <= TOLERANCE, c.family() + ": embeddings + Σ attn_out + Σ mlp_out vs last resid_post: " + worst);
                assertTrue(worstHeads <= TOLERANCE, c.family() + ": Σ_heads result (+ b_O) vs attn_out: " + worstHeads);
                System.out.printf("%s: residual decomposition %.1e, head sum %.1e%n", c.family(), worst, worstHeads);
            }
        }
    }

    @Test
    void selectingHookResultChangesNoOtherActivationNorTheLogits() {
        for (ModelConfig c : families()) {
            try (Transformer t = Transformer.load(model(c))) {
                ForwardResult plain = t.forward(TOKENS, HookSet.of("blocks.*.hook_resid_post"));
                ForwardResult withResult = t.forward(TOKENS, HookSet.of("blocks.*.hook_resid_post", "blocks.*.attn.hook_result", "*.hook_scale"));
                String last = HookNames.residPost(c.nLayers() - 1);
                assertArrayEquals(plain.activation(last).data(), withResult.activation(last).data(), 1e-5f, c.family() + " " + last);
                assertArrayEquals(plain.logits().data(), withResult.logits().data(), 1e-4f, c.family() + " logits");
            }
        }
    }

    @Test
    void zeroAblatingOneHeadAtHookZRemovesExactlyThatHeadsResult() {
        for (ModelConfig c : families()) {
            try (Transformer t = Transformer.load(model(c))) {
                int layer = c.nLayers() - 1;
                int head = 1;
                int from = 2;
                ForwardResult base = t.forward(TOKENS, HookSet.all());
                Intervention ablate = Intervention.replace(HookNames.hookZ(layer), new float[c.headDim()], from).onHead(head);
                ForwardResult ablated = t.forward(TOKENS, HookSet.all().with(ablate));
                int seq = TOKENS[0].length;
                int heads = c.nHeads();
                float[] z = ablated.activation(HookNames.hookZ(layer)).data();
                float[] zBase = base.activation(HookNames.hookZ(layer)).data();
                float[] result = base.activation(HookNames.result(layer)).data();
                float[] out = ablated.activation(HookNames.attnOut(layer)).data();
                float[] outBase = base.activation(HookNames.attnOut(layer)).data();
                float[] scaleBase = c.family().normsAfterSubLayers() ? null : new float[0];
                for (int b = 0; b < TOKENS.length; b++) {
                    for (int p = 0; p < seq; p++) {
                        for (int h = 0; h < heads; h++) {
                            for (int j = 0; j < c.headDim(); j++) {
                                int i = ((b * seq + p) * heads + h) * c.headDim() + j;
                                float expected = p >= from && h == head ? 0f : zBase[i];
                                assertEquals(expected, z[i], 1e-6, c.family() + " z at batch " + b + " pos " + p + " head " + h);
                            }
                        }
                        if (scaleBase == null) {
                            continue; // Gemma 2: attn_out is normed after the heads are summed, so no head's share is additive
                        }
                        for (int j = 0; j < c.dModel(); j++) {
                            int i = (b * seq + p) * c.dModel() + j;
                            double removed = p >= from ? result[((b * seq + p) * heads + head) * c.dModel() + j] : 0;
                            assertEquals(outBase[i] - removed, out[i], TOLERANCE, c.family() + " attn_out at batch " + b + " pos " + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void withGroupedQueryAttentionAKeyValueHeadServesItsQueryHeadsAndTheHooksKeepTheirHeadCounts() {
        ModelConfig c = ModelConfig.llama(256, 32, 1, 4, 2, 64, 64, 10000.0, false); // kv head 1 serves query heads 2 and 3
        try (Transformer t = Transformer.load(model(c))) {
            ForwardResult base = t.forward(TOKENS, HookSet.all());
            assertArrayEquals(new long[] {2, 7, 2, 8}, base.activation(HookNames.hookK(0)).shape());
            assertArrayEquals(new long[] {2, 7, 2, 8}, base.activation(HookNames.rotK(0)).shape());
            assertArrayEquals(new long[] {2, 7, 4, 8}, base.activation(HookNames.hookQ(0)).shape());
            assertArrayEquals(new long[] {2, 4, 7, 7}, base.activation(HookNames.attnScores(0)).shape());
            ForwardResult r = t.forward(TOKENS, HookSet.all().with(Intervention.replace(HookNames.hookV(0), new float[8], 0).onHead(1)));
            float[] z = r.activation(HookNames.hookZ(0)).data();
            float[] zBase = base.activation(HookNames.hookZ(0)).data();
            for (int row = 0; row < 14; row++) {
                for (int h = 0; h < 4; h++) {
                    for (int j = 0; j < 8; j++) {
                        int i = (row * 4 + h) * 8 + j;
                        assertEquals(h >= 2 ? 0f : zBase[i], z[i], 1e-6, "z row " + row + " head " + h);
                    }
                }
            }
        }
    }

    @Test
    void addingADirectionToOneHeadsResultMovesTheAttentionOutputByIt() {
        ModelConfig c = ModelConfig.gpt2(256, 32, 2, 4, 64);
        try (Transformer t = Transformer.load(model(c))) {
            float[] v = new float[32];
            for (int j = 0; j < 32; j++) {
                v[j] = (float) Math.sin(j + 1);
            }
            ForwardResult base = t.forward(TOKENS, HookSet.of("blocks.0.*"));
            ForwardResult r = t.forward(TOKENS, HookSet.of("blocks.0.*").with(Intervention.add(HookNames.result(0), v, 2.0, 3).onHead(2)));
            float[] out = r.activation(HookNames.attnOut(0)).data();
            float[] outBase = base.activation(HookNames.attnOut(0)).data();
            for (int row = 0; row < 14; row++) {
                int p = row % 7;
                for (int j = 0; j < 32; j++) {
                    assertEquals(outBase[row * 32 + j] + (p >= 3 ? 2.0 * v[j] : 0), out[row * 32 + j], 1e-4, "row " + row);
                }
            }
        }
    }

    @Test
    void positionSelectionCutsThePositionAxisOfPerHeadHooksAndTheQueryAxisOfScores() {
        ModelConfig c = ModelConfig.llama(256, 32, 1, 4, 2, 64, 64, 10000.0, false);
        try (Transformer t = Transformer.load(model(c))) {
            ForwardResult all = t.forward(TOKENS, HookSet.all());
            ForwardResult last = t.forward(TOKENS, HookSet.all().at(Positions.LAST));
            Activation z = last.activation(HookNames.hookZ(0));
            assertArrayEquals(new long[] {2, 1, 4, 8}, z.shape());
            Activation scores = last.activation(HookNames.attnScores(0));
            assertArrayEquals(new long[] {2, 4, 1, 7}, scores.shape());
            float[] zAll = all.activation(HookNames.hookZ(0)).data();
            float[] sAll = all.activation(HookNames.attnScores(0)).data();
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 32; i++) {
                    assertEquals(zAll[(b * 7 + 6) * 32 + i], z.data()[b * 32 + i], 1e-6);
                }
                for (int h = 0; h < 4; h++) {
                    for (int k = 0; k < 7; k++) {
                        assertEquals(sAll[((b * 4 + h) * 7 + 6) * 7 + k], scores.data()[(b * 4 + h) * 7 + k], 1e-6);
                    }
                }
            }
            // the masked scores are −∞ and the pattern is 0 there
            assertEquals(Float.NEGATIVE_INFINITY, sAll[1], "query 0 cannot see key 1");
            assertEquals(0f, all.activation(HookNames.pattern(0)).data()[1]);
        }
    }

    @Test
    void interventionsWithoutAHeadAxisOrOnScoresOrBeyondTheHeadsAreRefused() {
        ModelConfig c = ModelConfig.llama(256, 32, 1, 4, 2, 64, 64, 10000.0, false);
        InputException e = assertThrows(InputException.class, () -> Intervention.replace(HookNames.residPost(0), new float[32], 0).onHead(0));
        assertTrue(e.getMessage().contains("no [batch, pos, head, x] head axis"), e.getMessage());
        try (Transformer t = Transformer.load(model(c))) {
            e = assertThrows(InputException.class,
                    () -> t.forward(TOKENS, HookSet.none().with(Intervention.replace(HookNames.hookK(0), new float[8], 0).onHead(2))));
            assertTrue(e.getMessage().contains("head 2 does not exist; the hook has 2 heads"), e.getMessage());
            e = assertThrows(InputException.class,
                    () -> t.forward(TOKENS, HookSet.none().with(Intervention.replace(HookNames.pattern(0), new float[7], 0))));
            assertTrue(e.getMessage().contains("attention scores and patterns take none"), e.getMessage());
            e = assertThrows(InputException.class,
                    () -> t.forward(TOKENS, HookSet.none().with(Intervention.replace(HookNames.hookZ(0), new float[32], 0).onHead(0))));
            assertTrue(e.getMessage().contains("the direction has 32 components, the activation has width 8"), e.getMessage());
        }
    }

    @Test
    void everyFamilyListsItsHooksInForwardOrderWithTheirShapes() {
        for (ModelConfig c : families()) {
            try (Transformer t = Transformer.load(model(c))) {
                ForwardResult r = t.forward(TOKENS, HookSet.all());
                assertEquals(HookNames.all(c), List.copyOf(r.activations().keySet()), c.family() + ": every hook, in forward order");
                for (String h : HookNames.all(c)) {
                    int[] row = HookNames.rowShape(c, h);
                    long[] shape = r.activation(h).shape();
                    if (row == null) {
                        assertArrayEquals(new long[] {2, c.nHeads(), 7, 7}, shape, c.family() + " " + h);
                        continue;
                    }
                    long[] expected = new long[2 + row.length];
                    expected[0] = 2;
                    expected[1] = 7;
                    for (int i = 0; i < row.length; i++) {
                        expected[2 + i] = row[i];
                    }
                    assertArrayEquals(expected, shape, c.family() + " " + h);
                }
                assertEquals(c.family().rotary(), HookNames.all(c).contains(HookNames.rotQ(0)), c.family() + " rot_q");
                assertEquals(c.family().gatedMlp(), HookNames.all(c).contains(HookNames.mlpPreLinear(0)), c.family() + " pre_linear");
            }
        }
    }

    @Test
    void headAblationDuringGenerationWithTheKvCacheEqualsFullRecomputation() {
        // Grouped-query attention; ablating query head 3's z and kv head 0's values from position 2 on.
        ModelConfig c = ModelConfig.llama(256, 32, 2, 4, 2, 64, 64, 10000.0, false);
        try (Transformer t = Transformer.load(model(c))) {
            HookSet ablate = HookSet.none().with(Intervention.replace(HookNames.hookZ(1), new float[8], 2).onHead(3),
                    Intervention.replace(HookNames.hookV(0), new float[8], 2).onHead(0));
            int[] prompt = {5, 80, 17};
            int[] cached = Generation.sample(t, prompt, 6, Sampler.GREEDY, 0, ablate);
            int[] seq = prompt.clone();
            for (int step = 0; step < 6; step++) {
                float[] logits = t.forward(seq, ablate).logits().data();
                int v = c.vocabSize();
                int best = 0;
                for (int j = 1; j < v; j++) {
                    if (logits[(seq.length - 1) * v + j] > logits[(seq.length - 1) * v + best]) {
                        best = j;
                    }
                }
                seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = best;
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(seq, 3, 9), cached);
            float[] plain = t.forward(seq, HookSet.none()).logits().data();
            float[] ablated = t.forward(seq, ablate).logits().data();
            assertTrue(!java.util.Arrays.equals(plain, ablated), "the ablation changes the logits");
        }
    }

    @Test
    void captureWhileGeneratingRefusesASelectionOfPatternsAloneAndPlainCaptureTakesThem() {
        ModelConfig c = ModelConfig.llama(256, 32, 1, 4, 2, 64, 64, 10000.0, false);
        List<String> patterns = List.of("blocks.*.attn.hook_pattern");
        InputException e = assertThrows(InputException.class, () -> CaptureTarget.hooks(c, patterns, "--capture-hooks", false));
        assertTrue(e.getMessage().startsWith("--capture-hooks blocks.*.attn.hook_pattern selects no hook of this model that can be captured here"
                + " (blocks.0.attn.hook_pattern are [head, query, key]: their key axis grows while generating)"), e.getMessage());
        assertEquals(List.of(HookNames.pattern(0)), CaptureTarget.hooks(c, patterns, "--hooks", true));
        assertEquals(List.of(HookNames.hookZ(0), HookNames.residPost(0)),
                CaptureTarget.hooks(c, List.of("blocks.0.hook_resid_post", "*.hook_z", "*.hook_pattern"), "--capture-hooks", false));
        assertEquals(java.util.Map.of(HookNames.hookZ(0), List.of(4, 8), HookNames.pattern(0), List.of(4, 13)),
                CaptureTarget.shapes(c, List.of(HookNames.hookZ(0), HookNames.pattern(0), HookNames.residPost(0)), 13));
    }

    @Test
    void passesRecordingEveryHookOrChangingOneLeaveNoArraysBehind() {
        for (ModelConfig c : families()) {
            try (Transformer t = Transformer.load(model(c))) {
                HookSet hooks = HookSet.all().with(Intervention.add(HookNames.ln1Scale(0), new float[] {0.5f}, 1, 0),
                        Intervention.replace(HookNames.result(0), new float[c.dModel()], 1).onHead(0));
                t.forward(TOKENS, hooks);
                int before = t.liveParameterArrays();
                for (int i = 0; i < 2; i++) {
                    t.forward(TOKENS, hooks);
                }
                assertEquals(before, t.liveParameterArrays(), c.family() + ": arrays left in the parameters' manager");
            }
        }
    }

    private static void add(double[] sum, float[] x) {
        assertEquals(sum.length, x.length);
        for (int i = 0; i < x.length; i++) {
            sum[i] += x[i];
        }
    }

    private static double maxAbs(double[] expected, float[] actual) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
