package org.scalelab.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch for the calling thread, restored on close. Grad mode is
 * thread-local in libtorch (on by default in a new thread, switched off by DJL in the thread that
 * starts the engine), so training code states it explicitly: on while a trainable model is built
 * (so the transposed weight views it keeps are part of the autograd graph) and during the forward
 * pass whose loss is differentiated; off while the optimiser updates the weights in place (an
 * in-place change of a leaf that requires grad is refused in grad mode) and during evaluation.
 *
 * <pre>{@code
 * try (GradMode on = GradMode.enabled()) { ... forward, backward ... }
 * }</pre>
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;

    private GradMode(boolean enabled) {
        TorchEngine.get();
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Records operations for autograd on this thread until closed. */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    /** Records nothing on this thread until closed. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
