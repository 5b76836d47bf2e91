package org.scalelab.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.scalelab.InputException;

/**
 * Gemma 2 (Gemma Team 2024b, §2): Gemma plus norms after attention and MLP, tanh soft-capping of
 * attention and final logits, sliding-window attention on every other layer.
 */
public final class Gemma2Family extends GemmaFamily {
    public Gemma2Family() {
        super("gemma2", "Gemma2ForCausalLM", "Gemma plus sandwich norms, soft-capping, alternating window");
    }

    @Override
    public boolean slidingWindow() {
        return true;
    }

    /** The published defaults: query scalar head_dim, soft-caps 50 (attention) and 30 (final), 4,096-token window on even layers. */
    @Override
    FamilyOptions defaultOptions(int headDim) {
        return new FamilyOptions(4096, 0, true, false, headDim, 50.0, 30.0);
    }

    @Override
    String hintFor(String modelType) {
        return switch (modelType) {
            case "gemma3", "gemma3_text" -> " (gemma3 adds q/k norms and local RoPE bases; supported are gemma and gemma2)";
            default -> null;
        };
    }

    @Override
    String activationWithoutHiddenActivation(ConfigKeys f) {
        return f.text("hidden_act", "gelu_pytorch_tanh");
    }

    @Override
    FamilyOptions readOptions(ConfigKeys f, int layers) {
        if (f.has("use_bidirectional_attention") && f.bool("use_bidirectional_attention", false)) {
            throw new InputException(f.file() + ": use_bidirectional_attention: true is not supported (ScaleLab runs causal decoders)");
        }
        return new FamilyOptions(f.integer("sliding_window", 4096), 0, true, false, f.number("query_pre_attn_scalar", 256),
                f.number("attn_logit_softcapping", f.present("attn_logit_softcapping") ? 0 : 50.0),
                f.number("final_logit_softcapping", f.present("final_logit_softcapping") ? 0 : 30.0));
    }

    @Override
    String unsupportedOptions(FamilyOptions o) {
        return o.qkvBias() || o.windowFromLayer() != 0 ? "q/k/v biases and max_window_layers" : null;
    }

    @Override
    void writeOwnKeys(ModelConfig c, ObjectNode o) {
        super.writeOwnKeys(c, o);
        FamilyOptions options = c.options();
        o.put("sliding_window", options.slidingWindow());
        o.put("query_pre_attn_scalar", options.queryPreAttnScalar());
        putCap(o, "attn_logit_softcapping", options.attnLogitSoftcap());
        putCap(o, "final_logit_softcapping", options.finalLogitSoftcap());
    }

    private static void putCap(ObjectNode o, String key, double cap) {
        if (cap > 0) {
            o.put(key, cap);
        } else {
            o.putNull(key);
        }
    }

    /** The norms after attention's output and around the MLP. */
    @Override
    void extraNormShapes(Map<String, long[]> s, String p, ModelConfig c) {
        s.put(p + "pre_feedforward_layernorm.weight", new long[] {c.dModel()});
        s.put(p + "post_feedforward_layernorm.weight", new long[] {c.dModel()});
    }

    @Override
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new GemmaBlock(p, prefix, c, true);
    }

    @Override
    public boolean normsAfterSubLayers() {
        return true;
    }
}
