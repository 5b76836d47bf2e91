package org.scalelab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import org.scalelab.model.Activation;
import org.scalelab.model.ActivationPatch;
import org.scalelab.model.Generation;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.Sampler;
import org.scalelab.model.Transformer;

/**
 * The identities of activation patching on tiny random models: patching a run with its own
 * activations recovers exactly 1, patching an activation the two runs share recovers exactly 0,
 * patching the one position where the prompts differ at the first layer recovers exactly 1;
 * a patch changes the chosen position and head only; patches hold during generation.
 */
class PatchingTest {
    @TempDir Path dir;

    static final ModelConfig GPT2 = ModelConfig.gpt2(64, 32, 2, 4, 32);
    static final ModelConfig LLAMA = ModelConfig.llama(64, 32, 2, 4, 2, 64, 32, 10000.0, false);
    // clean and corrupted differ at position 2 only
    static final PatchPair.Tokens PAIR = new PatchPair.Tokens("p", new int[] {5, 9, 17, 3, 40, 21}, new int[] {5, 9, 30, 3, 40, 21}, 17, 30);
    static final PatchPair.Tokens SELF = new PatchPair.Tokens("s", PAIR.clean(), PAIR.clean(), 17, 30);

    Transformer load(ModelConfig c) {
        Path m = dir.resolve(c.family().modelType());
        if (!Files.exists(m)) {
            ModelInit.write(m, c, 4, ModelInit.Scheme.ALL_RANDOM);
        }
        return Transformer.load(m);
    }

