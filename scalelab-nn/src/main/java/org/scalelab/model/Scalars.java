package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Constants for arithmetic inside a forward pass that training differentiates. DJL's
 * {@code x.mul(0.5f)} (and {@code div}, {@code pow} with a Java number) wraps the number in a
 * 0-dim array whose memory is a Java direct buffer handed to libtorch without a copy
 * ({@code torch::from_blob}), and closes that array as soon as the operation returns. Autograd
 * keeps the operand for the backward pass (d(x·c)/dx = c), so once the garbage collector frees
 * the buffer, backward reads freed memory: gradients become garbage (NaN, 1e30) whenever a GC
 * falls between forward and backward, which a second model training in the same JVM makes
 * likely. A constant from {@link #like} is allocated by libtorch ({@code torch::full}), so the
 * saved operand keeps its own memory alive.
 */
final class Scalars {
    private Scalars() {}

    /** {@code value} as a 0-dim array of {@code x}'s type in {@code x}'s manager, its memory owned by libtorch. */
    static NDArray like(NDArray x, double value) {
        return x.getManager().full(new Shape(), (float) value, x.getDataType());
    }
}
