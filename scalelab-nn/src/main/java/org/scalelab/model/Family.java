package org.scalelab.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Architecture families ScaleLab runs, keyed by the {@code model_type} of a Hugging Face
 * config.json (or, when that is missing, by the class named in {@code architectures}).
 */
public enum Family {
    /** GPT-2 (Radford et al. 2019): LayerNorm, learned positions, GELU-tanh MLP, Conv1D weights. */
    GPT2("gpt2", "GPT2LMHeadModel"),
    /** Llama (Touvron et al. 2023): RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP. */
    LLAMA("llama", "LlamaForCausalLM"),
    /** Mistral (Jiang et al. 2023): Llama's layer with an optional sliding attention window (§2). */
    MISTRAL("mistral", "MistralForCausalLM"),
    /** Qwen2 / Qwen2.5 (Yang et al. 2024, §2.2.1): Llama's layer with biases on the q, k and v projections. */
    QWEN2("qwen2", "Qwen2ForCausalLM"),
    /**
     * Gemma (Gemma Team 2024, §2.1): embeddings scaled by √d_model, RMSNorm scaled by (1 + w),
     * GeGLU MLP, head_dim independent of d_model, tied unembedding.
     */
    GEMMA("gemma", "GemmaForCausalLM"),
    /**
     * Gemma 2 (Gemma Team 2024b, §2): Gemma plus norms after attention and MLP, tanh soft-capping
     * of attention and final logits, sliding-window attention on every other layer.
     */
    GEMMA2("gemma2", "Gemma2ForCausalLM"),
    /** Phi-3 (Abdin et al. 2024): Llama's layer with fused qkv_proj and gate_up_proj weights. */
    PHI3("phi3", "Phi3ForCausalLM"),
    /**
     * GPT-NeoX (Black et al. 2022) with sequential residuals ({@code use_parallel_residual: false})
     * and full rotary embedding ({@code rotary_pct: 1}): GPT-2's pre-LN block (LayerNorm with bias,
     * biased linear layers, GELU MLP) with RoPE instead of learned positions, the "GPT-2 with RoPE"
     * of the controlled-world experiments (Minegishi et al. 2026). transformers' GPTNeoXForCausalLM
     * reads it.
     */
    GPT_NEOX("gpt_neox", "GPTNeoXForCausalLM");

    private final String modelType;
    private final String architecture;

    Family(String modelType, String architecture) {
        this.modelType = modelType;
        this.architecture = architecture;
    }

    /** The {@code model_type} string in config.json (also the family's JSON spelling). */
    @JsonValue
    public String modelType() {
        return modelType;
    }

    /** The causal-LM class name {@code transformers} writes in config.json's {@code architectures}. */
    public String architecture() {
        return architecture;
    }

    /** True for the families with rotary positions (all but GPT-2). */
    public boolean rotary() {
        return this != GPT2;
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

    /** The family whose causal-LM class is {@code s} (e.g. "Qwen2ForCausalLM"), or null. */
    public static Family fromArchitecture(String s) {
        for (Family f : values()) {
            if (f.architecture.equals(s)) {
                return f;
            }
        }
        return null;
    }

    /** "gpt2, llama, …": for error messages. */
    public static String supported() {
        return Arrays.stream(values()).map(Family::modelType).collect(Collectors.joining(", "));
    }
}
