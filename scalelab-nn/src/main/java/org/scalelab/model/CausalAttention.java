package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** Scaled dot-product attention with a causal mask (Vaswani et al. 2017, eq. 1). */
final class CausalAttention {
    private CausalAttention() {}

    /**
     * softmax(q·kᵀ / √d_head + mask) · v.
     *
     * @param q    [batch, heads, seq, head_dim]: the new positions; released once read (see {@link Pass#done})
     * @param k    [batch, kv_heads, keys, head_dim] (keys = cached + new positions); with fewer kv heads than query heads each kv head
     *             serves {@code heads / kv_heads} consecutive query heads (grouped-query attention,
     *             Ainslie et al. 2023), as Hugging Face's repeat_kv does
     * @param v    like k
     * @param pass  the forward pass: its causal mask, and its hooks: the masked scores and the
     *              pattern [batch, heads, query, key] (hook_attn_scores, hook_pattern) and the
     *              per-head outputs z [batch, seq, heads, head_dim] (hook_z)
     * @return z as [batch, seq, heads · head_dim]
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
        boolean repeated = kvHeads != heads;
        if (repeated) {
            long rep = heads / kvHeads;
            k = k.repeat(1, rep); // [batch, heads, seq, head_dim], kv head j → query heads j·rep … j·rep+rep−1
            v = v.repeat(1, rep);
        }
        // Each stage is released as soon as the next one exists (Pass#done), q once read; of the keys
        // and values only the repeats made here are, never k and v themselves, which may be a KV cache's.
        double scale = Math.sqrt(scoreScalar > 0 ? scoreScalar : headDim);
        NDArray keysT = k.transpose(0, 1, 3, 2);
        NDArray raw = q.matMul(keysT); // [batch, heads, seq, keys]
        pass.done(q, keysT, repeated ? k : null);
        NDArray scores = raw.div(Scalars.of(raw, scale)); // a scalar that outlives the backward pass (see Scalars)
        pass.done(raw);
        if (softcap > 0) {
            NDArray cap = Scalars.of(scores, softcap);
            NDArray divided = scores.div(cap);
            pass.done(scores);
            NDArray tanh = divided.tanh();
            pass.done(divided);
            scores = tanh.mul(cap);
            pass.done(tanh);
        }
        NDArray masked = scores.add(pass.mask(window)); // −∞ where masked
        pass.done(scores);
        NDArray hookedScores = pass.hook(HookNames.attnScores(layer), masked);
        NDArray softmax = hookedScores.softmax(3);
        pass.done(masked, hookedScores);
        NDArray weights = pass.hook(HookNames.pattern(layer), softmax);
        NDArray heads4 = weights.matMul(v); // [batch, heads, seq, head_dim]
        pass.done(softmax, weights, repeated ? v : null);
        NDArray z = pass.hook(HookNames.hookZ(layer), heads4.transpose(0, 2, 1, 3)); // [batch, seq, heads, head_dim]
        NDArray out = z.reshape(batch, seq, heads * headDim);
        pass.done(heads4, z);
        return out;
    }

    /**
     * x [batch, heads, seq, head_dim] through hook {@code name}, which sees it in TransformerLens'
     * layout [batch, seq, heads, head_dim]; x itself when the pass neither records nor changes it.
     */
    static NDArray hookHeads(Pass pass, String name, NDArray x) {
        if (!pass.wants(name)) {
            return x;
        }
        return pass.hook(name, x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3);
    }

    /**
     * The attention output from z [batch, seq, heads · head_dim]: {@code plain}(z) = z·W_O (+ b_O),
     * unless the pass records or changes hook_result; then as TransformerLens with use_attn_result,
     * each head's z_h · W_O[h] [batch, seq, heads, d_model] goes through the hook and the output is
     * their sum over heads (+ b_O).
     *
     * @param oT   W_O as [heads · head_dim, d_model] (rows head by head)
     * @param bias b_O [d_model], or null
     */
    static NDArray output(NDArray z, int heads, NDArray oT, NDArray bias, Pass pass, int layer, UnaryOperator<NDArray> plain) {
        String name = HookNames.result(layer);
        if (!pass.wants(name)) {
            return plain.apply(z);
        }
        long batch = z.getShape().get(0);
        long seq = z.getShape().get(1);
        long headDim = z.getShape().get(2) / heads;
        long dModel = oT.getShape().get(1);
        NDArray perHeadW = oT.reshape(heads, headDim, dModel); // W_O[h] [d_head, d_model] per head
        perHeadW.attach(z.getManager()); // made from a parameter, it would otherwise join the parameters' manager
        NDArray perHead = z.reshape(batch, seq, heads, 1, headDim).matMul(perHeadW); // [batch, seq, heads, 1, d_model]
        NDArray result = pass.hook(name, perHead.reshape(batch, seq, heads, dModel));
        NDArray out = result.sum(new int[] {2});
        return bias == null ? out : out.add(bias);
    }

    /** [batch, seq, heads · head_dim] → [batch, heads, seq, head_dim]. */
    static NDArray splitHeads(NDArray x, long heads) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        long headDim = x.getShape().get(2) / heads;
        return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
    }
}
