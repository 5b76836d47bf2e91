package org.scalelab.model;

import ai.djl.ndarray.NDArray;

/**
 * One pre-norm transformer block: resid_mid = resid_pre + attn(norm1(resid_pre)),
 * resid_post = resid_mid + mlp(norm2(resid_mid)), reporting every intermediate to the pass's hooks.
 */
interface Block {
    /** @param x [batch, seq, d_model] residual stream entering block {@code layer} */
    NDArray forward(NDArray x, int layer, Pass pass);

    /** The shared pre-norm residual wiring with the TransformerLens hook points. */
    static NDArray residual(NDArray input, int layer, Pass pass, SubLayer attention, SubLayer mlp) {
        NDArray residPre = pass.hook(HookNames.residPre(layer), input);
        NDArray attnOut = pass.hook(HookNames.attnOut(layer), pass.subLayer(attention, residPre, layer));
        NDArray residMid = pass.hook(HookNames.residMid(layer), residPre.add(attnOut));
        NDArray mlpOut = pass.hook(HookNames.mlpOut(layer), pass.subLayer(mlp, residMid, layer));
        return pass.hook(HookNames.residPost(layer), residMid.add(mlpOut));
    }

    /** An attention or MLP sub-layer: reads the residual stream, returns what it adds to it. */
    @FunctionalInterface
    interface SubLayer {
        NDArray apply(NDArray residual, Pass pass, int layer);
    }
}
