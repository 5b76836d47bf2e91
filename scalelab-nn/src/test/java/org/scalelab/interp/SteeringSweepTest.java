package org.scalelab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.phase.DoseResponse;
import org.scalelab.train.AdamWOptions;
import org.scalelab.train.Example;
import org.scalelab.train.LearningRateSchedule;
import org.scalelab.train.TrainOptions;
import org.scalelab.train.Trainer;

/**
 * The dose-response of steering a model trained here, along a direction measured in its own
 * activations. A GPT-NeoX model over bytes learns "x c" → " T" when the letter c is one of A–H (the
 * first group) and " F" when it is one of I–P (the second), x a distractor letter a–h; the group is
 * an arbitrary split nothing in the embedding gives away, so the model has to compute it.
 *
 * <p>The direction is the difference of the mean blocks.0.hook_resid_post at c's position between
 * the groups, over the prompts with distractors a–d only. Everything steered is held out from it:
 * prompts with distractors e–h. The target task asks for the first group's answer " T" on the
 * second group's held-out prompts (the model answers " F"), so pushing toward the first class must
 * raise its accuracy and logit difference; the other task is every held-out prompt with its true
 * answer (the model's own skill, which a strong push costs). The test fails unless the trained model
 * has the skill, the measured direction carries the feature the next layer reads, the sweep's
 * α = 0 scores are the plain model's bit for bit, and the direction beats five random directions of
 * the same norm with a gain interval above zero.
 */
class SteeringSweepTest {
    @TempDir Path dir;

    static final String HOOK = "blocks.0.hook_resid_post";

