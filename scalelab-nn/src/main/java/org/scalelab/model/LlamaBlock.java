package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A Llama decoder layer (Touvron et al. 2023, §2.2: pre-norm with RMSNorm, SwiGLU MLP, rotary
 * positions; Llama 2 adds grouped-query attention). Weights keep Hugging Face's names under
 * {@code model.layers.{i}.}; they are torch.nn.Linear weights stored [out, in], so each is used
 * through a transposed view (no copy) as y = x · Wᵀ.
 */
final class LlamaBlock implements Block {
    private final Norm inputNorm;
    private final NDArray qT; // [d_model, heads·head_dim]
    private final NDArray kT; // [d_model, kv_heads·head_dim]
    private final NDArray vT;
    private final NDArray oT; // [heads·head_dim, d_model]
    private final Norm postAttentionNorm;
    private final NDArray gateT; // [d_model, d_mlp]
    private final NDArray upT; // [d_model, d_mlp]
    private final NDArray downT; // [d_mlp, d_model]
    private final int heads;
    private final int kvHeads;

    LlamaBlock(ParameterLoader p, String prefix, ModelConfig c) {
        int d = c.dModel();
        long qWidth = (long) c.nHeads() * c.headDim();
        long kvWidth = (long) c.nKvHeads() * c.headDim();
        inputNorm = Norm.rmsNorm(p.get(prefix + "input_layernorm.weight", d), c.normEps());
        qT = p.get(prefix + "self_attn.q_proj.weight", qWidth, d).transpose();
        kT = p.get(prefix + "self_attn.k_proj.weight", kvWidth, d).transpose();
        vT = p.get(prefix + "self_attn.v_proj.weight", kvWidth, d).transpose();
        oT = p.get(prefix + "self_attn.o_proj.weight", d, qWidth).transpose();
        postAttentionNorm = Norm.rmsNorm(p.get(prefix + "post_attention_layernorm.weight", d), c.normEps());
        gateT = p.get(prefix + "mlp.gate_proj.weight", c.dMlp(), d).transpose();
        upT = p.get(prefix + "mlp.up_proj.weight", c.dMlp(), d).transpose();
        downT = p.get(prefix + "mlp.down_proj.weight", d, c.dMlp()).transpose();
        heads = c.nHeads();
        kvHeads = c.nKvHeads();
    }

    @Override
    public NDArray forward(NDArray x, int layer, Pass pass) {
        return Block.residual(x, layer, pass, this::attention, this::mlp);
    }

    private NDArray attention(NDArray residual, Pass pass, int layer) {
        NDArray x = inputNorm.apply(residual); // [batch, seq, d_model]
        NDArray q = Rope.apply(CausalAttention.splitHeads(x.matMul(qT), heads), pass.rope); // [batch, heads, seq, head_dim]
        NDArray k = Rope.apply(CausalAttention.splitHeads(x.matMul(kT), kvHeads), pass.rope); // [batch, kv_heads, seq, head_dim]
        NDArray v = CausalAttention.splitHeads(x.matMul(vT), kvHeads);
        NDList kv = pass.keysAndValues(layer, k, v); // 2 × [batch, kv_heads, offset + seq, head_dim]
        return CausalAttention.attend(q, kv.get(0), kv.get(1), pass, layer).matMul(oT); // [batch, seq, d_model]
    }

    /** SwiGLU (Shazeer 2020, eq. 6): down(silu(gate(x)) ⊙ up(x)), silu(z) = z·σ(z). */
    private NDArray mlp(NDArray residual, Pass pass, int layer) {
        NDArray x = postAttentionNorm.apply(residual);
        NDArray gate = x.matMul(gateT); // [batch, seq, d_mlp]
        NDArray silu = gate.mul(ai.djl.nn.Activation.sigmoid(gate));
        return silu.mul(x.matMul(upT)).matMul(downT); // [batch, seq, d_model]
    }
}
