package org.scalelab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.Transformer;

/**
 * Steering a model we trained. A GPT-2-like RoPE model learns "x c → answer": c is one of 32
 * tokens in two arbitrary groups (0–15 and 16–31), the answer is token 48 for the first group
 * and 49 for the second, and x is one of 8 distractor tokens. The model has to compute the
 * group — a binary feature nothing in the embedding table gives away — and read it out.
 * The group's direction is measured, not planted: the difference of the mean layer-0 residual
 * (blocks.0.hook_resid_post) at c's position between the two groups. Adding it with α = 1 at that
 * position, which moves a first-group prompt's residual by the gap between the group means, must
 * make the model answer 49; subtracting it must turn 49 into 48; a random direction of the same
 * norm must leave the answers alone. The test fails if training did not learn the task, if the
 * measured direction does not carry the feature the later layer reads, or if steering does not
 * reach the output.
 */
class SteeringTrainedModelTest {
    @TempDir Path dir;

    static final String HOOK = "blocks.0.hook_resid_post";

    @Test
    void groupDirectionOfATrainedModelSwitchesItsAnswerAndARandomDirectionDoesNot() {
        ModelConfig c = ModelConfig.gptNeoX(64, 48, 2, 4, 16);
        Path init = TrainerTest.init(dir.resolve("init"), c, 3);
        List<int[]> prompts = new ArrayList<>();
        List<Example> data = new ArrayList<>();
        for (int token = 0; token < 32; token++) {
            for (int x = 32; x < 40; x++) {
                prompts.add(new int[] {x, token});
                data.add(Example.lastToken(x, token, answer(token)));
            }
        }
        TrainOptions o = new TrainOptions(300, 32, LearningRateSchedule.constant(3e-3, 20), AdamWOptions.defaults(), 1.0, 1, 0, 1);
        try (Trainer t = Trainer.start(init, data, o, dir.resolve("run"))) {
            t.run();
            Transformer m = t.model();
            int d = c.dModel();
            float[] first = new float[d];
            float[] second = new float[d];
            for (int[] p : prompts) {
                assertEquals(answer(p[1]), next(m, p, HookSet.none()), "the trained model answers " + p[0] + " " + p[1]);
                float[] r = m.forward(p, HookSet.of(HOOK)).activation(HOOK).at(0, 1);
                float[] sum = p[1] < 16 ? first : second;
                for (int i = 0; i < d; i++) {
                    sum[i] += r[i] / (prompts.size() / 2f);
                }
            }
            float[] v = new float[d];
            float[] random = new float[d];
            SplittableRandom rng = new SplittableRandom(7);
            double norm = 0;
            double randomNorm = 0;
            for (int i = 0; i < d; i++) {
                v[i] = second[i] - first[i];
                random[i] = (float) rng.nextGaussian();
                norm += v[i] * v[i];
                randomNorm += random[i] * random[i];
            }
            for (int i = 0; i < d; i++) {
                random[i] *= (float) Math.sqrt(norm / randomNorm);
            }
            int toSecond = 0;
            int toFirst = 0;
            int randomChanged = 0;
            for (int[] p : prompts) {
                boolean isFirst = p[1] < 16;
                // From position 1 (c, where the answer is predicted) on; the distractor's position is left alone.
                int steered = next(m, p, HookSet.none().with(Intervention.add(HOOK, v, isFirst ? 1.0 : -1.0, 1)));
                if (isFirst) {
                    toSecond += steered == 49 ? 1 : 0;
                } else {
                    toFirst += steered == 48 ? 1 : 0;
                }
                randomChanged += next(m, p, HookSet.none().with(Intervention.add(HOOK, random, 1.0, 1))) != answer(p[1]) ? 1 : 0;
            }
            System.out.printf("steering a trained model along its group direction (|v| = %.2f): first→second %d/128, second→first %d/128;"
                    + " a random direction of the same norm changed %d/256 answers%n", Math.sqrt(norm), toSecond, toFirst, randomChanged);
            assertTrue(toSecond >= 120, "adding the direction gave the second group's answer for " + toSecond + "/128 prompts");
            assertTrue(toFirst >= 120, "subtracting it gave the first group's answer for " + toFirst + "/128 prompts");
            assertTrue(randomChanged <= 13, "a random direction of the same norm changed " + randomChanged + "/256 answers");
        }
    }

    private static int answer(int token) {
        return token < 16 ? 48 : 49;
    }

    private static int next(Transformer m, int[] prompt, HookSet hooks) {
        float[] row = m.forward(prompt, hooks).logits().at(0, prompt.length - 1);
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            best = row[i] > row[best] ? i : best;
        }
        return best;
    }
}
