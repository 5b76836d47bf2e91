package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/**
 * Scoring with an intervention against its definition: each choice's summed log-prob from the
 * batched, cache-sharing scorer equals the log-softmax of ONE plain forward pass over context +
 * continuation with the same intervention (no cache, no batching, no padding; computed here in
 * float64 from that pass's logits), to 1e-4, for steering from position 0 and from a later position
 * (which lands in the context of some examples and in the choices of others, so a scorer that
 * steered only one of its two passes, or counted positions per batch instead of per row, fails),
 * and for a projection. Steering with α = 0 gives the unsteered scores bit for bit.
 */
class SteeredScoringTest {
    private static final double TOLERANCE = 1e-4;
    @TempDir Path dir;

    @Test
    void steeredChoicesEqualOneSteeredFullForwardPerChoice() {
        for (ModelConfig c : List.of(ModelConfig.llama(257, 32, 2, 4, 2, 64, 96, 10000.0, false), ModelConfig.gpt2(257, 32, 2, 4, 96))) {
            Path m = dir.resolve(c.family().modelType());
            ModelInit.write(m, c, 13, ModelInit.Scheme.ALL_RANDOM);
            float[] v = vector(32, 3);
            String hook = "blocks.0.hook_resid_post";
            List<EvalExample> examples = examples(12, 4);
            try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
                ContinuationTokens ct = new ContinuationTokens(tok, false);
                ChoiceScorer plain = new ChoiceScorer(t, ct, 5, t.config().maxPositions());
                Map<String, ExampleScore> unsteered = scoreAll(plain, examples);
                for (Intervention i : List.of(Intervention.add(hook, v, 3.0, 0), Intervention.add(hook, v, -2.0, 6),
                        Intervention.projectOut("blocks.1.hook_resid_pre", v, 0))) {
                    Map<String, ExampleScore> got = scoreAll(plain.steered(List.of(i)), examples);
                    double worst = 0;
                    double moved = 0;
                    for (EvalExample e : examples) {
                        ContinuationTokens.Encoded enc = ct.encode(e);
                        double[] lp = got.get(e.id()).logprobs();
                        for (int k = 0; k < lp.length; k++) {
                            double expected = fullForward(t, enc.context(), enc.continuations()[k], HookSet.none().with(i));
                            worst = Math.max(worst, Math.abs(expected - lp[k]));
                            moved = Math.max(moved, Math.abs(unsteered.get(e.id()).logprobs()[k] - lp[k]));
                        }
                    }
                    System.out.printf("%s %s: steered scorer vs steered full forward max abs error %.2e (the intervention moved a score by up to %.2f)%n",
                            c.family().modelType(), i, worst, moved);
                    assertTrue(worst <= TOLERANCE, i + ": max abs error " + worst);
                    assertTrue(moved > 0.01, i + ": the intervention changed no score, the comparison would prove nothing");
                }
            }
        }
    }

    @Test
    void steeringWithAlphaZeroGivesTheUnsteeredScoresBitForBit() {
        ModelConfig c = ModelConfig.llama(257, 32, 2, 4, 2, 64, 96, 10000.0, false);
        Path m = dir.resolve("zero");
        ModelInit.write(m, c, 13, ModelInit.Scheme.ALL_RANDOM);
        List<EvalExample> examples = examples(10, 8);
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            ChoiceScorer plain = new ChoiceScorer(t, new ContinuationTokens(tok, false), 4, t.config().maxPositions());
            Map<String, ExampleScore> a = scoreAll(plain, examples);
            Map<String, ExampleScore> b = scoreAll(plain.steered(List.of(Intervention.add("blocks.0.hook_resid_post", vector(32, 5), 0.0, 0))), examples);
            for (EvalExample e : examples) {
                assertArrayEquals(a.get(e.id()).logprobs(), b.get(e.id()).logprobs(), 0.0, e.id());
            }
        }
    }

    /** Σ_t log softmax(logits[|context| − 1 + t])[continuation[t]] from one forward pass over context + continuation. */
    static double fullForward(Transformer t, int[] context, int[] continuation, HookSet hooks) {
        int[] ids = new int[context.length + continuation.length];
        System.arraycopy(context, 0, ids, 0, context.length);
        System.arraycopy(continuation, 0, ids, context.length, continuation.length);
        org.scalelab.model.Activation logits = t.forward(ids, hooks).logits();
        double sum = 0;
        for (int k = 0; k < continuation.length; k++) {
            float[] row = logits.at(0, context.length - 1 + k);
            double max = Double.NEGATIVE_INFINITY;
            for (float x : row) {
                max = Math.max(max, x);
            }
            double z = 0;
            for (float x : row) {
                z += Math.exp(x - max);
            }
            sum += row[continuation[k]] - max - Math.log(z);
        }
        return sum;
    }

    private static Map<String, ExampleScore> scoreAll(ChoiceScorer s, List<EvalExample> examples) {
        Map<String, ExampleScore> out = new HashMap<>();
        s.score(examples, x -> out.put(x.id(), x));
        return out;
    }

    private static float[] vector(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Contexts of 1–14 characters (so position 6 falls in some contexts and in others' choices), 2–3 choices of 1–5 characters. */
    private static List<EvalExample> examples(int n, long seed) {
        Random r = new Random(seed);
        String letters = "abcdefghij klm";
        List<EvalExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder ctx = new StringBuilder("Q");
            int len = r.nextInt(14);
            for (int j = 0; j < len; j++) {
                ctx.append(letters.charAt(r.nextInt(letters.length())));
            }
            List<String> choices = new ArrayList<>();
            int k = 2 + r.nextInt(2);
            for (int c = 0; c < k; c++) {
                StringBuilder ch = new StringBuilder();
                int cl = 1 + r.nextInt(5);
                for (int j = 0; j < cl; j++) {
                    ch.append(letters.charAt(r.nextInt(10)));
                }
                choices.add(ch.toString());
            }
            out.add(new EvalExample("e" + i, ctx.toString(), choices, new int[] {r.nextInt(k)}, null, Map.of(), "tasks.jsonl:" + (i + 1)));
        }
        return out;
    }
}
