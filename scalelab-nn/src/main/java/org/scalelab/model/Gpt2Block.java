package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A GPT-2 block (Radford et al. 2019, §2.3: GPT-1's block with LayerNorm moved to each
 * sub-block's input). Weights keep Hugging Face's names under {@code transformer.h.{i}.}.
 *
 * <p>Layout surprise: GPT-2's linear layers are OpenAI's "Conv1D" modules, whose weight is stored
 * [in, out] (the transpose of torch.nn.Linear's [out, in]), so here y = x · W + b with W used
 * as stored; a checkpoint converted to Linear layout would have to be transposed back.
 */
final class Gpt2Block implements Block {
    private final Norm ln1;
    private final NDArray cAttnW; // [d_model, 3·d_model]: q | k | v columns
    private final NDArray cAttnB; // [3·d_model]
    private final NDArray attnProjW; // [d_model, d_model]
    private final NDArray attnProjB;
    private final Norm ln2;
    private final NDArray fcW; // [d_model, d_mlp]
    private final NDArray fcB;
    private final NDArray mlpProjW; // [d_mlp, d_model]
    private final NDArray mlpProjB;
    private final int heads;

    Gpt2Block(ParameterLoader p, String prefix, ModelConfig c) {
        int d = c.dModel();
        ln1 = Norm.layerNorm(p.get(prefix + "ln_1.weight", d), p.get(prefix + "ln_1.bias", d), c.normEps());
        cAttnW = p.get(prefix + "attn.c_attn.weight", d, 3L * d);
        cAttnB = p.get(prefix + "attn.c_attn.bias", 3L * d);
        attnProjW = p.get(prefix + "attn.c_proj.weight", d, d);
        attnProjB = p.get(prefix + "attn.c_proj.bias", d);
        ln2 = Norm.layerNorm(p.get(prefix + "ln_2.weight", d), p.get(prefix + "ln_2.bias", d), c.normEps());
        fcW = p.get(prefix + "mlp.c_fc.weight", d, c.dMlp());
        fcB = p.get(prefix + "mlp.c_fc.bias", c.dMlp());
        mlpProjW = p.get(prefix + "mlp.c_proj.weight", c.dMlp(), d);
        mlpProjB = p.get(prefix + "mlp.c_proj.bias", d);
        heads = c.nHeads();
    }

    @Override
    public NDArray forward(NDArray x, int layer, Pass pass) {
        return Block.residual(x, layer, pass, this::attention, this::mlp);
    }

    private NDArray attention(NDArray residual, Pass pass, int layer) {
        NDArray x = ln1.apply(residual, pass, HookNames.ln1Scale(layer), HookNames.ln1Normalized(layer)); // [batch, seq, d_model]
        NDList qkv = x.matMul(cAttnW).add(cAttnB).split(3, 2); // 3 × [batch, seq, d_model]
        NDArray q = CausalAttention.hookHeads(pass, HookNames.hookQ(layer), CausalAttention.splitHeads(qkv.get(0), heads)); // [batch, heads, seq, head_dim]
        NDArray k = CausalAttention.hookHeads(pass, HookNames.hookK(layer), CausalAttention.splitHeads(qkv.get(1), heads));
        NDArray v = CausalAttention.hookHeads(pass, HookNames.hookV(layer), CausalAttention.splitHeads(qkv.get(2), heads));
        NDList kv = pass.keysAndValues(layer, k, v); // 2 × [batch, heads, offset + seq, head_dim]
        NDArray z = CausalAttention.attend(q, kv.get(0), kv.get(1), pass, layer); // [batch, seq, d_model]
        return CausalAttention.output(z, heads, attnProjW, attnProjB, pass, layer, y -> y.matMul(attnProjW).add(attnProjB));
    }

    private NDArray mlp(NDArray residual, Pass pass, int layer) {
        NDArray x = ln2.apply(residual, pass, HookNames.ln2Scale(layer), HookNames.ln2Normalized(layer));
        NDArray h = pass.hook(HookNames.mlpPre(layer), x.matMul(fcW).add(fcB)); // [batch, seq, d_mlp]
        return pass.hook(HookNames.mlpPost(layer), geluTanh(h)).matMul(mlpProjW).add(mlpProjB); // [batch, seq, d_model]
    }

    /**
     * GELU with the tanh approximation ("gelu_new"; Hendrycks &amp; Gimpel 2016, §2):
     * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
     */
    static NDArray geluTanh(NDArray x) {
        // Constants as arrays of the pass's scope, which autograd may keep until the backward pass (see Scalars).
        NDArray inner = x.add(x.square().mul(x).mul(Scalars.of(x, 0.044715))).mul(Scalars.of(x, Math.sqrt(2.0 / Math.PI)));
        return x.mul(inner.tanh().add(1f)).mul(Scalars.of(x, 0.5));
    }
}
