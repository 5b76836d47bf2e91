package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A Llama decoder layer (Touvron et al. 2023, §2.2: pre-norm with RMSNorm, SwiGLU MLP, rotary
 * positions; Llama 2 adds grouped-query attention), and the families that reuse it: Mistral
 * (sliding-window attention), Qwen2 (q/k/v biases) and Phi-3 (q, k, v stacked in one
 * {@code qkv_proj} and gate, up in one {@code gate_up_proj}). Weights keep Hugging Face's names
 * under {@code model.layers.{i}.}; they are torch.nn.Linear weights stored [out, in], so each is
 * used through a transposed view (no copy) as y = x · Wᵀ.
 */
final class LlamaBlock implements Block {
    private final Norm inputNorm;
    private final NDArray qT; // [d_model, heads·head_dim], or null when fused
    private final NDArray kT; // [d_model, kv_heads·head_dim]
    private final NDArray vT;
    private final NDArray qkvT; // Phi-3: [d_model, (heads + 2·kv_heads)·head_dim] = [q | k | v], else null
    private final NDArray qBias; // Qwen2: [heads·head_dim], else null
    private final NDArray kBias;
    private final NDArray vBias;
    private final NDArray oT; // [heads·head_dim, d_model]
    private final Norm postAttentionNorm;
    private final NDArray gateT; // [d_model, d_mlp], or null when fused
    private final NDArray upT; // [d_model, d_mlp]
    private final NDArray gateUpT; // Phi-3: [d_model, 2·d_mlp] = [gate | up], else null
    private final NDArray downT; // [d_mlp, d_model]
    private final int heads;
    private final int kvHeads;
    private final long qWidth;
    private final long kvWidth;
    private final FamilyOptions options;

    /** @param fused q, k, v in one {@code qkv_proj} and gate, up in one {@code gate_up_proj} (Phi-3) */
    LlamaBlock(ParameterLoader p, String prefix, ModelConfig c, boolean fused) {
        int d = c.dModel();
        qWidth = (long) c.nHeads() * c.headDim();
        kvWidth = (long) c.nKvHeads() * c.headDim();
        inputNorm = Norm.rmsNorm(p.get(prefix + "input_layernorm.weight", d), c.normEps());
        if (fused) {
            qkvT = p.get(prefix + "self_attn.qkv_proj.weight", qWidth + 2 * kvWidth, d).transpose();
            qT = kT = vT = null;
        } else {
            qkvT = null;
            qT = p.get(prefix + "self_attn.q_proj.weight", qWidth, d).transpose();
            kT = p.get(prefix + "self_attn.k_proj.weight", kvWidth, d).transpose();
            vT = p.get(prefix + "self_attn.v_proj.weight", kvWidth, d).transpose();
        }
        if (c.options().qkvBias()) {
            qBias = p.get(prefix + "self_attn.q_proj.bias", qWidth);
            kBias = p.get(prefix + "self_attn.k_proj.bias", kvWidth);
            vBias = p.get(prefix + "self_attn.v_proj.bias", kvWidth);
        } else {
            qBias = kBias = vBias = null;
        }
        oT = p.get(prefix + "self_attn.o_proj.weight", d, qWidth).transpose();
        postAttentionNorm = Norm.rmsNorm(p.get(prefix + "post_attention_layernorm.weight", d), c.normEps());
        if (fused) {
            gateUpT = p.get(prefix + "mlp.gate_up_proj.weight", 2L * c.dMlp(), d).transpose();
            gateT = upT = null;
        } else {
            gateUpT = null;
            gateT = p.get(prefix + "mlp.gate_proj.weight", c.dMlp(), d).transpose();
            upT = p.get(prefix + "mlp.up_proj.weight", c.dMlp(), d).transpose();
        }
        downT = p.get(prefix + "mlp.down_proj.weight", d, c.dMlp()).transpose();
        heads = c.nHeads();
        kvHeads = c.nKvHeads();
        options = c.options();
    }

    @Override
    public NDArray forward(NDArray x, int layer, Pass pass) {
        return Block.residual(x, layer, pass, this::attention, this::mlp);
    }

