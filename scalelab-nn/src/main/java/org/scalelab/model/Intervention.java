package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.scalelab.InputException;

/**
 * A change to the activation at one hook, applied during the forward pass before the activation is
 * recorded and before later layers read it: to every row of a [batch, seq, width] hook (the
 * residual stream, an MLP's activations, a norm's scale), or of a [batch, seq, head, width] hook
 * (q, k, v, rot_q, rot_k, z, result), there to every head or to one ({@link #onHead}), e.g.
 * zero- or mean-ablating head h: {@code replace(hookZ(l), zeros or the head's mean z, 0).onHead(h)}.
 * Attention scores and patterns ([batch, head, query, key]) take no interventions.
 * Positions count from the start of the sequence (with a KV cache: including the cached
 * positions), so steering "from position p" keeps its meaning during generation.
 *
 * <ul>
 *   <li>{@link #add}: x ← x + α·v (activation steering, Turner et al. 2023 "Activation Addition");
 *   <li>{@link #projectOut}: x ← x − (x·v̂) v̂ with v̂ = v/‖v‖ (directional ablation, Arditi et al.
 *       2024, §2.3);
 *   <li>{@link #replace}: x ← v (e.g. mean ablation with v the mean activation, zero ablation with 0).
 * </ul>
 *
 * @param hook         exact hook name, e.g. {@code blocks.1.hook_resid_post}
 * @param kind         what to do
 * @param vector       v, length d_model
 * @param alpha        scale for {@link Kind#ADD}; ignored otherwise
 * @param fromPosition first position changed (0: all)
 * @param head         the head changed on a hook with a head axis, or −1: every head (or no head axis)
 */
public record Intervention(String hook, Kind kind, float[] vector, double alpha, int fromPosition, int head) {
    public enum Kind { ADD, PROJECT_OUT, REPLACE }

    public Intervention(String hook, Kind kind, float[] vector, double alpha, int fromPosition) {
        this(hook, kind, vector, alpha, fromPosition, -1);
    }

