package org.scalelab.model;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.scalelab.InputException;

/**
 * Text generation on a {@link Transformer} with a KV cache: the prompt is processed once, then
 * each new token costs one position's forward pass.
 */
public final class Generation {
    private Generation() {}

    /**
     * Greedy decoding: repeatedly appends the highest-scoring next token (the lowest id on a tie)
     * until {@code maxNewTokens} are generated or a stop token is produced (the stop token is
     * included in the result).
     *
     * @return the generated tokens, without the prompt
     */
    public static int[] greedy(Transformer model, int[] prompt, int maxNewTokens, int... stopTokens) {
        return sample(model, prompt, maxNewTokens, Sampler.GREEDY, 0, stopTokens);
    }

    /**
     * Sampled decoding: each next token is drawn by {@code sampler} from a random stream seeded
     * with {@code seed}, so the same inputs and seed give the same tokens. Stops after
     * {@code maxNewTokens} or at a stop token (included).
     *
     * @return the generated tokens, without the prompt
     */
    public static int[] sample(Transformer model, int[] prompt, int maxNewTokens, Sampler sampler, long seed, int... stopTokens) {
        return sample(model, prompt, maxNewTokens, sampler, seed, HookSet.none(), stopTokens);
    }

    /**
     * As {@link #sample(Transformer, int[], int, Sampler, long, int...)}, running every forward
     * pass (prompt and each new token) with {@code hooks}' interventions, e.g. steering along a
     * direction; positions of an intervention count from the prompt's first token.
     */
    public static int[] sample(Transformer model, int[] prompt, int maxNewTokens, Sampler sampler, long seed, HookSet hooks,
                               int... stopTokens) {
        return sample(model, prompt, maxNewTokens, sampler, seed, hooks, step -> { }, stopTokens);
    }

    /**
     * As {@link #sample(Transformer, int[], int, Sampler, long, HookSet, int...)}, handing each
     * forward pass's result to {@code onStep} as it happens: first the prompt's (activations at
     * every prompt position), then one per fed-back token (activations at that one position).
     * This is how activations are captured during generation; the last generated token is never
     * fed back, so it has no activations.
     */
    public static int[] sample(Transformer model, int[] prompt, int maxNewTokens, Sampler sampler, long seed, HookSet hooks,
                               Consumer<ForwardResult> onStep, int... stopTokens) {
        if (prompt.length == 0) {
            throw new InputException("generate: the prompt has no tokens");
        }
        if (maxNewTokens < 0) {
            throw new InputException("generate: max new tokens " + maxNewTokens + " must be >= 0");
        }
        int[] out = new int[maxNewTokens];
        int n = 0;
        SplittableRandom rng = new SplittableRandom(seed);
        try (KvCache cache = model.newCache()) {
            int[] next = prompt;
            while (n < maxNewTokens) {
                ForwardResult step = model.forward(new int[][] {next}, hooks, cache, LogitsWanted.LAST);
                onStep.accept(step);
                int token = sampler.next(step.logits().at(0, 0), rng);
                out[n++] = token;
                if (contains(stopTokens, token)) {
                    break;
                }
                next = new int[] {token};
            }
        }
        return Arrays.copyOf(out, n);
    }

    static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    private static boolean contains(int[] xs, int x) {
        for (int v : xs) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }
}
