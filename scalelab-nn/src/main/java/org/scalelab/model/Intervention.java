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
 * A change to the residual-stream-shaped activation at one hook ([batch, seq, d_model]), applied
 * during the forward pass before the activation is recorded and before later layers read it.
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
 */
public record Intervention(String hook, Kind kind, float[] vector, double alpha, int fromPosition) {
    public enum Kind { ADD, PROJECT_OUT, REPLACE }

    public Intervention {
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

    /** Applies this change to {@code x} [batch, seq, width] covering positions offset … offset + seq − 1. */
    NDArray apply(NDArray x, Pass pass) {
        Shape s = x.getShape();
        if (s.dimension() != 3) {
            throw new InputException("intervention at " + hook + ": the hook's activation has shape " + s
                    + ", interventions need [batch, seq, d_model]");
        }
        int seq = (int) s.get(1);
        int width = (int) s.get(2);
        if (vector.length != width) {
            throw new InputException("intervention at " + hook + ": the direction has " + vector.length
                    + " components, the activation has width " + width);
        }
        float[] m = new float[seq];
        for (int i = 0; i < seq; i++) {
            m[i] = pass.offset + i >= fromPosition ? 1f : 0f;
        }
        NDArray mask = pass.create(m, new Shape(seq, 1)); // [seq, 1]: 1 where the change applies
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
                NDArray coef = x.matMul(u).mul(mask); // [batch, seq, 1]: x·v̂ where the change applies
                yield x.sub(coef.matMul(u.transpose())); // [batch, seq, width]
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
                && alpha == i.alpha && fromPosition == i.fromPosition;
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
        return kind.name().toLowerCase() + "@" + hook + (kind == Kind.ADD ? " α=" + alpha : "") + (fromPosition > 0 ? " from " + fromPosition : "")
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
