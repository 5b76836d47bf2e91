package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.scalelab.InputException;

/**
 * Llama (Touvron et al. 2023): RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP
 * ({@link LlamaBlock}); Llama 3.1's RoPE frequency scaling ({@link RopeScaling}).
 */
public final class LlamaFamily extends LlamaLikeFamily {
    public LlamaFamily() {
        // ε = 1e-6 is Llama 2's rms_norm_eps.
        super("llama", "LlamaForCausalLM", "RMSNorm, rotary positions, grouped-query attention, SwiGLU", 1e-6, 10000.0, false, "silu");
    }

    /** {@code "rope_scaling": {"rope_type": "llama3", …}}: Llama 3.1's long-context scaling. */
    @Override
    RopeScaling readRopeScaling(ConfigKeys f, JsonNode node) {
        String type = ropeScalingType(f, node);
        if (type == null) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new InputException(f.file() + ": rope_scaling type \"" + type + "\" is not supported (supported: llama3)");
        }
        ConfigKeys k = f.nested(node);
        for (String key : new String[] {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
            if (!k.has(key)) {
                throw new InputException(f.file() + ": rope_scaling is missing \"" + key + "\"");
            }
        }
        return new RopeScaling(k.number("factor", 0), k.number("low_freq_factor", 0), k.number("high_freq_factor", 0),
                k.integer("original_max_position_embeddings", null));
    }

    @Override
    void writeOwnKeys(ModelConfig c, ObjectNode o) {
        o.put("attention_bias", false);
        o.put("mlp_bias", false);
    }

    @Override
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new LlamaBlock(p, prefix, c, false);
    }
}
