package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Cross-entropy on the target tokens of a batch only: the mean over every target token j of
 * every example of −log softmax(logits at position j − 1)[token j], i.e. PyTorch's
 * {@code F.cross_entropy(..., reduction="mean")} over the selected positions (each target token
 * weighs the same, whichever example it is in). Examples shorter than the batch's longest are
 * padded on the right with token 0; under the causal mask padding cannot influence earlier
 * positions, and padded positions are never targets.
 */
public final class MaskedCrossEntropy {
    private MaskedCrossEntropy() {}

    /** Token ids [batch, longest], right-padded with 0. */
    public static int[][] padded(List<Example> batch) {
        int longest = 0;
        for (Example e : batch) {
            longest = Math.max(longest, e.length());
        }
        int[][] ids = new int[batch.size()][longest];
        for (int b = 0; b < batch.size(); b++) {
            Example e = batch.get(b);
            for (int t = 0; t < e.length(); t++) {
                ids[b][t] = e.token(t);
            }
        }
        return ids;
    }

    /** Number of target tokens in the batch: the loss's denominator. */
    public static int targetCount(List<Example> batch) {
        int n = 0;
        for (Example e : batch) {
            n += e.targetCount();
        }
        return n;
    }

    /**
     * The mean loss (a scalar array in {@code logits}' manager) for {@code logits} [batch, seq, vocab]
     * computed on {@link #padded}(batch).
     */
    public static NDArray loss(NDArray logits, List<Example> batch) {
        Shape s = logits.getShape();
        long seq = s.get(1);
        long vocab = s.get(2);
        int n = targetCount(batch);
        long[] rows = new long[n]; // flat index b·seq + (j − 1) of the position predicting target j
        long[] targets = new long[n];
        int k = 0;
        for (int b = 0; b < batch.size(); b++) {
            Example e = batch.get(b);
            for (int j = 1; j < e.length(); j++) {
                if (e.isTarget(j)) {
                    rows[k] = b * seq + j - 1;
                    targets[k] = e.token(j);
                    k++;
                }
            }
        }
        long positions = s.get(0) * seq;
        NDArray flat = logits.reshape(positions, vocab);
        if (2L * n < positions) {
            // Few targets (e.g. one per fact): only the scored positions go through log-softmax, [targets, vocab].
            NDArray selected = flat.get(new NDIndex("{}", logits.getManager().create(rows)));
            NDArray picked = selected.logSoftmax(1).gather(logits.getManager().create(targets, new Shape(n, 1)), 1); // log p(target)
            return picked.mean().neg();
        }
        // Mostly targets (language modelling): log-softmax over every position and a 0/1 weight per
        // position, which spares copying the selected rows out and scattering their gradient back.
        long[] targetAt = new long[Math.toIntExact(positions)];
        float[] weight = new float[targetAt.length];
        for (int i = 0; i < n; i++) {
            targetAt[(int) rows[i]] = targets[i];
            weight[(int) rows[i]] = 1f;
        }
        NDArray picked = flat.logSoftmax(1).gather(logits.getManager().create(targetAt, new Shape(positions, 1)), 1); // [positions, 1]
        // n as an array of this scope, not a Java number: autograd keeps the divisor until backward (see model.Scalars).
        return picked.mul(logits.getManager().create(weight, new Shape(positions, 1))).sum().div(logits.getManager().create((float) n)).neg();
    }
}