    @Test
    void aMeasuredDirectionBeatsRandomDirectionsOnHeldOutPrompts() {
        ModelConfig c = ModelConfig.gptNeoX(257, 32, 2, 4, 16);
        Path init = dir.resolve("init");
        ModelInit.write(init, c, 3);
        List<Example> data = new ArrayList<>();
        for (char x = 'a'; x <= 'h'; x++) {
            for (char g = 'A'; g <= 'P'; g++) {
                data.add(Example.lastToken(x, g, ' ', answer(g)));
            }
        }
        TrainOptions o = new TrainOptions(120, 32, LearningRateSchedule.constant(1e-2, 20), AdamWOptions.defaults(), 1.0, 1, 0, 1);
        long t0 = System.nanoTime();
        try (Trainer t = Trainer.start(init, data, o, dir.resolve("run")); ModelTokenizer tok = ModelTokenizer.load(init)) {
            t.run();
            System.out.printf("trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Transformer m = t.model();
            float[] v = groupDirection(m);
            List<EvalExample> target = new ArrayList<>();
            List<EvalExample> other = new ArrayList<>();
            for (char x = 'e'; x <= 'h'; x++) {
                for (char g = 'A'; g <= 'P'; g++) {
                    String ctx = "" + x + g;
                    if (g >= 'I') {
                        target.add(example("t-" + ctx, ctx, 0));
                    }
                    other.add(example("o-" + ctx, ctx, g < 'I' ? 0 : 1));
                }
            }
            ContinuationTokens ct = new ContinuationTokens(tok, false);
            SteeringSweep.Input in = new SteeringSweep.Input(m, ct, HOOK, v, new EvalTask("first_group", dir.resolve("first_group.jsonl"), target),
                    new EvalTask("own_answer", dir.resolve("own_answer.jsonl"), other));
            double[] alphas = {0, 0.25, 0.5, 1, 2};
            SteeringSweep.Options so = new SteeringSweep.Options(alphas, 5, true, 16, 16, 0, new DoseResponse.Options(1000, 0.95, 0, 2.0));
            SteeringSweep.Result r = SteeringSweep.run(in, so);

            // α = 0 is the plain model, bit for bit.
            ChoiceScorer plain = new ChoiceScorer(m, ct, 16, 16);
            DoseResponse.Outcomes unsteered = SteeringSweep.outcomes(plain, other);
            DoseResponse.Outcomes zero = SteeringSweep.outcomes(plain.steered(List.of(Intervention.add(HOOK, v, 0.0, 0))), other);
            assertArrayEquals(unsteered.logitDiff(), zero.logitDiff(), 0.0);
            double own = mean(unsteered.correct());
            assertTrue(own >= 0.95, "the trained model answers its own task: acc " + own);
            assertTrue(r.response().other().accuracy().points().get(0).score() == own, "the sweep's α = 0 is the plain model's accuracy");

            DoseResponse.TaskResponse tr = r.response().target();
            System.out.printf("r̄ = %.3f over %d tokens; held-out text %d tokens; %s%n", r.residualNorm(), r.tokensMeasured(), r.perplexityText(),
                    r.response().signCheck());
            for (int a = 0; a < alphas.length; a++) {
                DoseResponse.Effect acc = tr.accuracy().points().get(a).effect();
                DoseResponse.Effect ld = tr.logitDiff().points().get(a).effect();
                DoseResponse.Effect cost = r.response().other().accuracy().points().get(a).effect();
                System.out.printf("α=%-5s acc effect %+.3f [%+.3f, %+.3f] controls %+.3f gain %+.3f [%+.3f, %+.3f]  logit diff gain %+.2f [%+.2f, %+.2f]"
                        + "  own-task cost %+.3f  perplexity %.3f%n", alphas[a], acc.mean(), acc.ci()[0], acc.ci()[1], acc.controlMean(), acc.gain(),
                        ci(acc)[0], ci(acc)[1], ld.gain(), ci(ld)[0], ci(ld)[1], cost.mean(), r.response().perplexity()[a]);
            }
            DoseResponse.Ablation ab = r.response().other().ablation();
            System.out.printf("ablating the direction: own-task acc %+.3f [%+.3f, %+.3f], controls' %+.3f; ED50 (acc) %s %s; degeneration dose %s%n",
                    ab.accuracy().mean(), ab.accuracy().ci()[0], ab.accuracy().ci()[1], ab.accuracy().controlMean(), tr.accuracy().ed50().value(),
                    java.util.Arrays.toString(tr.accuracy().ed50().ci()), r.response().degenerationDose());
            boolean beats = false;
            for (DoseResponse.Point p : tr.logitDiff().points()) {
                beats |= p.effect().beatsControl();
            }
            assertTrue(beats, "the measured direction's logit-difference gain over random directions excludes zero at some dose");
            boolean beatsAcc = false;
            for (DoseResponse.Point p : tr.accuracy().points()) {
                beatsAcc |= p.effect().beatsControl();
            }
            assertTrue(beatsAcc, "the measured direction's accuracy gain over random directions excludes zero at some dose");
            assertNotNull(tr.accuracy().ed50().value(), "the accuracy rises, so it has an ED50");
            assertTrue(r.response().signCheck().startsWith("positive α"), r.response().signCheck());
            assertTrue(r.response().signCheck().contains("raised"), r.response().signCheck());

            // Bad input: a direction of the wrong width, a hook the model lacks, a per-head hook.
            assertThrows(InputException.class, () -> SteeringSweep.run(new SteeringSweep.Input(m, ct, HOOK, new float[31], in.target(), null), so));
            InputException wide = assertThrows(InputException.class,
                    () -> SteeringSweep.run(new SteeringSweep.Input(m, ct, HOOK, new float[] {1, 2, 3}, in.target(), null), so));
            assertTrue(wide.getMessage().contains("3 components") && wide.getMessage().contains("width 32"), wide.getMessage());
            InputException hook = assertThrows(InputException.class,
                    () -> SteeringSweep.run(new SteeringSweep.Input(m, ct, "blocks.9.hook_resid_post", v, in.target(), null), so));
            assertTrue(hook.getMessage().contains("no such hook"), hook.getMessage());
            assertThrows(InputException.class, () -> SteeringSweep.run(new SteeringSweep.Input(m, ct, "blocks.0.attn.hook_z", v, in.target(), null), so));
        }
    }

    private static double[] ci(DoseResponse.Effect e) {
        return e.gainCi() == null ? new double[] {Double.NaN, Double.NaN} : e.gainCi();
    }

    /** Mean blocks.0.hook_resid_post at c's position, first group minus second, over the prompts with distractors a–d. */
    private static float[] groupDirection(Transformer m) {
        int d = m.config().dModel();
        double[] first = new double[d];
        double[] second = new double[d];
        for (char x = 'a'; x <= 'd'; x++) {
            for (char g = 'A'; g <= 'P'; g++) {
                float[] r = m.forward(new int[] {x, g}, HookSet.of(HOOK)).activation(HOOK).at(0, 1);
                double[] sum = g < 'I' ? first : second;
                for (int i = 0; i < d; i++) {
                    sum[i] += r[i] / 32.0;
                }
            }
        }
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) (first[i] - second[i]);
        }
        return v;
    }

    private static int answer(char g) {
        return g < 'I' ? 'T' : 'F';
    }

    private static EvalExample example(String id, String context, int gold) {
        return new EvalExample(id, context, List.of("T", "F"), new int[] {gold}, null, Map.of(), "held-out:" + id);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }
}
