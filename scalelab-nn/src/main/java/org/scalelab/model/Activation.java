package org.scalelab.model;

import java.util.Arrays;

/**
 * One captured tensor, copied out of the engine: {@code data} is row-major float32 of
 * {@code shape} (residual-stream hooks [batch, seq, d_model]; logits [batch, seq, vocab];
 * attention patterns [batch, heads, seq, seq]).
 */
public record Activation(String name, long[] shape, float[] data) {
    /** The vector at ({@code batch}, {@code position}) of a 3-D [batch, seq, width] activation. */
    public float[] at(int batch, int position) {
        if (shape.length != 3) {
            throw new IllegalStateException(name + " has shape " + Arrays.toString(shape) + ", not [batch, seq, width]");
        }
        int width = (int) shape[shape.length - 1];
        int seq = (int) shape[shape.length - 2];
        int from = (batch * seq + position) * width;
        return Arrays.copyOfRange(data, from, from + width);
    }
}
