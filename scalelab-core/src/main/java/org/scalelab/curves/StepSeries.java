package org.scalelab.curves;

import java.util.Arrays;
import org.scalelab.InputException;

/**
 * One logged curve: a metric of a run at strictly increasing steps.
 *
 * @param name   what the curve is (e.g. {@code run · metric}), for messages and legends
 * @param steps  training steps, strictly increasing
 * @param values the metric at each step; NaN where nothing finite was logged
 */
public record StepSeries(String name, long[] steps, double[] values) {
    public StepSeries {
        if (steps.length != values.length) {
            throw new InputException(name + ": " + steps.length + " steps but " + values.length + " values");
        }
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] <= steps[i - 1]) {
                throw new InputException(name + ": steps must increase, got " + steps[i] + " after " + steps[i - 1] + " at point " + i);
            }
        }
    }

    public int size() {
        return steps.length;
    }

    /** The points at {@code indices} (increasing), as a new series of the same name. */
    public StepSeries select(int[] indices) {
        long[] s = new long[indices.length];
        double[] v = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            s[i] = steps[indices[i]];
            v[i] = values[indices[i]];
        }
        return new StepSeries(name, s, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepSeries c && name.equals(c.name) && Arrays.equals(steps, c.steps) && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(steps);
    }

    @Override
    public String toString() {
        return "StepSeries(" + name + ", " + steps.length + " points)";
    }
}