    public Intervention {
        if (HookNames.positionAxis(hook) == 2) {
            throw new InputException("intervention at " + hook + ": attention scores and patterns take none; ablate a head at its hook_z or hook_result");
        }
        if (head < -1) {
            throw new InputException("intervention at " + hook + ": head " + head + " must be >= 0");
        }
        if (head >= 0 && HookNames.headAxis(hook) != 2) {
            throw new InputException("intervention at " + hook + ": head " + head + " given, but the hook has no [batch, pos, head, x] head axis"
                    + " (per-head hooks: attn.hook_q, hook_k, hook_v, hook_rot_q, hook_rot_k, hook_z, hook_result)");
        }
        if (fromPosition < 0) {
            throw new InputException("intervention at " + hook + ": from-position " + fromPosition + " must be >= 0");
        }
        if (kind == Kind.PROJECT_OUT && norm(vector) == 0) {
            throw new InputException("intervention at " + hook + ": cannot project out a zero direction");
        }
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                throw new InputException("intervention at " + hook + ": the direction has a non-finite component " + x);
            }
        }
        vector = vector.clone();
    }

    public static Intervention add(String hook, float[] direction, double alpha, int fromPosition) {
        return new Intervention(hook, Kind.ADD, direction, alpha, fromPosition);
    }

    public static Intervention projectOut(String hook, float[] direction, int fromPosition) {
        return new Intervention(hook, Kind.PROJECT_OUT, direction, 0, fromPosition);
    }

    public static Intervention replace(String hook, float[] value, int fromPosition) {
        return new Intervention(hook, Kind.REPLACE, value, 0, fromPosition);
    }

    /** The same change, on head {@code h} alone of a [batch, pos, head, width] hook (v then has d_head or d_model components). */
    public Intervention onHead(int h) {
        if (h < 0) {
            throw new InputException("intervention at " + hook + ": head " + h + " must be >= 0");
        }
        return new Intervention(hook, kind, vector, alpha, fromPosition, h);
    }

    /**
     * Applies this change to {@code x} [batch, seq, width] or [batch, seq, heads, width] covering
     * positions offset … offset + seq − 1.
     */
    NDArray apply(NDArray x, Pass pass) {
        Shape s = x.getShape();
        boolean perHead = s.dimension() == 4 && HookNames.headAxis(hook) == 2;
        if (s.dimension() != 3 && !perHead) {
            throw new InputException("intervention at " + hook + ": the hook's activation has shape " + s
                    + ", interventions need [batch, seq, width] or [batch, seq, head, width] (attention scores and patterns take none;"
                    + " ablate a head at its hook_z or hook_result)");
        }
        int seq = (int) s.get(1);
        int heads = perHead ? (int) s.get(2) : 1;
        int width = (int) s.get(s.dimension() - 1);
        if (vector.length != width) {
            throw new InputException("intervention at " + hook + ": the direction has " + vector.length
                    + " components, the activation has width " + width);
        }
        if (head >= heads) {
            throw new InputException("intervention at " + hook + ": head " + head + " does not exist; the hook has " + heads + " heads");
        }
        // In a ragged pass each row's new tokens sit at its own positions (RaggedBatch#position), so
        // "from position p" is decided per row: [batch, seq, (heads,) 1]; else [seq, (heads,) 1].
        int rows = pass.ragged == null ? 1 : (int) s.get(0);
        float[] m = new float[rows * seq * heads];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < seq; i++) {
                int position = pass.ragged == null ? pass.offset + i : pass.ragged.position(b, i);
                for (int h = 0; h < heads; h++) {
                    m[(b * seq + i) * heads + h] = position >= fromPosition && (head < 0 || h == head) ? 1f : 0f;
                }
            }
        }
        // 1 where the change applies
        Shape maskShape = perHead ? new Shape(seq, heads, 1) : new Shape(seq, 1);
        NDArray mask = pass.create(m, pass.ragged == null ? maskShape : new Shape(rows).addAll(maskShape));
        return switch (kind) {
            case ADD -> {
                float[] delta = new float[width];
                for (int j = 0; j < width; j++) {
                    delta[j] = (float) (alpha * vector[j]);
                }
                yield x.add(mask.mul(pass.create(delta, new Shape(1, width)))); // [batch, seq, width]
            }
            case PROJECT_OUT -> {
                double n = norm(vector);
                float[] unit = new float[width];
                for (int j = 0; j < width; j++) {
                    unit[j] = (float) (vector[j] / n);
                }
                NDArray u = pass.create(unit, new Shape(width, 1));
                NDArray coef = x.matMul(u).mul(mask); // [batch, seq, (heads,) 1]: x·v̂ where the change applies
                yield x.sub(coef.matMul(u.transpose())); // [batch, seq, (heads,) width]
            }
            case REPLACE -> {
                NDArray value = pass.create(vector, new Shape(1, width));
                yield x.mul(mask.neg().add(1f)).add(mask.mul(value));
            }
        };
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Intervention i && hook.equals(i.hook) && kind == i.kind && Arrays.equals(vector, i.vector)
                && alpha == i.alpha && fromPosition == i.fromPosition && head == i.head;
    }

    @Override
    public int hashCode() {
        return hook.hashCode() * 31 + Arrays.hashCode(vector);
    }

    /**
     * E.g. {@code add@blocks.1.hook_resid_post α=4.0 v=sha256:1f3a…(12 hex) ‖v‖=2.5}: what an
     * activation set's manifest records, so a capture resumed with another direction is refused.
     */
    @Override
    public String toString() {
        return kind.name().toLowerCase() + "@" + hook + (head >= 0 ? " head " + head : "") + (kind == Kind.ADD ? " α=" + alpha : "") + (fromPosition > 0 ? " from " + fromPosition : "")
                + " v=sha256:" + fingerprint() + " ‖v‖=" + (float) norm(vector);
    }

    private String fingerprint() {
        ByteBuffer b = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(vector);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
