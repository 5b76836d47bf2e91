package org.scalelab.eval;

/**
 * What the model gave one example: the summed log-prob of each choice's continuation given the context,
 * and each choice's length in characters, UTF-8 bytes and tokens (the divisors of {@code acc_norm}).
 */
public record ExampleScore(String id, double[] logprobs, int[] chars, int[] bytes, int[] tokens) {
    public ExampleScore {
        logprobs = logprobs.clone();
        chars = chars.clone();
        bytes = bytes.clone();
        tokens = tokens.clone();
        int k = logprobs.length;
        if (chars.length != k || bytes.length != k || tokens.length != k) {
            throw new IllegalArgumentException("example " + id + ": " + k + " log-probs but " + chars.length + " chars, "
                    + bytes.length + " bytes and " + tokens.length + " token lengths");
        }
    }

    /** The score of {@code example}: its choices' character and byte lengths measured as lm-eval does, with these log-probs and token counts. */
    public static ExampleScore of(EvalExample example, double[] logprobs, int[] tokens) {
        return new ExampleScore(example.id(), logprobs, example.chars(), example.bytes(), tokens);
    }

    @Override
    public double[] logprobs() {
        return logprobs.clone();
    }

    @Override
    public int[] chars() {
        return chars.clone();
    }

    @Override
    public int[] bytes() {
        return bytes.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
