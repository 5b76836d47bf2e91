package org.scalelab.model;

import org.scalelab.InputException;

/**
 * The per-family switches of the Llama-like families that do not change any tensor's shape
 * except the q/k/v biases: where attention uses a sliding window, how scores are scaled and
 * soft-capped. {@link #NONE} is plain Llama.
 *
 * @param slidingWindow      keys visible to a query, itself included (0: unlimited). A query at
 *                           position i sees key j iff 0 ≤ i − j &lt; slidingWindow, as in
 *                           {@code transformers}' masking_utils ({@code kv_idx > q_idx - sliding_window})
 * @param windowFromLayer    first layer that uses the window (Qwen2's {@code max_window_layers}; else 0)
 * @param windowEveryOther   true: only even layers use the window (Gemma 2 alternates local and global attention)
 * @param qkvBias            q_proj, k_proj and v_proj carry biases (Qwen2)
 * @param queryPreAttnScalar attention scores are divided by √queryPreAttnScalar instead of √head_dim
 *                           (Gemma 2's {@code query_pre_attn_scalar}; 0: head_dim)
 * @param attnLogitSoftcap   scores ← c·tanh(scores / c) before the mask (Gemma 2; 0: none)
 * @param finalLogitSoftcap  logits ← c·tanh(logits / c) (Gemma 2; 0: none)
 */
public record FamilyOptions(int slidingWindow, int windowFromLayer, boolean windowEveryOther, boolean qkvBias,
                            double queryPreAttnScalar, double attnLogitSoftcap, double finalLogitSoftcap) {
    public static final FamilyOptions NONE = new FamilyOptions(0, 0, false, false, 0, 0, 0);

    public FamilyOptions {
        if (slidingWindow < 0 || windowFromLayer < 0) {
            throw new InputException("sliding_window " + slidingWindow + " and max_window_layers " + windowFromLayer + " must be ≥ 0");
        }
        if (queryPreAttnScalar < 0 || attnLogitSoftcap < 0 || finalLogitSoftcap < 0
                || !Double.isFinite(queryPreAttnScalar + attnLogitSoftcap + finalLogitSoftcap)) {
            throw new InputException("query_pre_attn_scalar, attn_logit_softcapping and final_logit_softcapping must be finite and ≥ 0, got "
                    + queryPreAttnScalar + ", " + attnLogitSoftcap + ", " + finalLogitSoftcap);
        }
    }

    /** The sliding window of {@code layer} (0: it attends to every earlier position). */
    public int window(int layer) {
        if (slidingWindow == 0 || layer < windowFromLayer || (windowEveryOther && layer % 2 != 0)) {
            return 0;
        }
        return slidingWindow;
    }

    public FamilyOptions withSlidingWindow(int window) {
        return new FamilyOptions(window, windowFromLayer, windowEveryOther, qkvBias, queryPreAttnScalar, attnLogitSoftcap, finalLogitSoftcap);
    }
}
