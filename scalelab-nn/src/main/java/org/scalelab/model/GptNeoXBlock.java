package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A GPT-NeoX layer in its sequential form (Black et al. 2022, §2.1 with
 * {@code use_parallel_residual: false}): GPT-2's pre-LN block — LayerNorm with bias before
 * attention and before the MLP, biased projections, GELU MLP — with rotary positions on q and k
 * (Su et al. 2021) in Hugging Face's rotate_half layout. Weights keep transformers' names under
 * {@code gpt_neox.layers.{i}.}; they are torch.nn.Linear weights [out, in], applied as torch.nn.Linear
 * does, y = x · Wᵀ + b in one fused kernel (addmm) rather than a matmul and a separate bias add.
 *
 * <p>Layout surprise: the fused {@code query_key_value} output is grouped by head, not by
 * projection: its 3·d_model columns are [q₀ k₀ v₀ | q₁ k₁ v₁ | …], each part head_dim wide
 * (transformers views it as [batch, seq, heads, 3·head_dim] before splitting), unlike GPT-2's
 * c_attn, whose columns are [q | k | v].
 */
final class GptNeoXBlock implements Block {
    private final Norm inputNorm;
    private final NDArray qkvW; // [3·d_model, d_model], rows grouped by head
    private final NDArray qkvB; // [3·d_model]
    private final NDArray denseW; // [d_model, d_model]
    private final NDArray denseB;
    private final NDArray denseT; // [d_model, d_model]: denseW transposed (a view), W_O for the per-head results
    private final Norm postAttentionNorm;
    private final NDArray upW; // [d_mlp, d_model]
    private final NDArray upB;
    private final NDArray downW; // [d_model, d_mlp]
    private final NDArray downB;
    private final int heads;
    private final int headDim;
    private final boolean exactGelu;

    GptNeoXBlock(ParameterLoader p, String prefix, ModelConfig c) {
        int d = c.dModel();
        inputNorm = Norm.layerNorm(p.get(prefix + "input_layernorm.weight", d), p.get(prefix + "input_layernorm.bias", d), c.normEps());
        qkvW = p.get(prefix + "attention.query_key_value.weight", 3L * d, d);
        qkvB = p.get(prefix + "attention.query_key_value.bias", 3L * d);
        denseW = p.get(prefix + "attention.dense.weight", d, d);
        denseB = p.get(prefix + "attention.dense.bias", d);
        denseT = denseW.transpose();
        postAttentionNorm = Norm.layerNorm(p.get(prefix + "post_attention_layernorm.weight", d),
                p.get(prefix + "post_attention_layernorm.bias", d), c.normEps());
        upW = p.get(prefix + "mlp.dense_h_to_4h.weight", c.dMlp(), d);
        upB = p.get(prefix + "mlp.dense_h_to_4h.bias", c.dMlp());
        downW = p.get(prefix + "mlp.dense_4h_to_h.weight", d, c.dMlp());
        downB = p.get(prefix + "mlp.dense_4h_to_h.bias", d);
        heads = c.nHeads();
        headDim = c.headDim();
        exactGelu = c.activation().equals("gelu");
    }

    @Override
    public NDArray forward(NDArray x, int layer, Pass pass) {
        return Block.residual(x, layer, pass, this::attention, this::mlp);
    }

    private NDArray attention(NDArray residual, Pass pass, int layer) {
        NDArray x = inputNorm.apply(residual, pass, HookNames.ln1Scale(layer), HookNames.ln1Normalized(layer)); // [batch, seq, d_model]
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDList qkv = linear(x, qkvW, qkvB).reshape(batch, seq, heads, 3L * headDim).split(3, 3); // 3 × [batch, seq, heads, head_dim]
        NDArray q = CausalAttention.hookHeads(pass, HookNames.hookQ(layer), qkv.get(0).transpose(0, 2, 1, 3)); // [batch, heads, seq, head_dim]
        NDArray k = CausalAttention.hookHeads(pass, HookNames.hookK(layer), qkv.get(1).transpose(0, 2, 1, 3));
        NDArray v = CausalAttention.hookHeads(pass, HookNames.hookV(layer), qkv.get(2).transpose(0, 2, 1, 3));
        q = CausalAttention.hookHeads(pass, HookNames.rotQ(layer), Rope.apply(q, pass));
        k = CausalAttention.hookHeads(pass, HookNames.rotK(layer), Rope.apply(k, pass));
        NDList kv = pass.keysAndValues(layer, k, v); // 2 × [batch, heads, offset + seq, head_dim]
        NDArray z = CausalAttention.attend(q, kv.get(0), kv.get(1), pass, layer, 0, 0, 0); // [batch, seq, d_model]
        return CausalAttention.output(z, heads, denseT, denseB, pass, layer, y -> linear(y, denseW, denseB));
    }

    /** dense_4h_to_h(act(dense_h_to_4h(x))), act = exact GELU ("gelu") or its tanh approximation. */
    private NDArray mlp(NDArray residual, Pass pass, int layer) {
        NDArray x = postAttentionNorm.apply(residual, pass, HookNames.ln2Scale(layer), HookNames.ln2Normalized(layer));
        NDArray h = pass.hook(HookNames.mlpPre(layer), linear(x, upW, upB)); // [batch, seq, d_mlp]
        NDArray a = pass.hook(HookNames.mlpPost(layer), exactGelu ? ai.djl.nn.Activation.gelu(h) : Gpt2Block.geluTanh(h));
        return linear(a, downW, downB); // [batch, seq, d_model]
    }

    /** x · Wᵀ + b for W [out, in] (torch.nn.functional.linear); the result belongs to x's manager. */
    private static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
    }
}
