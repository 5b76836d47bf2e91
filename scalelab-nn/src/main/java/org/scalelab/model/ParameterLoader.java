package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scalelab.InputException;

/**
 * Loads named checkpoint tensors into the model's parameter manager, checking each shape against
 * what config.json implies, so a mismatched checkpoint fails at load with the weight's name
 * instead of deep inside a matmul.
 *
 * <p>In trainable mode every tensor is an F32 copy owned by the engine (never the read-only
 * memory-mapped file that F32 weights otherwise alias) with {@code requires_grad} set the moment it
 * exists, before any block derives a transposed view from it, so those views stay in the autograd
 * graph; the loader remembers each leaf by its checkpoint name for the optimiser and for saving.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager params;
    private final boolean trainable;
    private final ComputeDType dtype;
    private final Map<String, NDArray> leaves = new LinkedHashMap<>();
    private String firstNonFinite;

    ParameterLoader(Weights weights, NDManager params) {
        this(weights, params, false);
    }

    ParameterLoader(Weights weights, NDManager params, boolean trainable) {
        this(weights, params, trainable, ComputeDType.FLOAT32);
    }

    /** Inference in {@code dtype}: each tensor is converted once, here (a float32 one stays the memory-mapped alias). */
    ParameterLoader(Weights weights, NDManager params, boolean trainable, ComputeDType dtype) {
        this.weights = weights;
        this.params = params;
        this.trainable = trainable;
        this.dtype = dtype;
    }

    /** Trainable mode: the leaf tensors handed out so far, by checkpoint name, in load order. */
    Map<String, NDArray> leaves() {
        return Collections.unmodifiableMap(leaves);
    }

    /** The first weight loaded that holds a NaN or an infinity, or null when all are finite. */
    String firstNonFinite() {
        return firstNonFinite;
    }

    boolean contains(String name) {
        return weights.contains(name);
    }

    /**
     * Whether every value is finite, from two reductions and no temporary the size of the weight:
     * torch's max and min propagate NaN, and an infinity is the max or the min. (Element-wise masks
     * — isNaN, isInfinite through a full-size abs(), their or — cost one to five bytes per parameter
     * at load, which glibc keeps in its arenas after they are freed: about 1 GB at 1 B parameters.)
     */
    private static boolean finite(NDArray a) {
        if (a.size() == 0) {
            return true;
        }
        try (NDArray max = a.max(); NDArray min = a.min();
             NDArray hi = max.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
             NDArray lo = min.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
            return Float.isFinite(hi.getFloat()) && Float.isFinite(lo.getFloat());
        }
    }

    NDArray get(String name, long... expectedShape) {
        if (!weights.contains(name)) {
            throw new InputException(weights.dir() + ": checkpoint has no weight '" + name + "' (required by config.json)");
        }
        long[] shape = weights.info(name).shape();
        if (!Arrays.equals(shape, expectedShape)) {
            throw new InputException(weights.dir() + ": weight '" + name + "' has shape " + Arrays.toString(shape)
                    + " but config.json implies " + Arrays.toString(expectedShape));
        }
        NDArray loaded = weights.load(params, name);
        if (firstNonFinite == null && !finite(loaded)) {
            firstNonFinite = name;
        }
        if (!trainable) {
            NDArray converted = dtype.convert(loaded);
            if (converted != loaded) {
                loaded.close();
            }
            return converted;
        }
        NDArray existing = leaves.get(name);
        if (existing != null) {
            loaded.close();
            return existing;
        }
        NDArray copy = loaded.duplicate();
        loaded.close();
        copy.setRequiresGradient(true);
        leaves.put(name, copy);
        return copy;
    }
}