    @Test
    void patchingARunWithItselfRecoversExactlyOneEverywhere() {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer m = load(c)) {
                Patching.Input in = new Patching.Input(m, List.of(SELF), List.of());
                List<String[]> grids = List.of(new String[] {"LAYER_POSITION", null}, new String[] {"HOOK", null}, new String[] {"LAYER_HEAD", "z"},
                        new String[] {"LAYER_HEAD", "pattern"}, new String[] {"LAYER_HEAD", "k"}, new String[] {"LAYER_POSITION", "mlp_out"});
                for (String[] g : grids) {
                    Patching.By by = Patching.By.valueOf(g[0]);
                    Patching.Result r = Patching.patch(in, by, g[1], Map.of());
                    if (g[1] != null && g[1].equals("k")) {
                        assertEquals(c.nKvHeads(), r.columns().size(), c.family() + ": hook_k has one head per key/value group");
                    }
                    assertEquals(r.cleanLogitDiff(), r.corruptedLogitDiff(), c.family() + ": the same prompt twice scores the same");
                    for (double[] row : r.recovery()) {
                        for (double v : row) {
                            assertEquals(1.0, v, 0.0, c.family() + " " + by + ": 0/0 is defined as 1 when the patched run scores the same");
                        }
                    }
                }
            }
        }
    }

    @Test
    void patchingWhatBothRunsShareRecoversZeroAndPatchingTheDifferenceRecoversOne() {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer m = load(c)) {
                Patching.Result r = Patching.patch(new Patching.Input(m, List.of(PAIR), List.of()), Patching.By.LAYER_POSITION, null, Map.of());
                assertEquals(List.of("0", "1"), r.rows());
                assertEquals(6, r.columns().size());
                assertNotEquals(r.cleanLogitDiff(), r.corruptedLogitDiff(), "the corruption changes the logit difference");
                for (int p = 0; p < 6; p++) {
                    // blocks.0.hook_resid_pre is the embedding of each position alone: equal where the tokens are equal
                    assertEquals(p == 2 ? 1.0 : 0.0, r.recovery()[0][p], 0.0, c.family() + " layer 0 position " + p);
                    assertEquals(r.recovery()[0][p] == 1.0 ? r.cleanLogitDiff() : r.corruptedLogitDiff(), r.logitDiff()[0][p], 0.0);
                }
                // after layer 0, position 2's information has spread to the later positions: patching position 2 alone no longer recovers all of it
                assertTrue(Math.abs(r.recovery()[1][2] - 1) > 1e-6, c.family() + ": layer 1, position 2 recovers " + r.recovery()[1][2]);
                assertEquals(0.0, r.recovery()[1][0], 0.0, "position 0 comes before the difference and is the same in both runs");
                // patching the last position's residual stream before the last layer: its attention still reads corrupted positions
                Patching.Result whole = Patching.patch(new Patching.Input(m, List.of(PAIR), List.of()), Patching.By.HOOK, null, Map.of());
                assertEquals(List.of("resid_pre", "attn_out", "mlp_out"), whole.rows());
                assertEquals(1.0, whole.recovery()[0][0], 0.0, "the whole residual stream entering layer 0 is the clean input");
                assertEquals(1.0, whole.recovery()[0][1], 0.0, "the whole residual stream entering the last layer determines the output");
            }
        }
    }

    @Test
    void recoveryIsTheNormalisedLogitDifference() {
        assertEquals(0.25, Patching.recovery(2, 5, 1), 1e-15);
        assertEquals(0.0, Patching.recovery(1, 5, 1), 0.0);
        assertEquals(1.0, Patching.recovery(5, 5, 1), 0.0);
        assertEquals(-0.5, Patching.recovery(-1, 5, 1), 1e-15);
        assertEquals(1.0, Patching.recovery(3, 3, 3), 0.0);
        assertTrue(Double.isNaN(Patching.recovery(2, 3, 3)), "0/0 with a changed score is undefined");
    }

    @Test
    void aPatchReplacesTheChosenPositionAndHeadOnly() {
        try (Transformer m = load(LLAMA)) {
            String hook = "blocks.1.attn.hook_pattern";
            Activation clean = m.forward(PAIR.clean(), HookSet.of(hook)).activation(hook); // [1, head, query, key]
            Activation corrupted = m.forward(PAIR.corrupted(), HookSet.of(hook)).activation(hook);
            Activation patched = m.forward(PAIR.corrupted(), HookSet.of(hook).patched(new ActivationPatch(hook, clean, 4, 1))).activation(hook);
            int heads = 4;
            int seq = 6;
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < seq; q++) {
                    for (int k = 0; k < seq; k++) {
                        int i = (h * seq + q) * seq + k;
                        float expected = h == 1 && q == 4 ? clean.data()[i] : corrupted.data()[i];
                        assertEquals(expected, patched.data()[i], 0f, "head " + h + " query " + q + " key " + k);
                    }
                }
            }
            String resid = "blocks.1.hook_resid_pre";
            Activation cleanResid = m.forward(PAIR.clean(), HookSet.of(resid)).activation(resid);
            Activation corruptedResid = m.forward(PAIR.corrupted(), HookSet.of(resid)).activation(resid);
            Activation patchedResid = m.forward(PAIR.corrupted(), HookSet.of(resid).patched(new ActivationPatch(resid, cleanResid, 3, ActivationPatch.ALL)))
                    .activation(resid);
            for (int p = 0; p < seq; p++) {
                assertArrayEquals((p == 3 ? cleanResid : corruptedResid).at(0, p), patchedResid.at(0, p), 0f, "position " + p);
            }
            assertThrows(InputException.class, () -> new ActivationPatch(resid, cleanResid, 0, 1), "resid_pre has no head axis");
            assertThrows(InputException.class, () -> m.forward(PAIR.clean(), HookSet.none().patched(ActivationPatch.whole("blocks.9.hook_resid_pre",
                    cleanResid))), "no such hook");
        }
    }

    @Test
    void aPatchHoldsDuringGenerationWithTheKvCache() {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer m = load(c)) {
                String hook = "blocks.0.hook_resid_pre";
                Activation clean = m.forward(PAIR.clean(), HookSet.of(hook)).activation(hook);
                int[] fromClean = Generation.greedy(m, PAIR.clean(), 8);
                // the clean embedding at the prompt's positions; generated positions are beyond the recording and left alone
                int[] patched = Generation.sample(m, PAIR.corrupted(), 8, Sampler.GREEDY, 0, HookSet.none().patched(ActivationPatch.whole(hook, clean)));
                assertArrayEquals(fromClean, patched, c.family() + ": the corrupted prompt patched with the clean embeddings generates the clean text");
            }
        }
    }

    @Test
    void zeroAblatingAHeadsPatternOrItsOutputRemovesTheSameHead() {
        try (Transformer m = load(GPT2)) {
            Patching.Result r = Patching.ablate(new Patching.Input(m, List.of(PAIR), List.of()), Patching.Ablation.ZERO, "pattern");
            // a zero pattern makes z = pattern · v zero: the same as zeroing hook_z (and hook_result, b_O aside)
            Patching.Result z = Patching.ablate(new Patching.Input(m, List.of(PAIR), List.of()), Patching.Ablation.ZERO, null);
            Patching.Result result = Patching.ablate(new Patching.Input(m, List.of(PAIR), List.of()), Patching.Ablation.ZERO, "result");
            for (int l = 0; l < 2; l++) {
                assertArrayEquals(z.logitDiff()[l], r.logitDiff()[l], 1e-5, "layer " + l);
                assertArrayEquals(z.logitDiff()[l], result.logitDiff()[l], 1e-5, "layer " + l);
            }
            Patching.Result mean = Patching.ablate(new Patching.Input(m, List.of(PAIR, SELF), List.of()), Patching.Ablation.MEAN, "z");
            assertEquals("ablate-mean", mean.method());
            // the same mean ablation through the runtime's per-head Intervention, with the mean computed here
            List<PatchPair.Tokens> both = List.of(PAIR, SELF);
            for (int l = 0; l < 2; l++) {
                String hook = org.scalelab.model.HookNames.hookZ(l);
                for (int h = 0; h < 4; h++) {
                    float[] meanZ = new float[8]; // d_head = 32 / 4
                    int n = 0;
                    for (PatchPair.Tokens p : both) {
                        Activation a = m.forward(p.clean(), HookSet.of(hook)).activation(hook); // [1, pos, head, d_head]
                        for (int pos = 0; pos < p.clean().length; pos++, n++) {
                            for (int j = 0; j < 8; j++) {
                                meanZ[j] += a.data()[(pos * 4 + h) * 8 + j];
                            }
                        }
                    }
                    for (int j = 0; j < 8; j++) {
                        meanZ[j] /= n;
                    }
                    double sum = 0;
                    for (PatchPair.Tokens p : both) {
                        HookSet ablated = HookSet.none().with(org.scalelab.model.Intervention.replace(hook, meanZ, 0).onHead(h));
                        sum += Patching.logitDiff(m, p.clean(), p, ablated);
                    }
                    assertEquals(sum / 2, mean.logitDiff()[l][h], 1e-5, "mean ablation of L" + l + "H" + h);
                }
            }
            assertEquals("ablate-zero", r.method());
            assertEquals(2, r.rows().size());
            assertEquals(4, r.columns().size());
            for (double[] row : r.recovery()) {
                for (double v : row) {
                    assertTrue(Double.isFinite(v) && v != 1.0, "removing a head of a random model moves its logit difference: " + v);
                }
            }
            assertThrows(InputException.class, () -> Patching.ablate(new Patching.Input(m, List.of(PAIR), List.of()), Patching.Ablation.MEAN, "pattern"));
            assertThrows(InputException.class, () -> Patching.ablate(new Patching.Input(m, List.of(PAIR), List.of()), Patching.Ablation.ZERO, "resid_pre"));
        }
    }

    @Test
    void pairsOfUnequalLengthsAreRefusedByLayerPosition() {
        try (Transformer m = load(GPT2)) {
            PatchPair.Tokens shorter = new PatchPair.Tokens("short", new int[] {1, 2, 3}, new int[] {1, 2, 4}, 3, 4);
            InputException e = assertThrows(InputException.class,
                    () -> Patching.patch(new Patching.Input(m, List.of(PAIR, shorter), List.of()), Patching.By.LAYER_POSITION, null, Map.of()));
            assertTrue(e.getMessage().contains("\"short\" has 3 tokens"), e.getMessage());
            InputException hook = assertThrows(InputException.class,
                    () -> Patching.patch(new Patching.Input(m, List.of(PAIR), List.of()), Patching.By.LAYER_POSITION, "nope", Map.of()));
            assertTrue(hook.getMessage().startsWith("hook 'nope': no such hook"), hook.getMessage());
        }
    }

    @Test
    void pairFilesAreReadAndBadLinesNamed() throws IOException {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, "{\"id\":\"a\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\",\"wrong\":\" z\"}\n\n"
                + "{\"id\":\"b\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\",\"wrong\":\" z\"}\n");
        List<PatchPair> pairs = PatchPair.read(f);
        assertEquals(2, pairs.size());
        assertEquals(f + ":3", pairs.get(1).where());
        Files.writeString(f, "{\"id\":\"a\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\",\"wrong\":\" z\"}\n"
                + "{\"id\":\"b\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\"}\n");
        InputException e = assertThrows(InputException.class, () -> PatchPair.read(f));
        assertEquals(f + ":2: field \"wrong\": missing or not a non-empty string", e.getMessage());
        Files.writeString(f, "{\"id\":\"a\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\",\"wrong\":\" z\"}\n"
                + "{\"id\":\"a\",\"clean\":\"x y\",\"corrupted\":\"x z\",\"answer\":\" y\",\"wrong\":\" z\"}\n");
        assertTrue(assertThrows(InputException.class, () -> PatchPair.read(f)).getMessage().contains("repeats line 1"));
    }
}
