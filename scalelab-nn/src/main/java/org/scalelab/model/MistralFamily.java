package org.scalelab.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Mistral (Jiang et al. 2023): Llama's layer with an optional sliding attention window (§2). */
public final class MistralFamily extends LlamaLikeFamily {
    public MistralFamily() {
        super("mistral", "MistralForCausalLM", "Llama's layer with a sliding window", 1e-5, 10000.0, false, "silu");
    }

    @Override
    public boolean slidingWindow() {
        return true;
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
    Block block(ParameterLoader p, String prefix, ModelConfig c) {
        return new LlamaBlock(p, prefix, c, false);
    }
}
