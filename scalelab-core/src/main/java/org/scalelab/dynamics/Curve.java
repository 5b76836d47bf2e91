package org.scalelab.dynamics;

import java.util.Arrays;
import org.scalelab.InputException;

/**
 * One logged accuracy curve: one run (one seed), one evaluation set, accuracy at increasing steps.
 *
 * @param run    the run's name (for messages)
 * @param steps  optimiser steps, strictly increasing, all &gt; 0 (log-spaced in practice)
 * @param values accuracy in [0, 1] at each step
 */
public record Curve(String run, long[] steps, double[] values) {
    public Curve {
        if (steps.length != values.length) {
            throw new InputException(run + ": " + steps.length + " steps but " + values.length + " values");
        }
        if (steps.length == 0) {
            throw new InputException(run + ": the curve has no points");
        }
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] <= 0 || (i > 0 && steps[i] <= steps[i - 1])) {
                throw new InputException(run + ": steps must be positive and increasing, got " + steps[i] + " at point " + i);
            }
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new InputException(run + ": accuracy " + values[i] + " at step " + steps[i] + " is outside [0, 1]");
            }
        }
    }

    public int size() {
        return steps.length;
    }

    public double last() {
        return values[values.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Curve c && run.equals(c.run) && Arrays.equals(steps, c.steps) && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return run.hashCode() * 31 + Arrays.hashCode(steps);
    }

    @Override
    public String toString() {
        return "Curve(" + run + ", " + steps.length + " points)";
    }
}