    private NDArray attention(NDArray residual, Pass pass, int layer) {
        NDArray x = inputNorm.apply(residual, pass, HookNames.ln1Scale(layer), HookNames.ln1Normalized(layer)); // [batch, seq, d_model]
        NDArray qx;
        NDArray kx;
        NDArray vx;
        if (qkvT != null) {
            // Phi-3 stacks the rows of W_q, W_k, W_v: the product's columns are [q | k | v].
            NDList parts = x.matMul(qkvT).split(new long[] {qWidth, qWidth + kvWidth}, 2);
            qx = parts.get(0);
            kx = parts.get(1);
            vx = parts.get(2);
        } else {
            qx = x.matMul(qT);
            kx = x.matMul(kT);
            vx = x.matMul(vT);
        }
        if (qBias != null) {
            qx = qx.add(qBias);
            kx = kx.add(kBias);
            vx = vx.add(vBias);
        }
        NDArray q = CausalAttention.hookHeads(pass, HookNames.hookQ(layer), CausalAttention.splitHeads(qx, heads)); // [batch, heads, seq, head_dim]
        NDArray k = CausalAttention.hookHeads(pass, HookNames.hookK(layer), CausalAttention.splitHeads(kx, kvHeads)); // [batch, kv_heads, seq, head_dim]
        NDArray v = CausalAttention.hookHeads(pass, HookNames.hookV(layer), CausalAttention.splitHeads(vx, kvHeads));
        q = CausalAttention.hookHeads(pass, HookNames.rotQ(layer), Rope.apply(q, pass));
        k = CausalAttention.hookHeads(pass, HookNames.rotK(layer), Rope.apply(k, pass));
        NDList kv = pass.keysAndValues(layer, k, v); // 2 × [batch, kv_heads, offset + seq, head_dim]
        NDArray z = CausalAttention.attend(q, kv.get(0), kv.get(1), pass, layer, options.window(layer), 0, 0);
        return CausalAttention.output(z, heads, oT, null, pass, layer, y -> y.matMul(oT)); // [batch, seq, d_model]
    }

    /**
     * SwiGLU (Shazeer 2020, eq. 6): down(silu(gate(x)) ⊙ up(x)), silu(z) = z·σ(z). Each
     * [batch, seq, d_mlp] product is released once read (see {@link Pass#done}), and silu(gate) is
     * made before up(x), so at most three of them are alive at once, as in PyTorch's
     * {@code down(F.silu(gate(x)) * up(x))} (Phi-3's fused [gate | up] product stays whole until the
     * sub-layer returns).
     */
    private NDArray mlp(NDArray residual, Pass pass, int layer) {
        NDArray x = postAttentionNorm.apply(residual, pass, HookNames.ln2Scale(layer), HookNames.ln2Normalized(layer));
        if (gateUpT != null) {
            NDArray both = x.matMul(gateUpT); // Phi-3: [gate | up]
            NDList parts = both.split(2, 2); // each [batch, seq, d_mlp]
            NDArray gate = pass.hook(HookNames.mlpPre(layer), parts.get(0));
            NDArray up = pass.hook(HookNames.mlpPreLinear(layer), parts.get(1));
            NDArray silu = silu(gate, pass);
            pass.done(parts.get(0), gate);
            return gatedDown(silu, up, pass, layer);
        }
        NDArray product = x.matMul(gateT); // [batch, seq, d_mlp]
        NDArray gate = pass.hook(HookNames.mlpPre(layer), product);
        NDArray silu = silu(gate, pass);
        pass.done(product, gate);
        NDArray up = pass.hook(HookNames.mlpPreLinear(layer), x.matMul(upT));
        return gatedDown(silu, up, pass, layer);
    }

    private static NDArray silu(NDArray gate, Pass pass) {
        NDArray sigmoid = ai.djl.nn.Activation.sigmoid(gate);
        NDArray silu = gate.mul(sigmoid);
        pass.done(sigmoid);
        return silu;
    }

    /** down(silu ⊙ up) [batch, seq, d_model], silu and up released. */
    private NDArray gatedDown(NDArray silu, NDArray up, Pass pass, int layer) {
        NDArray gated = silu.mul(up);
        pass.done(silu, up);
        NDArray post = pass.hook(HookNames.mlpPost(layer), gated);
        NDArray out = post.matMul(downT);
        pass.done(gated, post);
        return out;
    }
}
