package org.scalelab.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Architecture families ScaleLab runs, keyed by the {@code model_type} of a Hugging Face config.json. */
public enum Family {
    /** GPT-2 (Radford et al. 2019): LayerNorm, learned positions, GELU-tanh MLP, Conv1D weights. */
    GPT2("gpt2"),
    /** Llama (Touvron et al. 2023): RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP. */
    LLAMA("llama");

    private final String modelType;

    Family(String modelType) {
        this.modelType = modelType;
    }

    /** The {@code model_type} string in config.json (also the family's JSON spelling). */
    @JsonValue
    public String modelType() {
        return modelType;
    }

    /** The family whose model_type is {@code s} (case-insensitive), or null. */
    public static Family fromModelType(String s) {
        for (Family f : values()) {
            if (f.modelType.equalsIgnoreCase(s)) {
                return f;
            }
        }
        return null;
    }

    /** "gpt2, llama": for error messages. */
    public static String supported() {
        return Arrays.stream(values()).map(Family::modelType).collect(Collectors.joining(", "));
    }
}
