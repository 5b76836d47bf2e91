package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.ScaleLabException;
import org.scalelab.model.GradMode;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2) with
 * bias correction (Kingma &amp; Ba 2015, Algorithm 1) and global-norm gradient clipping (Pascanu et
 * al. 2013, Algorithm 2), written as PyTorch computes them so the two agree to float rounding:
 *
 * <pre>
 *   g ← g · min(1, c / (‖g‖₂ + 1e−6))             (‖g‖₂ over all parameters; torch clip_grad_norm_)
 *   θ ← θ · (1 − lr·λ)                             (decoupled decay, decayed parameters only)
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * The moments live in this object's own manager; every update runs with grad mode off (in-place
 * changes of leaves that require grad are refused otherwise) and frees its temporaries, and the
 * gradients are zeroed for the next backward pass (PyTorch accumulates them).
 */
public final class AdamW implements AutoCloseable {
    private final AdamWOptions options;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> mean = new LinkedHashMap<>();
    private final Map<String, NDArray> variance = new LinkedHashMap<>();
    private final NDManager state;
    private long updates;

    /** @param params the leaves to optimise, by name (e.g. {@code Transformer.trainableParameters()}) */
    public AdamW(Map<String, NDArray> params, AdamWOptions options) {
        if (params.isEmpty()) {
            throw new ScaleLabException("AdamW: no trainable parameters (load the model with Transformer.loadTrainable)");
        }
        this.options = options;
        this.params = params;
        NDArray first = params.values().iterator().next();
        this.state = first.getManager().getEngine().newBaseManager(first.getDevice());
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            mean.put(e.getKey(), state.zeros(e.getValue().getShape()));
            variance.put(e.getKey(), state.zeros(e.getValue().getShape()));
        }
    }

    public AdamWOptions options() {
        return options;
    }

    /** Updates done so far (t in the bias corrections). */
    public long updates() {
        return updates;
    }

    /**
     * Clips the gradients to global norm {@code clipNorm} (≤ 0: no clipping), applies one update
     * with learning rate {@code lr}, zeroes the gradients; returns the global gradient norm
     * before clipping.
     */
    public double step(double lr, double clipNorm) {
        try (GradMode off = GradMode.disabled(); NDManager scope = state.newSubManager()) {
            List<NDArray> grads = new java.util.ArrayList<>(params.size());
            NDArray squares = null;
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient(); // a new handle on p's .grad (or zeros if it had none)
                g.attach(scope);
                grads.add(g);
                NDArray s = g.square().sum();
                squares = squares == null ? s : squares.add(s);
            }
            double norm = Math.sqrt(squares.getFloat());
            if (!Double.isFinite(norm)) {
                throw new ScaleLabException("training diverged: the gradient norm is " + norm
                        + " at update " + (updates + 1) + " (lower the learning rate or clip gradients)");
            }
            if (clipNorm > 0) {
                double coef = clipNorm / (norm + 1e-6);
                if (coef < 1) {
                    for (NDArray g : grads) {
                        g.muli((float) coef);
                    }
                }
            }
            updates++;
            double bc1 = 1 - Math.pow(options.beta1(), updates);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(options.beta2(), updates));
            float stepSize = (float) (lr / bc1);
            int i = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = grads.get(i++);
                NDArray m = mean.get(e.getKey());
                NDArray v = variance.get(e.getKey());
                if (options.weightDecay() > 0 && options.decays(e.getKey(), p.getShape().dimension())) {
                    p.muli((float) (1 - lr * options.weightDecay()));
                }
                m.muli((float) options.beta1()).addi(g.mul((float) (1 - options.beta1())));
                v.muli((float) options.beta2()).addi(g.mul(g).muli((float) (1 - options.beta2())));
                // Results of operations on m and v would belong to the state manager: move them to the step's scope.
                NDArray denom = v.sqrt();
                denom.attach(scope);
                denom.divi((float) bc2Sqrt).addi((float) options.epsilon());
                NDArray change = m.div(denom);
                change.attach(scope);
                p.subi(change.muli(stepSize));
                g.muli(0f); // g shares storage with p's .grad: zero it for the next backward pass
            }
            return norm;
        }
    }

    /** First and second moments by parameter name (for checkpoints). */
    public Map<String, NDArray> firstMoments() {
        return java.util.Collections.unmodifiableMap(mean);
    }

    public Map<String, NDArray> secondMoments() {
        return java.util.Collections.unmodifiableMap(variance);
    }

    /** Restores moments and the update count saved by a checkpoint. */
    public void restore(Map<String, float[]> firstMoments, Map<String, float[]> secondMoments, long updateCount) {
        for (String name : params.keySet()) {
            replace(mean, name, firstMoments.get(name));
            replace(variance, name, secondMoments.get(name));
        }
        this.updates = updateCount;
    }

    /** Swaps in a fresh array (not NDArray.set, whose in-place copy makes libtorch print a deprecation warning). */
    private void replace(Map<String, NDArray> moments, String name, float[] values) {
        NDArray old = moments.get(name);
        if (values == null) {
            throw new ScaleLabException("optimizer state has no moments for parameter '" + name + "'");
        }
        if (values.length != old.size()) {
            throw new ScaleLabException("optimizer state for '" + name + "' has " + values.length + " values, the parameter has " + old.size());
        }
        moments.put(name, state.create(values, old.getShape()));
        old.close();
    }

    @Override
    public void close() {
        state.close();
    }
}
