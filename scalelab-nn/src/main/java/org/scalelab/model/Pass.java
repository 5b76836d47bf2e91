package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one forward pass: the scope that owns every intermediate array (closed when the
 * pass ends, so nothing leaks into the parameter manager), the causal mask, and the hook
 * recorder that copies selected activations out to float[] while they are still alive.
 */
final class Pass implements AutoCloseable {
    final NDManager scope;
    final int batch;
    final int seq;
    /** Additive causal mask [seq, seq]: 0 where key position ≤ query position, -inf after it. */
    final NDArray causalMask;
    /** RoPE cos/sin tables for this sequence length (rotary families only, else null). */
    Rope.Tables rope;
    private final HookSet hooks;
    private final Map<String, Activation> captured = new LinkedHashMap<>();

    Pass(NDManager parent, int batch, int seq, HookSet hooks) {
        this.scope = parent.newSubManager();
        this.batch = batch;
        this.seq = seq;
        this.hooks = hooks;
        float[] mask = new float[seq * seq];
        for (int i = 0; i < seq; i++) {
            for (int j = i + 1; j < seq; j++) {
                mask[i * seq + j] = Float.NEGATIVE_INFINITY;
            }
        }
        this.causalMask = scope.create(mask, new Shape(seq, seq));
    }

    /** Records {@code x} under {@code name} if the hook set selects it; returns {@code x} unchanged. */
    NDArray hook(String name, NDArray x) {
        if (hooks.matches(name)) {
            captured.put(name, new Activation(name, x.getShape().getShape(), x.toFloatArray()));
        }
        return x;
    }

    Map<String, Activation> captured() {
        return captured;
    }

    @Override
    public void close() {
        scope.close();
    }
}
