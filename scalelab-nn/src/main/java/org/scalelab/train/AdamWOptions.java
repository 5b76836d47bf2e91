package org.scalelab.train;

import org.scalelab.InputException;

/**
 * AdamW's hyper-parameters (Loshchilov &amp; Hutter 2019, Algorithm 2; Kingma &amp; Ba 2015 for
 * β₁, β₂, ε). Defaults are torch.optim.AdamW's betas and eps with weight decay 0.01 applied to
 * {@link DecayScope#MATRICES}.
 *
 * @param beta1       decay of the first-moment (mean) estimate
 * @param beta2       decay of the second-moment (uncentred variance) estimate
 * @param epsilon     added to √v̂ in the denominator
 * @param weightDecay λ: each update multiplies a decayed parameter by (1 − lr·λ), decoupled from the gradient
 * @param decayScope  which parameters weight decay applies to
 */
public record AdamWOptions(double beta1, double beta2, double epsilon, double weightDecay, DecayScope decayScope) {
    /** Which parameters receive weight decay. */
    public enum DecayScope {
        /** Every parameter, as {@code torch.optim.AdamW(model.parameters())} does. */
        ALL,
        /**
         * Default. Tensors with two or more dimensions (linear weights and embedding tables); not
         * biases nor norm gains, whose decay towards 0 only shrinks activations (the GPT-3 / nanoGPT
         * convention, Brown et al. 2020, App. B).
         */
        MATRICES,
        /** Like MATRICES but input embeddings and position tables are not decayed either. */
        MATRICES_EXCEPT_EMBEDDINGS
    }

    public AdamWOptions {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new InputException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new InputException("AdamW epsilon must be > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new InputException("weight decay must be ≥ 0, got " + weightDecay);
        }
        if (decayScope == null) {
            throw new InputException("AdamW: decay scope is required (all, matrices, matrices_except_embeddings)");
        }
    }

    public static AdamWOptions defaults() {
        return new AdamWOptions(0.9, 0.999, 1e-8, 0.01, DecayScope.MATRICES);
    }

    public AdamWOptions withWeightDecay(double lambda) {
        return new AdamWOptions(beta1, beta2, epsilon, lambda, decayScope);
    }

    public AdamWOptions withDecayScope(DecayScope scope) {
        return new AdamWOptions(beta1, beta2, epsilon, weightDecay, scope);
    }

    public AdamWOptions withBetas(double b1, double b2) {
        return new AdamWOptions(b1, b2, epsilon, weightDecay, decayScope);
    }

    /** Whether parameter {@code name} with {@code dims} dimensions is decayed under this scope. */
    public boolean decays(String name, int dims) {
        return switch (decayScope) {
            case ALL -> true;
            case MATRICES -> dims >= 2;
            case MATRICES_EXCEPT_EMBEDDINGS -> dims >= 2 && !isInputEmbedding(name);
        };
    }

    /** Token and position tables under their Hugging Face names (GPT-2, Llama family, GPT-NeoX). */
    static boolean isInputEmbedding(String name) {
        return name.endsWith("wte.weight") || name.endsWith("wpe.weight") || name.endsWith("embed_tokens.weight")
                || name.endsWith("embed_in.weight");
    }
}
