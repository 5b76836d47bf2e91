package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A Gemma decoder layer (Gemma Team 2024, §2.1): Llama's pre-norm layout with RMSNorm scaled by
 * (1 + w), and a GeGLU MLP down(gelu(gate(x)) ⊙ up(x)) (Shazeer 2020, eq. 5) with GELU's tanh
 * approximation. Gemma 2 (Gemma Team 2024b, §2) also normalises each sub-layer's output before it
 * is added to the residual stream ({@code post_attention_layernorm}, {@code post_feedforward_layernorm};
 * the MLP's input norm is then {@code pre_feedforward_layernorm}), soft-caps attention scores and
 * alternates sliding-window and global attention. hook_attn_out and hook_mlp_out are what is added
 * to the residual stream, i.e. after Gemma 2's post-norms, as in TransformerLens.
 */
final class GemmaBlock implements Block {
    private final Norm inputNorm;
    private final NDArray qT; // [d_model, heads·head_dim]
    private final NDArray kT; // [d_model, kv_heads·head_dim]
    private final NDArray vT;
    private final NDArray oT; // [heads·head_dim, d_model]
    private final Norm postAttentionNorm; // Gemma: the MLP's input norm; Gemma 2: the attention output's norm
    private final Norm preFeedforwardNorm; // Gemma 2 only
    private final Norm postFeedforwardNorm; // Gemma 2 only
    private final NDArray gateT; // [d_model, d_mlp]
    private final NDArray upT;
    private final NDArray downT; // [d_mlp, d_model]
    private final int heads;
    private final int kvHeads;
    private final boolean exactGelu;
    private final FamilyOptions options;

    /** @param gemma2 with Gemma 2's norms after attention and around the MLP */
    GemmaBlock(ParameterLoader p, String prefix, ModelConfig c, boolean gemma2) {
        int d = c.dModel();
        long qWidth = (long) c.nHeads() * c.headDim();
        long kvWidth = (long) c.nKvHeads() * c.headDim();
        inputNorm = Norm.rmsNormOnePlus(p.get(prefix + "input_layernorm.weight", d), c.normEps());
        qT = p.get(prefix + "self_attn.q_proj.weight", qWidth, d).transpose();
        kT = p.get(prefix + "self_attn.k_proj.weight", kvWidth, d).transpose();
        vT = p.get(prefix + "self_attn.v_proj.weight", kvWidth, d).transpose();
        oT = p.get(prefix + "self_attn.o_proj.weight", d, qWidth).transpose();
        postAttentionNorm = Norm.rmsNormOnePlus(p.get(prefix + "post_attention_layernorm.weight", d), c.normEps());
        preFeedforwardNorm = gemma2 ? Norm.rmsNormOnePlus(p.get(prefix + "pre_feedforward_layernorm.weight", d), c.normEps()) : null;
        postFeedforwardNorm = gemma2 ? Norm.rmsNormOnePlus(p.get(prefix + "post_feedforward_layernorm.weight", d), c.normEps()) : null;
        gateT = p.get(prefix + "mlp.gate_proj.weight", c.dMlp(), d).transpose();
        upT = p.get(prefix + "mlp.up_proj.weight", c.dMlp(), d).transpose();
        downT = p.get(prefix + "mlp.down_proj.weight", d, c.dMlp()).transpose();
        heads = c.nHeads();
        kvHeads = c.nKvHeads();
        exactGelu = c.activation().equals("gelu");
        options = c.options();
    }

    @Override
    public NDArray forward(NDArray x, int layer, Pass pass) {
        return Block.residual(x, layer, pass, this::attention, this::mlp);
    }

    private NDArray attention(NDArray residual, Pass pass, int layer) {
        NDArray x = inputNorm.apply(residual, pass, HookNames.ln1Scale(layer), HookNames.ln1Normalized(layer)); // [batch, seq, d_model]
        NDArray q = CausalAttention.hookHeads(pass, HookNames.hookQ(layer), CausalAttention.splitHeads(x.matMul(qT), heads)); // [batch, heads, seq, head_dim]
        NDArray k = CausalAttention.hookHeads(pass, HookNames.hookK(layer), CausalAttention.splitHeads(x.matMul(kT), kvHeads));
        NDArray v = CausalAttention.hookHeads(pass, HookNames.hookV(layer), CausalAttention.splitHeads(x.matMul(vT), kvHeads));
        q = CausalAttention.hookHeads(pass, HookNames.rotQ(layer), Rope.apply(q, pass));
        k = CausalAttention.hookHeads(pass, HookNames.rotK(layer), Rope.apply(k, pass));
        NDList kv = pass.keysAndValues(layer, k, v);
        NDArray z = CausalAttention.attend(q, kv.get(0), kv.get(1), pass, layer, options.window(layer), options.queryPreAttnScalar(),
                options.attnLogitSoftcap());
        NDArray out = CausalAttention.output(z, heads, oT, null, pass, layer, y -> y.matMul(oT)); // [batch, seq, d_model]
        // Gemma 2: hook_result is each head's share before this norm (ln1_post), hook_attn_out what it adds.
        return preFeedforwardNorm == null ? out : postAttentionNorm.apply(out, pass, HookNames.ln1PostScale(layer), HookNames.ln1PostNormalized(layer));
    }

    private NDArray mlp(NDArray residual, Pass pass, int layer) {
        NDArray x = (preFeedforwardNorm == null ? postAttentionNorm : preFeedforwardNorm).apply(residual, pass, HookNames.ln2Scale(layer),
                HookNames.ln2Normalized(layer));
        NDArray gate = pass.hook(HookNames.mlpPre(layer), x.matMul(gateT)); // [batch, seq, d_mlp]
        NDArray up = pass.hook(HookNames.mlpPreLinear(layer), x.matMul(upT));
        NDArray act = exactGelu ? ai.djl.nn.Activation.gelu(gate) : Gpt2Block.geluTanh(gate);
        NDArray out = pass.hook(HookNames.mlpPost(layer), act.mul(up)).matMul(downT); // [batch, seq, d_model]
        return postFeedforwardNorm == null ? out : postFeedforwardNorm.apply(out, pass, HookNames.ln2PostScale(layer), HookNames.ln2PostNormalized(layer));
    }
}
