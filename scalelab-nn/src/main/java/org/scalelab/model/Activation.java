package org.scalelab.model;

import java.util.Arrays;

/**
 * One captured tensor, copied out of the engine: {@code data} is row-major float32 of
 * {@code shape} (for hooks [batch, seq, d_model]; for logits [batch, seq, vocab]).
 */
public record Activation(String name, long[] shape, float[] data) {
    /** The vector at ({@code batch}, {@code position}) of a [batch, seq, width] activation. */
    public float[] at(int batch, int position) {
        int width = (int) shape[shape.length - 1];
        int seq = (int) shape[shape.length - 2];
        int from = (batch * seq + position) * width;
        return Arrays.copyOfRange(data, from, from + width);
    }
}
