package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.scalelab.InputException;

/**
 * Gemma (Gemma Team 2024, §2.1): embeddings scaled by √d_model, RMSNorm scaled by (1 + w), GeGLU
 * MLP ({@link GemmaBlock}), head_dim independent of d_model (256 unless given), tied unembedding.
 * {@link Gemma2Family} builds on it.
 */
public class GemmaFamily extends LlamaLikeFamily {
    public GemmaFamily() {
        this("gemma", "GemmaForCausalLM", "√d embedding scale, (1+w) RMSNorm, GeGLU");
    }

    GemmaFamily(String modelType, String architecture, String summary) {
        super(modelType, architecture, summary, 1e-6, 10000.0, true, "gelu_pytorch_tanh");
    }

    @Override
    int defaultHeadDim(int dModel, int heads) {
        return 256;
    }

    /**
     * Gemma's GeGLU uses the tanh approximation of GELU; early Gemma configs said "gelu" in
     * hidden_act, which transformers overrides with gelu_pytorch_tanh unless hidden_activation is set.
     */
    @Override
    final String readActivation(ConfigKeys f) {
        String act = f.text("hidden_activation", activationWithoutHiddenActivation(f));
        if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_new") && !act.equals("gelu")) {
            throw new InputException(f.file() + ": hidden_activation \"" + act + "\" is not supported for " + modelType()
                    + " (supported: gelu_pytorch_tanh, gelu_new, gelu)");
        }
        return act;
    }

    /** The activation when hidden_activation is absent: Gemma ignores hidden_act. */
    String activationWithoutHiddenActivation(ConfigKeys f) {
        return "gelu_pytorch_tanh";
    }

    @Override
    void writeOwnKeys(ModelConfig c, ObjectNode o) {
        o.put("hidden_activation", c.activation());
        o.put("attention_bias", false);
    }

    /** Gemma stores its norm scales as offsets from 1 (it multiplies by 1 + w): identity is w = 0. */
    @Override
    final float normIdentity() {
        return 0f;
    }

    @Override
    final Norm finalNorm(NDArray weight, ModelConfig c) {
        return Norm.rmsNormOnePlus(weight, c.normEps());
    }

    /** √d_model (Gemma Team 2024, §2.1). */
    @Override
    final double embeddingScale(ModelConfig c) {
        return Math.sqrt(c.dModel());
    }

    @Override
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new GemmaBlock(p, prefix, c, false);
    }
}
