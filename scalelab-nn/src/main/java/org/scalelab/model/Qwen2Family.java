package org.scalelab.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Qwen2 / Qwen2.5 (Yang et al. 2024, §2.2.1): Llama's layer with biases on the q, k and v
 * projections, RoPE base 10⁶, and an optional sliding window from layer {@code max_window_layers} on.
 */
public final class Qwen2Family extends LlamaLikeFamily {
    public Qwen2Family() {
        super("qwen2", "Qwen2ForCausalLM", "Llama's layer with q/k/v biases", 1e-6, 1e6, false, "silu");
    }

    @Override
    public boolean slidingWindow() {
        return true;
    }

    @Override
    FamilyOptions defaultOptions(int headDim) {
        return new FamilyOptions(0, 0, false, true, 0, 0, 0);
    }

    @Override
    String hintFor(String modelType) {
        return switch (modelType) {
            case "qwen3", "qwen2_moe" -> " (only qwen2, i.e. Qwen2 and Qwen2.5 dense models, is supported)";
            default -> null;
        };
    }

    /** Qwen2's q/k/v biases are part of its architecture, not a key. */
    @Override
    void checkBiasKeys(ConfigKeys f) {
        f.requireAbsentOrFalse("mlp_bias");
    }

    @Override
    FamilyOptions readOptions(ConfigKeys f, int layers) {
        return f.bool("use_sliding_window", false)
                ? new FamilyOptions(f.integer("sliding_window", null), f.integer("max_window_layers", layers), false, true, 0, 0, 0)
                : new FamilyOptions(0, 0, false, true, 0, 0, 0);
    }

    @Override
    String unsupportedOptions(FamilyOptions o) {
        if (!o.qkvBias()) {
            return "attention without q/k/v biases";
        }
        return o.windowEveryOther() || o.queryPreAttnScalar() != 0 || o.attnLogitSoftcap() != 0 || o.finalLogitSoftcap() != 0
                ? "soft-capping and alternating windows" : null;
    }

    @Override
    void writeOwnKeys(ModelConfig c, ObjectNode o) {
        int window = c.options().slidingWindow();
        o.put("use_sliding_window", window > 0);
        o.put("sliding_window", window > 0 ? window : c.maxPositions());
        o.put("max_window_layers", window > 0 ? c.options().windowFromLayer() : c.nLayers());
    }

    @Override
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new LlamaBlock(p, prefix, c, false);
    }
}
