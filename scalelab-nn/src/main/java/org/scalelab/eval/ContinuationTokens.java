package org.scalelab.eval;

import org.scalelab.InputException;
import org.scalelab.model.ModelTokenizer;

/**
 * How a context and its continuations become tokens, as lm-evaluation-harness's HF model does
 * ({@code HFLM._encode_pair} and {@code loglikelihood}, lm-eval v0.4):
 *
 * <ol>
 *   <li>whitespace at the end of the context moves to the front of the continuation (the harness
 *       then always scores a continuation that starts with the space the tokenizer merges into the
 *       next word);
 *   <li>the continuation's tokens are those of tokens(context + continuation) after the first
 *       |tokens(context)|, so a tokenizer that merges across the boundary scores the text as it
 *       would really be tokenised;
 *   <li>an empty context is replaced by one prefix token (the tokenizer's BOS, else its end of
 *       text), so the first continuation token has something to be predicted from.
 * </ol>
 *
 * No special tokens are added (the harness's default {@code add_bos_token=False}) unless
 * {@code specialTokens} is set (the harness sets it for Gemma, whose models expect a BOS).
 */
public final class ContinuationTokens {
    /** The context's and each continuation's tokens of one example. */
    public record Encoded(int[] context, int[][] continuations) {}

    private final ModelTokenizer tokenizer;
    private final boolean specialTokens;
    private final int prefixToken;

    /**
     * Whether inputs start with the tokenizer's special tokens: asked for ({@code --add-bos}), or a Gemma
     * model ({@code family} its model_type), as lm-eval adds Gemma's BOS by default.
     */
    public static boolean addsBos(String family, boolean asked) {
        return asked || family.startsWith("gemma");
    }

    public ContinuationTokens(ModelTokenizer tokenizer, boolean specialTokens) {
        this.tokenizer = tokenizer;
        this.specialTokens = specialTokens;
        this.prefixToken = prefixToken(tokenizer);
    }

    /** The example's tokens; a continuation that tokenises to nothing is an input error naming the example and choice. */
    public Encoded encode(EvalExample e) {
        int k = e.choices().size();
        int[][] continuations = new int[k][];
        int[] context = null;
        for (int i = 0; i < k; i++) {
            String ctx = e.context();
            String cont = e.continuation(i);
            int[] contextTokens;
            int[] continuationTokens;
            if (ctx.isEmpty()) {
                if (prefixToken < 0) {
                    throw new InputException(e.where() + ": field \"context\" is empty and the tokenizer has no BOS or end-of-text token"
                            + " to stand for it; give the example a context");
                }
                // The prefix token is the BOS: the continuation gets no second one.
                contextTokens = new int[] {prefixToken};
                continuationTokens = tokenizer.encode(cont, false);
            } else {
                int cut = trailingWhitespaceStart(ctx);
                cont = ctx.substring(cut) + cont;
                ctx = ctx.substring(0, cut);
                int[] whole = tokenizer.encode(ctx + cont, specialTokens);
                contextTokens = tokenizer.encode(ctx, specialTokens);
                continuationTokens = java.util.Arrays.copyOfRange(whole, Math.min(contextTokens.length, whole.length), whole.length);
                if (contextTokens.length == 0) {
                    // All-whitespace context: nothing is left to condition on but the prefix token.
                    contextTokens = prefixToken < 0 ? contextTokens : new int[] {prefixToken};
                }
            }
            if (continuationTokens.length == 0) {
                throw new InputException(e.where() + ": example \"" + InputException.quote(e.id()) + "\" choice " + i + " ("
                        + InputException.quote(e.choices().get(i)) + ") tokenises to nothing after its context; nothing to score");
            }
            if (contextTokens.length == 0) {
                throw new InputException(e.where() + ": example \"" + InputException.quote(e.id()) + "\": the context tokenises to nothing"
                        + " and the tokenizer has no BOS or end-of-text token to stand for it");
            }
            if (context == null) {
                context = contextTokens;
            }
            continuations[i] = continuationTokens;
        }
        return new Encoded(context, continuations);
    }

    /** Where the context's trailing whitespace begins (Python's str.rstrip(): Unicode white space). */
    static int trailingWhitespaceStart(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!(Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return end;
    }

    /** lm-eval's prefix_token_id: the BOS the tokenizer's post-processor adds, else the end-of-text token; -1 when neither exists. */
    static int prefixToken(ModelTokenizer tokenizer) {
        int[] with = tokenizer.encode("a", true);
        int[] without = tokenizer.encode("a", false);
        if (with.length > without.length && with.length > 0 && (without.length == 0 || with[0] != without[0])) {
            return with[0];
        }
        return tokenizer.endOfText();
    }
}
