package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A normalisation over the last axis (d_model). */
interface Norm {
    NDArray apply(NDArray x);

    /**
     * Each component c [.., d_model] normalised with the scale σ of another vector, {@code residual}
     * [.., d_model], and multiplied by the learned weight, without the bias: LayerNorm's
     * (c − mean(c)) / σ · w, RMSNorm's c / σ · w. Linear in c, so for components summing to the
     * residual the results plus {@link #bias()} sum to {@code apply(residual)}: the convention of
     * TransformerLens' {@code apply_ln_to_stack} (the scale frozen from the residual, the centring
     * applied to each component).
     */
    NDArray frozen(NDArray components, NDArray residual);

    /** The learned bias added after the weight, or null when the norm has none. */
    NDArray bias();

    /**
     * LayerNorm (Ba et al. 2016, eq. 4): (x − mean) / sqrt(var + ε) · w + b with the biased
     * variance, as torch.nn.LayerNorm; computed by the engine's native layer_norm.
     */
    static Norm layerNorm(NDArray weight, NDArray bias, double eps) {
        return new LayerNorm(weight, bias, eps);
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019, eq. 4): x / sqrt(mean(x²) + ε) · w, with no centering and no
     * bias, in Hugging Face's LlamaRMSNorm order (normalise in float32, then scale).
     */
    static Norm rmsNorm(NDArray weight, double eps) {
        return new RmsNorm(weight, eps, false);
    }

    /**
     * Gemma's RMSNorm (Gemma Team 2024; transformers' GemmaRMSNorm): x / sqrt(mean(x²) + ε) · (1 + w),
     * the scale stored as an offset from 1 so that zero-initialised weights give the identity.
     */
    static Norm rmsNormOnePlus(NDArray weight, double eps) {
        return new RmsNorm(weight, eps, true);
    }

    record LayerNorm(NDArray weight, NDArray bias, double eps) implements Norm {
        @Override
        public NDArray apply(NDArray x) {
            Shape normalized = new Shape(weight.getShape().get(0));
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight, bias, (float) eps).singletonOrThrow();
        }

        @Override
        public NDArray frozen(NDArray components, NDArray residual) {
            int last = residual.getShape().dimension() - 1;
            NDArray centred = residual.sub(residual.mean(new int[] {last}, true));
            NDArray scale = centred.square().mean(new int[] {last}, true).add((float) eps).sqrt(); // [.., 1]
            int cLast = components.getShape().dimension() - 1;
            return components.sub(components.mean(new int[] {cLast}, true)).div(scale).mul(weight);
        }
    }

    record RmsNorm(NDArray weight, double eps, boolean onePlus) implements Norm {
        @Override
        public NDArray apply(NDArray x) {
            int last = x.getShape().dimension() - 1;
            NDArray meanSquare = x.square().mean(new int[] {last}, true); // [.., 1]
            return x.div(meanSquare.add((float) eps).sqrt()).mul(onePlus ? weight.add(1f) : weight);
        }

        @Override
        public NDArray frozen(NDArray components, NDArray residual) {
            int last = residual.getShape().dimension() - 1;
            NDArray scale = residual.square().mean(new int[] {last}, true).add((float) eps).sqrt(); // [.., 1]
            return components.div(scale).mul(onePlus ? weight.add(1f) : weight);
        }

        @Override
        public NDArray bias() {
            return null;
        }
    }
}
