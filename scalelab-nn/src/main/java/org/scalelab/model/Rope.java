package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al. 2021, RoFormer, eq. 34) in Hugging Face's "rotate_half"
 * layout: the head is split into two halves [x1 | x2] and dimension i of the first half is
 * rotated together with dimension i of the second half by angle pos · θ_i, θ_i = base^(−2i/d).
 * (Meta's original Llama code pairs interleaved dimensions instead; HF checkpoints have q/k
 * weights permuted to match this layout, so rotate_half is the correct choice for them.)
 */
final class Rope {
    private Rope() {}

    /** cos and sin tables for positions offset … offset + seq − 1, each [seq, head_dim] = [cos(pos·θ) | cos(pos·θ)]. */
    record Tables(NDArray cos, NDArray sin) {}

    static Tables tables(NDManager scope, int offset, int seq, int headDim, double base, RopeScaling scaling) {
        float[][] t = angles(new int[] {offset}, seq, headDim, base, scaling);
        return new Tables(scope.create(t[0], new Shape(seq, headDim)), scope.create(t[1], new Shape(seq, headDim)));
    }

    /**
     * Per-row tables [batch, 1, seq, head_dim] for a {@link RaggedBatch}: row b's token i at
     * position starts[b] + i (broadcast over the heads of [batch, heads, seq, head_dim]).
     */
    static Tables tables(NDManager scope, int[] starts, int seq, int headDim, double base, RopeScaling scaling) {
        float[][] t = angles(starts, seq, headDim, base, scaling);
        Shape shape = new Shape(starts.length, 1, seq, headDim);
        return new Tables(scope.create(t[0], shape), scope.create(t[1], shape));
    }

    /** {cos, sin} for rows whose first position is starts[b], row-major [rows, seq, head_dim]. */
    private static float[][] angles(int[] starts, int seq, int headDim, double base, RopeScaling scaling) {
        int half = headDim / 2;
        float[] cos = new float[starts.length * seq * headDim];
        float[] sin = new float[starts.length * seq * headDim];
        for (int i = 0; i < half; i++) {
            // HF computes inv_freq in float32: 1 / base^(2i/d); mirror that rounding before the product.
            double unscaled = (float) (1.0 / Math.pow(base, (2.0 * i) / headDim));
            float invFreq = (float) (scaling == null ? unscaled : scaling.scale(unscaled));
            for (int b = 0; b < starts.length; b++) {
                for (int p = 0; p < seq; p++) {
                    float angle = (starts[b] + p) * invFreq; // float32 product, as HF's matmul of positions and inv_freq
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    int at = (b * seq + p) * headDim;
                    cos[at + i] = c;
                    cos[at + i + half] = c;
                    sin[at + i] = s;
                    sin[at + i + half] = s;
                }
            }
        }
        return new float[][] {cos, sin};
    }

    /** x·cos + rotate_half(x)·sin for x [batch, heads, seq, head_dim]. */
    static NDArray apply(NDArray x, Pass pass) {
        Tables t = pass.rope;
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray negated = halves.get(1).neg();
        NDArray rotated = negated.concat(halves.get(0), last); // [−x2 | x1]
        NDArray xCos = x.mul(t.cos());
        NDArray rotatedSin = rotated.mul(t.sin());
        pass.done(halves.get(0), halves.get(1), negated, rotated); // temporaries freed once read (see Pass#done)
        NDArray out = xCos.add(rotatedSin);
        pass.done(xCos, rotatedSin);
        return out;
    }
}
