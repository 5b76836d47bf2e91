package org.scalelab.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.scalelab.model.ActivationPatch;
import org.scalelab.model.GradMode;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.Transformer;
import org.scalelab.train.AdamWOptions;
import org.scalelab.train.Example;
import org.scalelab.train.LearningRateSchedule;
import org.scalelab.train.TrainOptions;
import org.scalelab.train.Trainer;

/**
 * A model trained here to copy a token, and the head that copies it found two ways. Each sequence
 * holds one key token t (0–15) at a random one of positions 0–4 among fillers (16–31), then a
 * query token (40); the answer is t. Nothing but attention can move t to the query position, so
 * some head must attend to it and write it out. Pairs differ only in the key token (clean t,
 * corrupted t'): patching each head's hook_z from clean into corrupted, the head with the highest
 * recovery must be the head with the largest direct contribution to logit(t) − logit(t'), and
 * zero-ablating that head must destroy the accuracy, while ablating any other head must not.
 * Grouped-query attention (4 query heads, 2 key/value heads). Which head learns the copy is
 * decided by training: every other head is pruned (its W_O kept at zero), so the test knows the
 * answer both methods must find among the 8 heads; it fails if a head index is mapped wrongly
 * anywhere between hook_z, hook_result, the patch and the attribution.
 */
class CopyHeadTest {
    @TempDir Path dir;

    static final int QUERY = 40;
    static final int COPY_LAYER = 1;
    static final int COPY_HEAD = 2;

