package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.scalelab.InputException;

/**
 * Loads named checkpoint tensors into the model's parameter manager, checking each shape against
 * what config.json implies, so a mismatched checkpoint fails at load with the weight's name
 * instead of deep inside a matmul.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager params;

    ParameterLoader(Weights weights, NDManager params) {
        this.weights = weights;
        this.params = params;
    }

    boolean contains(String name) {
        return weights.contains(name);
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
        return weights.load(params, name);
    }
}
