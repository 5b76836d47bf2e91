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
    /** The final norm's divisor [batch, pos, 1] (see {@link #ln1Scale}). */
    public static final String LN_FINAL_SCALE = "ln_final.hook_scale";

    private HookNames() {}

    /** Residual stream entering block {@code layer}. */
    public static String residPre(int layer) {
        return "blocks." + layer + ".hook_resid_pre";
    }

    /**
     * The divisor of the attention's input norm, [batch, pos, 1]: √(mean((x − mean x)²) + ε) for
     * LayerNorm, √(mean(x²) + ε) for RMSNorm, as TransformerLens' LayerNorm/RMSNorm hook_scale.
     */
    public static String ln1Scale(int layer) {
        return norm(layer, "ln1", "hook_scale");
    }

    /**
     * The attention's input norm output, [batch, pos, d_model]: the input divided by its scale,
     * times the learned weight (plus bias): what the attention reads. TransformerLens without
     * weight processing applies the weight inside its norm too; with processing it folds the weight
     * into the next layer and hook_normalized lacks it.
     */
    public static String ln1Normalized(int layer) {
        return norm(layer, "ln1", "hook_normalized");
    }

    /** The MLP's input norm's divisor [batch, pos, 1] (Gemma 2: pre_feedforward_layernorm). */
    public static String ln2Scale(int layer) {
        return norm(layer, "ln2", "hook_scale");
    }

    /** The MLP's input norm output [batch, pos, d_model]: what the MLP reads. */
    public static String ln2Normalized(int layer) {
        return norm(layer, "ln2", "hook_normalized");
    }

    /** Gemma 2: the divisor of the norm applied to the attention output (post_attention_layernorm), [batch, pos, 1]. */
    public static String ln1PostScale(int layer) {
        return norm(layer, "ln1_post", "hook_scale");
    }

    /** Gemma 2: the normed attention output (equal to hook_attn_out). */
    public static String ln1PostNormalized(int layer) {
        return norm(layer, "ln1_post", "hook_normalized");
    }

    /** Gemma 2: the divisor of the norm applied to the MLP output (post_feedforward_layernorm), [batch, pos, 1]. */
    public static String ln2PostScale(int layer) {
        return norm(layer, "ln2_post", "hook_scale");
    }

    /** Gemma 2: the normed MLP output (equal to hook_mlp_out). */
    public static String ln2PostNormalized(int layer) {
        return norm(layer, "ln2_post", "hook_normalized");
    }

    private static String norm(int layer, String norm, String hook) {
        return "blocks." + layer + "." + norm + "." + hook;
    }

    /** Queries [batch, pos, head, d_head], before rotary positions, with the projection's bias (if any). */
    public static String hookQ(int layer) {
        return attn(layer, "hook_q");
    }

    /**
     * Keys [batch, pos, kv_head, d_head], before rotary positions: with grouped-query attention
     * there are n_kv_heads of them, before each is repeated for its query heads (as
     * TransformerLens' GroupedQueryAttention). With a KV cache: the new positions only.
     */
    public static String hookK(int layer) {
        return attn(layer, "hook_k");
    }

    /** Values [batch, pos, kv_head, d_head] (n_kv_heads heads, like {@link #hookK}). */
    public static String hookV(int layer) {
        return attn(layer, "hook_v");
    }

    /** Rotary families: queries after the rotation, [batch, pos, head, d_head]. */
    public static String rotQ(int layer) {
        return attn(layer, "hook_rot_q");
    }

    /** Rotary families: keys after the rotation, [batch, pos, kv_head, d_head]. */
    public static String rotK(int layer) {
        return attn(layer, "hook_rot_k");
    }

    /**
     * Attention scores [batch, head, query, key]: q·k / √d_head (Gemma 2: / √query_pre_attn_scalar,
     * then soft-capped), with −∞ at the keys the causal mask (or sliding window) hides, the input
     * of the softmax, as TransformerLens' hook_attn_scores.
     */
    public static String attnScores(int layer) {
        return attn(layer, "hook_attn_scores");
    }

    /** Pattern-weighted values [batch, pos, head, d_head]: each head's output before W_O. */
    public static String hookZ(int layer) {
        return attn(layer, "hook_z");
    }

    /**
     * Each head's contribution z_h · W_O[h] [batch, pos, head, d_model]; their sum over heads plus
     * the output bias (GPT-2, GPT-NeoX) is the attention output. Opt-in as in TransformerLens
     * ({@code use_attn_result}): computed only when a hook set selects it or intervenes on it, as
     * it costs heads × d_model per position.
     */
    public static String result(int layer) {
        return attn(layer, "hook_result");
    }

    private static String attn(int layer, String hook) {
        return "blocks." + layer + ".attn." + hook;
    }

    /**
     * The MLP's pre-activation [batch, pos, d_mlp]: x·W_in + b_in, or for a gated MLP the gate
     * projection x·W_gate that the activation function reads (TransformerLens' GatedMLP).
     */
    public static String mlpPre(int layer) {
        return "blocks." + layer + ".mlp.hook_pre";
    }

    /** Gated MLPs: the linear (up) projection x·W_in [batch, pos, d_mlp] that multiplies act(hook_pre). */
    public static String mlpPreLinear(int layer) {
        return "blocks." + layer + ".mlp.hook_pre_linear";
    }

    /** The MLP's hidden activation [batch, pos, d_mlp] fed to W_out: act(pre), or act(pre) ⊙ pre_linear when gated. */
    public static String mlpPost(int layer) {
        return "blocks." + layer + ".mlp.hook_post";
    }

    /**
     * The axis of a hook's activation that indexes (query) positions: 2 for the [batch, head,
     * query, key] attention scores and pattern, 1 for every other hook.
     */
    public static int positionAxis(String hook) {
        return isPerQueryKey(hook) ? 2 : 1;
    }

    /**
     * The axis of a hook's activation that indexes heads: 1 for scores and pattern, 2 for the
     * [batch, pos, head, x] hooks (q, k, v, rot_q, rot_k, z, result), −1 when it has none.
     */
    public static int headAxis(String hook) {
        if (isPerQueryKey(hook)) {
            return 1;
        }
        for (String s : new String[] {".attn.hook_q", ".attn.hook_k", ".attn.hook_v", ".attn.hook_rot_q", ".attn.hook_rot_k", ".attn.hook_z",
                ".attn.hook_result"}) {
            if (hook.endsWith(s)) {
                return 2;
            }
        }
        return -1;
    }

    /**
     * The shape of one position's activation at {@code hook} of a model of {@code config}, its
     * [batch, pos] axes dropped: [d_model], [1] for a norm scale, [d_mlp] inside the MLP,
     * [heads or kv_heads, d_head] for q/k/v/z, [heads, d_model] for hook_result; null for the
     * attention scores and pattern, whose rows are [head, key] with as many keys as the sequence.
     */
    public static int[] rowShape(ModelConfig config, String hook) {
        if (isPerQueryKey(hook)) {
            return null;
        }
        if (hook.endsWith(".hook_scale")) {
            return new int[] {1};
        }
        if (hook.endsWith(".attn.hook_k") || hook.endsWith(".attn.hook_v") || hook.endsWith(".attn.hook_rot_k")) {
            return new int[] {config.nKvHeads(), config.headDim()};
        }
        if (hook.endsWith(".attn.hook_q") || hook.endsWith(".attn.hook_rot_q") || hook.endsWith(".attn.hook_z")) {
            return new int[] {config.nHeads(), config.headDim()};
        }
        if (hook.endsWith(".attn.hook_result")) {
            return new int[] {config.nHeads(), config.dModel()};
        }
        if (hook.contains(".mlp.hook_")) {
            return new int[] {config.dMlp()};
        }
        return new int[] {config.dModel()};
    }

    private static boolean isPerQueryKey(String hook) {
        return hook.endsWith(".attn.hook_pattern") || hook.endsWith(".attn.hook_attn_scores");
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
