package org.scalelab.model;

import java.util.List;

/**
 * The activation names every family exposes, as in TransformerLens (Nanda et al.,
 * github.com/TransformerLensOrg/TransformerLens). Values are taken on the un-processed
 * Hugging Face weights (no LayerNorm folding or weight centering), i.e. TransformerLens'
 * {@code from_pretrained_no_processing}.
 */
public final class HookNames {
    /**
     * Token embedding W_E[tokens] (GPT-2: without positions; the rotary families: equal to
     * blocks.0.hook_resid_pre, so for Gemma after its √d_model scale).
     */
    public static final String EMBED = "hook_embed";
    /** GPT-2's learned position embedding W_pos[positions]. */
    public static final String POS_EMBED = "hook_pos_embed";
    /** Output of the final norm, including its learned scale (and bias): the input of the unembedding. */
    public static final String LN_FINAL = "ln_final.hook_normalized";

    private HookNames() {}

    /** Residual stream entering block {@code layer}. */
    public static String residPre(int layer) {
        return "blocks." + layer + ".hook_resid_pre";
    }

    /**
     * Attention probabilities after the causal softmax, [batch, heads, query position, key
     * position]: seq² per head, so select it only when needed.
     */
    public static String pattern(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }

    /** Attention sub-layer output (after the output projection and its bias), before it is added. */
    public static String attnOut(int layer) {
        return "blocks." + layer + ".hook_attn_out";
    }

    /** resid_pre + attn_out. */
    public static String residMid(int layer) {
        return "blocks." + layer + ".hook_resid_mid";
    }

    /** MLP sub-layer output, before it is added. */
    public static String mlpOut(int layer) {
        return "blocks." + layer + ".hook_mlp_out";
    }

    /** resid_mid + mlp_out: the residual stream leaving block {@code layer}. */
    public static String residPost(int layer) {
        return "blocks." + layer + ".hook_resid_post";
    }

    /** Every hook name of a model, in the order the forward pass reaches them (its family decides which). */
    public static List<String> all(ModelConfig config) {
        return config.family().hookNames(config);
    }
}
