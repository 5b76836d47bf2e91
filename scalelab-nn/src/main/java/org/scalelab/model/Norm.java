package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A normalisation over the last axis (d_model). */
interface Norm {
    NDArray apply(NDArray x);

    /**
     * LayerNorm (Ba et al. 2016, eq. 4): (x − mean) / sqrt(var + ε) · w + b with the biased
     * variance, as torch.nn.LayerNorm; computed by the engine's native layer_norm.
     */
    static Norm layerNorm(NDArray weight, NDArray bias, double eps) {
        Shape normalized = new Shape(weight.getShape().get(0));
        return x -> ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight, bias, (float) eps).singletonOrThrow();
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019, eq. 4): x / sqrt(mean(x²) + ε) · w, with no centering and no
     * bias, in Hugging Face's LlamaRMSNorm order (normalise in float32, then scale).
     */
    static Norm rmsNorm(NDArray weight, double eps) {
        return x -> {
            int last = x.getShape().dimension() - 1;
            NDArray meanSquare = x.square().mean(new int[] {last}, true); // [.., 1]
            return x.div(meanSquare.add((float) eps).sqrt()).mul(weight);
        };
    }

    /**
     * Gemma's RMSNorm (Gemma Team 2024; transformers' GemmaRMSNorm): x / sqrt(mean(x²) + ε) · (1 + w),
     * the scale stored as an offset from 1 so that zero-initialised weights give the identity.
     */
    static Norm rmsNormOnePlus(NDArray weight, double eps) {
        return x -> {
            int last = x.getShape().dimension() - 1;
            NDArray meanSquare = x.square().mean(new int[] {last}, true); // [.., 1]
            // 1 + w made in the pass's scope (weight.add(1f) would leave it in the parameters' manager, one per call)
            return x.div(meanSquare.add((float) eps).sqrt()).mul(Scalars.of(x, 1).add(weight));
        };
    }
}
