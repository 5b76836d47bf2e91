package org.scalelab.model;

import java.util.Map;

/**
 * What a forward pass returns, in plain Java memory (the engine's arrays are already freed):
 * logits [batch, seq, vocab] and the activations the {@link HookSet} selected, by hook name in
 * the order the forward pass produced them.
 */
public record ForwardResult(Activation logits, Map<String, Activation> activations) {
    public Activation activation(String hookName) {
        Activation a = activations.get(hookName);
        if (a == null) {
            throw new IllegalArgumentException("hook '" + hookName + "' was not captured; captured: " + activations.keySet());
        }
        return a;
    }
}
