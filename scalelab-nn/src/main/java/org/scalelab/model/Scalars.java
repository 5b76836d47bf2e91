package org.scalelab.model;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands that stay alive until the pass ends. DJL's {@code x.mul(2f)} wraps the number
 * in a 0-d tensor over a Java direct buffer and closes that tensor right after the operation; in
 * inference nothing keeps it, but under autograd {@code mul}, {@code div} and {@code pow} save
 * the scalar for the backward pass, and once the garbage collector frees the buffer the backward
 * pass reads freed memory (seen as gradients turning NaN at random steps). A scalar made here
 * belongs to {@code like}'s manager — the forward pass's scope — and lives until that scope is
 * closed, after the backward pass. Use it for every constant that multiplies or divides an
 * activation in a forward pass.
 */
final class Scalars {
    private Scalars() {}

    /**
     * {@code value} as a 0-d array of {@code like}'s dtype (float32, or the half-precision compute
     * dtype, rounded as PyTorch rounds a Python scalar), owned by {@code like}'s manager.
     */
    static NDArray of(NDArray like, double value) {
        NDArray s = like.getManager().create((float) value);
        return like.getDataType() == s.getDataType() ? s : s.toType(like.getDataType(), false);
    }
}
