package org.scalelab.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Phi-3 (Abdin et al. 2024): Llama's layer with q, k, v stacked in one {@code qkv_proj} and gate,
 * up in one {@code gate_up_proj}, and an optional sliding window on every layer.
 */
public final class Phi3Family extends LlamaLikeFamily {
    public Phi3Family() {
        super("phi3", "Phi3ForCausalLM", "Llama's layer with fused qkv_proj and gate_up_proj", 1e-5, 10000.0, false, "silu");
    }

    @Override
    public boolean slidingWindow() {
        return true;
    }

    @Override
    String hintFor(String modelType) {
        return switch (modelType) {
            case "phi3small", "phi", "phimoe" -> " (only phi3, i.e. Phi-3-mini/medium and Phi-3.5-mini, is supported)";
            default -> null;
        };
    }

    @Override
    FamilyOptions readOptions(ConfigKeys f, int layers) {
        return readWindowOnEveryLayer(f);
    }

    @Override
    String unsupportedOptions(FamilyOptions o) {
        return unsupportedBesidesWindow(o);
    }

    @Override
    void writeOwnKeys(ModelConfig c, ObjectNode o) {
        writeWindowOnEveryLayer(c, o);
    }

    @Override
    void attentionShapes(Map<String, long[]> s, String p, ModelConfig c) {
        long d = c.dModel();
        long q = (long) c.nHeads() * c.headDim();
        long kv = (long) c.nKvHeads() * c.headDim();
        s.put(p + "self_attn.qkv_proj.weight", new long[] {q + 2 * kv, d}); // rows [W_q; W_k; W_v]
        s.put(p + "self_attn.o_proj.weight", new long[] {d, q});
    }

    @Override
    void mlpShapes(Map<String, long[]> s, String p, ModelConfig c) {
        long d = c.dModel();
        s.put(p + "mlp.gate_up_proj.weight", new long[] {2L * c.dMlp(), d}); // rows [W_gate; W_up]
        s.put(p + "mlp.down_proj.weight", new long[] {d, c.dMlp()});
    }

    @Override
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new LlamaBlock(p, prefix, c, true);
    }
}
