package org.scalelab.model;

import ai.djl.ndarray.NDArray;

/** Scaled dot-product attention with a causal mask (Vaswani et al. 2017, eq. 1). */
final class CausalAttention {
    private CausalAttention() {}

    /**
     * softmax(q·kᵀ / √d_head + mask) · v.
     *
     * @param q    [batch, heads, seq, head_dim]: the new positions
     * @param k    [batch, kv_heads, keys, head_dim] (keys = cached + new positions); with fewer kv heads than query heads each kv head
     *             serves {@code heads / kv_heads} consecutive query heads (grouped-query attention,
     *             Ainslie et al. 2023), as Hugging Face's repeat_kv does
     * @param v    like k
     * @param pass  the forward pass: its causal mask, and its hooks, which may copy out the
     *              attention pattern [batch, heads, query, key] as blocks.{layer}.attn.hook_pattern
     * @return [batch, seq, heads · head_dim]
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, Pass pass, int layer) {
        return attend(q, k, v, pass, layer, 0, 0, 0);
    }

    /**
     * As {@link #attend(NDArray, NDArray, NDArray, Pass, int)} with the Llama-like families' variants.
     *
     * @param window       keys visible to a query, itself included (0: all earlier keys): Mistral's sliding window
     * @param scoreScalar  scores are divided by √scoreScalar (0: √head_dim); Gemma 2's query_pre_attn_scalar
     * @param softcap      scores ← softcap·tanh(scores / softcap) before the mask (0: none); Gemma 2 (Gemma Team 2024b, §2)
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, Pass pass, int layer, int window, double scoreScalar, double softcap) {
        long batch = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long seq = q.getShape().get(2);
        long headDim = q.getShape().get(3);
        long kvHeads = k.getShape().get(1);
        if (kvHeads != heads) {
            long rep = heads / kvHeads;
            k = k.repeat(1, rep); // [batch, heads, seq, head_dim], kv head j → query heads j·rep … j·rep+rep−1
            v = v.repeat(1, rep);
        }
        double scale = Math.sqrt(scoreScalar > 0 ? scoreScalar : headDim);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [batch, heads, seq, keys]
        scores = scores.div(Scalars.of(scores, scale)); // a scalar that outlives the backward pass (see Scalars)
        if (softcap > 0) {
            NDArray cap = Scalars.of(scores, softcap);
            scores = scores.div(cap).tanh().mul(cap);
        }
        NDArray weights = pass.hook(HookNames.pattern(layer), scores.add(pass.mask(window)).softmax(3));
        NDArray out = weights.matMul(v); // [batch, heads, seq, head_dim]
        return out.transpose(0, 2, 1, 3).reshape(batch, seq, heads * headDim);
    }

    /** [batch, seq, heads · head_dim] → [batch, heads, seq, head_dim]. */
    static NDArray splitHeads(NDArray x, long heads) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        long headDim = x.getShape().get(2) / heads;
        return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
    }
}