    @Test
    void theCopyingHeadIsFoundByPatchingAndByAttributionAndAblatingItBreaksTheTask() {
        ModelConfig c = ModelConfig.llama(48, 32, 2, 4, 2, 64, 16, 10000.0, false);
        Path init = dir.resolve("init");
        ModelInit.write(init, c, 5);
        SplittableRandom rng = new SplittableRandom(1);
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < 2048; i++) {
            int[] s = sequence(rng, rng.nextInt(16), rng.nextInt(5));
            data.add(Example.lastToken(append(s, key(s))));
        }
        TrainOptions o = new TrainOptions(120, 32, LearningRateSchedule.constant(1e-2, 20), AdamWOptions.defaults(), 1.0, 1, 0, 1);
        try (Trainer t = Trainer.start(init, data, o, dir.resolve("run"))) {
            // Every head but the copy head is pruned: its output projection W_O is set to zero after every update
            // (the listener runs with grad mode off), so only the copy head can move the key to the query position.
            prune(t.model(), c);
            t.addListener((log, trainer) -> prune(trainer.model(), c));
            long t0 = System.nanoTime();
            t.run();
            System.out.printf("trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Transformer m = t.model();
            SplittableRandom test = new SplittableRandom(2);
            List<PatchPair.Tokens> pairs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int key = test.nextInt(16);
                int other = (key + 1 + test.nextInt(15)) % 16;
                int at = test.nextInt(5);
                int[] clean = sequence(new SplittableRandom(100 + i), key, at);
                int[] corrupted = clean.clone();
                corrupted[at] = other;
                pairs.add(new PatchPair.Tokens("p" + i, clean, corrupted, key, other));
            }
            assertTrue(accuracy(m, pairs, HookSet.none()) >= 0.95, "the trained model copies the key token: " + accuracy(m, pairs, HookSet.none()));

            Patching.Result patched = Patching.patch(new Patching.Input(m, pairs, List.of()), Patching.By.LAYER_HEAD, "z", Map.of());
            int[] byPatching = argmax(patched.recovery());

            double[][] direct = new double[c.nLayers()][c.nHeads()];
            for (PatchPair.Tokens p : pairs) {
                Lens.Result r = Lens.analyze(new Lens.Input(m, List.of(new Lens.Prompt(p.id(), p.clean())), Integer::toString, List.of()),
                        new Lens.Options(p.answer(), p.wrong(), 0, true));
                for (Lens.Contribution k : r.prompts().get(0).contributions()) {
                    if (k.head() >= 0) {
                        direct[k.layer()][k.head()] += k.value() / pairs.size();
                    }
                }
            }
            int[] byAttribution = argmax(direct);
            System.out.printf("copy head: patching recovery %s → L%dH%d; direct attribution %s → L%dH%d%n", java.util.Arrays.deepToString(round(patched.recovery())),
                    byPatching[0], byPatching[1], java.util.Arrays.deepToString(round(direct)), byAttribution[0], byAttribution[1]);
            assertEquals(List.of(COPY_LAYER, COPY_HEAD), List.of(byPatching[0], byPatching[1]), "patching finds the copy head");
            assertEquals(List.of(COPY_LAYER, COPY_HEAD), List.of(byAttribution[0], byAttribution[1]), "attribution finds the copy head");
            assertTrue(patched.recovery()[COPY_LAYER][COPY_HEAD] > 0.5, "the head carries most of the difference");

            for (int l = 0; l < c.nLayers(); l++) {
                for (int h = 0; h < c.nHeads(); h++) {
                    String hook = HookNames.hookZ(l);
                    double acc = accuracyAblated(m, pairs, hook, h);
                    if (l == COPY_LAYER && h == COPY_HEAD) {
                        assertTrue(acc <= 0.3, "without the copy head the model copies " + acc + " of the keys");
                    } else {
                        assertTrue(acc >= 0.8, "without head L" + l + "H" + h + " the model still copies: " + acc);
                    }
                }
            }
        }
    }

    private static void prune(Transformer m, ModelConfig c) {
        try (GradMode off = GradMode.disabled()) {
            for (int l = 0; l < c.nLayers(); l++) {
                NDArray wO = m.trainableParameters().get("model.layers." + l + ".self_attn.o_proj.weight"); // [d_model, heads · d_head]
                for (int h = 0; h < c.nHeads(); h++) {
                    if (l != COPY_LAYER || h != COPY_HEAD) {
                        wO.set(new NDIndex(":, {}:{}", h * c.headDim(), (h + 1) * c.headDim()), 0f);
                    }
                }
            }
        }
    }

    private static int[] sequence(SplittableRandom rng, int key, int at) {
        int[] s = new int[6];
        for (int i = 0; i < 5; i++) {
            s[i] = i == at ? key : 16 + rng.nextInt(16);
        }
        s[5] = QUERY;
        return s;
    }

    private static int key(int[] s) {
        for (int i = 0; i < 5; i++) {
            if (s[i] < 16) {
                return s[i];
            }
        }
        throw new IllegalStateException();
    }

    private static int[] append(int[] s, int x) {
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = x;
        return out;
    }

    private static double accuracy(Transformer m, List<PatchPair.Tokens> pairs, HookSet hooks) {
        int right = 0;
        for (PatchPair.Tokens p : pairs) {
            float[] row = m.forward(p.clean(), hooks).logits().at(0, 5);
            int best = 0;
            for (int i = 1; i < row.length; i++) {
                best = row[i] > row[best] ? i : best;
            }
            right += best == p.answer() ? 1 : 0;
        }
        return right / (double) pairs.size();
    }

    private static double accuracyAblated(Transformer m, List<PatchPair.Tokens> pairs, String hook, int head) {
        int right = 0;
        for (PatchPair.Tokens p : pairs) {
            var shape = m.forward(p.clean(), HookSet.of(hook)).activation(hook);
            var zeros = new org.scalelab.model.Activation(hook, shape.shape(), new float[shape.data().length]);
            right += accuracy(m, List.of(p), HookSet.none().patched(new ActivationPatch(hook, zeros, ActivationPatch.ALL, head))) == 1 ? 1 : 0;
        }
        return right / (double) pairs.size();
    }

    private static int[] argmax(double[][] grid) {
        int[] best = {0, 0};
        for (int i = 0; i < grid.length; i++) {
            for (int j = 0; j < grid[i].length; j++) {
                if (grid[i][j] > grid[best[0]][best[1]]) {
                    best = new int[] {i, j};
                }
            }
        }
        return best;
    }

    private static double[][] round(double[][] g) {
        double[][] out = new double[g.length][];
        for (int i = 0; i < g.length; i++) {
            out[i] = new double[g[i].length];
            for (int j = 0; j < g[i].length; j++) {
                out[i][j] = Math.round(g[i][j] * 100) / 100.0;
            }
        }
        return out;
    }
}
