package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.scalelab.InputException;

/**
 * Replaces the activation at one hook by values recorded in another run (activation patching,
 * Meng et al. 2022 "causal tracing"; Wang et al. 2023 "path patching"; TransformerLens'
 * {@code patching.py}): at every position, at one position, for every head or for one head.
 * Unlike an {@link Intervention}, which moves the activation along one vector, a patch holds a
 * whole recorded tensor: a different value at every position (and head).
 *
 * <p>The recorded activation is one sequence's, [1, pos, …] as captured (for the attention
 * pattern and scores, [1, head, query, key]). Positions count from the start of the sequence, so a
 * patch keeps its meaning in a pass that continues a KV cache (generation): a position (or key)
 * beyond the recorded ones is left alone. Axes: a hook of rank 3 is [batch, pos, width]; the
 * attention pattern and scores are [batch, head, query, key] (head axis 1, position axis 2);
 * every other rank-4 hook is [batch, pos, head, width] (q, k, v, z, result).
 *
 * <p>With grouped-query attention {@code hook_k} and {@code hook_v} have the key/value heads on
 * their head axis: patching head j there patches what every query head j·g … j·g + g − 1 reads
 * (g = heads / kv_heads).
 *
 * @param hook     exact hook name, e.g. {@code blocks.1.hook_resid_pre}
 * @param recorded the activation recorded at that hook in the source run, batch 1
 * @param position the one position patched, or {@link #ALL}
 * @param head     the one head patched (hooks with a head axis), or {@link #ALL}
 */
public record ActivationPatch(String hook, Activation recorded, int position, int head) {
    /** Every position, or every head. */
    public static final int ALL = -1;

    public ActivationPatch {
        long[] s = recorded.shape();
        if (s.length < 3 || s[0] != 1) {
            throw new InputException("patch at " + hook + ": the recorded activation has shape " + Arrays.toString(s)
                    + ", a patch needs one sequence's [1, pos, …]");
        }
        if (position < ALL || head < ALL) {
            throw new InputException("patch at " + hook + ": position " + position + " and head " + head + " must be >= 0 (or ALL)");
        }
        if (head != ALL && headAxis(hook, s.length) < 0) {
            throw new InputException("patch at " + hook + ": this hook has no head axis, so a head cannot be chosen");
        }
        if (head != ALL && head >= s[headAxis(hook, s.length)]) {
            throw new InputException("patch at " + hook + ": head " + head + " is outside [0, " + s[headAxis(hook, s.length)] + ")");
        }
    }

    /** Patches the whole activation at {@code hook} (every position, every head). */
    public static ActivationPatch whole(String hook, Activation recorded) {
        return new ActivationPatch(hook, recorded, ALL, ALL);
    }

    /** The axis of positions (queries, for the pattern and scores) in a hook's activation of rank {@code rank}. */
    static int positionAxis(String hook, int rank) {
        return rank == 4 ? HookNames.positionAxis(hook) : 1;
    }

    /** The axis of heads, or −1 when the hook has none. */
    static int headAxis(String hook, int rank) {
        return rank == 4 ? HookNames.headAxis(hook) : -1;
    }

    /** {@code x} [batch, …] with the patched elements replaced by the recorded ones (the same value in every batch row). */
    NDArray apply(NDArray x, Pass pass) {
        long[] shape = x.getShape().getShape();
        long[] rec = recorded.shape();
        if (shape.length != rec.length) {
            throw new InputException("patch at " + hook + ": the recorded activation has shape " + Arrays.toString(rec)
                    + ", the hook's activation has shape " + Arrays.toString(shape));
        }
        int rank = shape.length;
        int posAxis = positionAxis(hook, rank);
        int headAxis = headAxis(hook, rank);
        for (int a = 1; a < rank; a++) {
            if (a != posAxis && !(posAxis == 2 && a == 3) && shape[a] != rec[a]) {
                throw new InputException("patch at " + hook + ": axis " + a + " has " + shape[a] + " here and " + rec[a]
                        + " in the recorded activation (shape " + Arrays.toString(rec) + ")");
            }
        }
        // One row of the batch: the recorded value where patched, a flag saying where.
        int n = 1;
        for (int a = 1; a < rank; a++) {
            n *= (int) shape[a];
        }
        float[] value = new float[n];
        boolean[] patched = new boolean[n];
        int[] index = new int[rank]; // index[0] stays 0: one batch row
        for (int flat = 0; flat < n; flat++) {
            int rest = flat;
            for (int a = rank - 1; a >= 1; a--) {
                index[a] = (int) (rest % shape[a]);
                rest /= (int) shape[a];
            }
            int absolute = index[posAxis] + pass.offset;
            boolean chosen = (position == ALL || absolute == position) && (head == ALL || index[headAxis] == head);
            int source = 0; // row-major offset of the same element in the recorded activation
            for (int a = 1; a < rank && chosen; a++) {
                int i = a == posAxis ? absolute : index[a];
                if (i >= rec[a]) {
                    chosen = false; // beyond what was recorded (a later position, or a key of a longer pass)
                }
                source = source * (int) rec[a] + i;
            }
            if (chosen) {
                patched[flat] = true;
                value[flat] = recorded.data()[source];
            }
        }
        long[] row = shape.clone();
        row[0] = 1;
        NDArray where = pass.scope.create(patched, new Shape(row)); // [1, …]: true where the recorded value goes
        NDArray v = pass.create(value, new Shape(row));
        // where() copies either value exactly, so patching an activation with itself changes no bit.
        return NDArrays.where(where.toType(DataType.BOOLEAN, false), v, x);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationPatch p && hook.equals(p.hook) && position == p.position && head == p.head
                && Arrays.equals(recorded.shape(), p.recorded.shape()) && Arrays.equals(recorded.data(), p.recorded.data());
    }

    @Override
    public int hashCode() {
        return (hook.hashCode() * 31 + position) * 31 + head;
    }

    @Override
    public String toString() {
        return "patch@" + hook + (position == ALL ? "" : " pos " + position) + (head == ALL ? "" : " head " + head);
    }
}
