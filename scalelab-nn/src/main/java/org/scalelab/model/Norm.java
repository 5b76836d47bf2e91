package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A normalisation over the last axis (d_model): x / scale · w (+ b), where scale is
 * √(mean((x − mean x)²) + ε) for LayerNorm and √(mean(x²) + ε) for RMSNorm.
 */
final class Norm {
    private enum Kind { LAYER, RMS, RMS_ONE_PLUS }

    private final Kind kind;
    private final NDArray weight;
    private final NDArray bias; // LayerNorm only
    private final double eps;

    private Norm(Kind kind, NDArray weight, NDArray bias, double eps) {
        this.kind = kind;
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /**
     * LayerNorm (Ba et al. 2016, eq. 4): (x − mean) / sqrt(var + ε) · w + b with the biased
     * variance, as torch.nn.LayerNorm; computed by the engine's native layer_norm.
     */
    static Norm layerNorm(NDArray weight, NDArray bias, double eps) {
        return new Norm(Kind.LAYER, weight, bias, eps);
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019, eq. 4): x / sqrt(mean(x²) + ε) · w, with no centering and no
     * bias, in Hugging Face's LlamaRMSNorm order (normalise, then scale).
     */
    static Norm rmsNorm(NDArray weight, double eps) {
        return new Norm(Kind.RMS, weight, null, eps);
    }

    /**
     * Gemma's RMSNorm (Gemma Team 2024; transformers' GemmaRMSNorm): x / sqrt(mean(x²) + ε) · (1 + w),
     * the scale stored as an offset from 1 so that zero-initialised weights give the identity.
     */
    static Norm rmsNormOnePlus(NDArray weight, double eps) {
        return new Norm(Kind.RMS_ONE_PLUS, weight, null, eps);
    }

    NDArray apply(NDArray x) {
        if (kind == Kind.LAYER) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, (float) eps).singletonOrThrow();
        }
        int last = x.getShape().dimension() - 1;
        NDArray meanSquare = x.square().mean(new int[] {last}, true); // [.., 1]
        return x.div(meanSquare.add((float) eps).sqrt()).mul(kind == Kind.RMS ? weight : onePlusWeight(x));
    }

    /** 1 + w, owned by x's manager (the pass's scope): an array computed from a parameter would otherwise join the parameters' manager. */
    private NDArray onePlusWeight(NDArray x) {
        NDArray w = weight.add(1f);
        w.attach(x.getManager());
        return w;
    }

    /**
     * {@link #apply} reporting to the pass's hooks: the scale [batch, seq, 1] as {@code scaleHook}
     * and the output (weight and bias applied) as {@code normalizedHook}, as TransformerLens'
     * LayerNorm and RMSNorm hook them. The scale is computed apart (and may be changed, e.g. frozen
     * by an intervention) only when the pass records or changes it.
     */
    NDArray apply(NDArray x, Pass pass, String scaleHook, String normalizedHook) {
        if (!pass.wants(scaleHook)) {
            return pass.hook(normalizedHook, apply(x));
        }
        int last = x.getShape().dimension() - 1;
        NDArray centered = kind == Kind.LAYER ? x.sub(x.mean(new int[] {last}, true)) : x;
        NDArray scale = pass.hook(scaleHook, centered.square().mean(new int[] {last}, true).add((float) eps).sqrt()); // [.., 1]
        NDArray unit = centered.div(scale);
        NDArray out = switch (kind) {
            case LAYER -> unit.mul(weight).add(bias);
            case RMS -> unit.mul(weight);
            case RMS_ONE_PLUS -> unit.mul(onePlusWeight(x));
        };
        return pass.hook(normalizedHook, out);
    }

    /**
     * Each component c [.., d_model] normalised with the scale of another vector, {@code residual}
     * [.., d_model], and multiplied by the learned weight, without the bias: LayerNorm's
     * (c − mean(c)) / scale · w, RMSNorm's c / scale · w. Linear in c, so for components summing to
     * the residual the results plus {@link #bias()} sum to {@code apply(residual)}: the convention of
     * TransformerLens' {@code cache.apply_ln_to_stack} (the scale frozen from the residual, the
     * centring applied to each component).
     */
    NDArray frozen(NDArray components, NDArray residual) {
        int last = residual.getShape().dimension() - 1;
        NDArray centered = kind == Kind.LAYER ? residual.sub(residual.mean(new int[] {last}, true)) : residual;
        NDArray scale = centered.square().mean(new int[] {last}, true).add((float) eps).sqrt(); // [.., 1]
        int cLast = components.getShape().dimension() - 1;
        NDArray c = kind == Kind.LAYER ? components.sub(components.mean(new int[] {cLast}, true)) : components;
        return c.div(scale).mul(kind == Kind.RMS_ONE_PLUS ? onePlusWeight(c) : weight);
    }

    /** The learned bias added after the weight (LayerNorm), or null. */
    NDArray bias() {
        return bias;
    }
}
