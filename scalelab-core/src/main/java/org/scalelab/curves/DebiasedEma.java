package org.scalelab.curves;

import org.scalelab.InputException;

/**
 * Exponential moving average with bias correction, as TensorBoard smooths scalars: the average starts
 * at zero, m_t = w·m_{t−1} + (1 − w)·x_t, and is divided by 1 − w^t, so the first points are not
 * pulled towards zero (the same correction as Adam's moment estimates, Kingma and Ba 2015, Algorithm 1).
 * t counts the finite values seen so far: a NaN (nothing finite logged) stays NaN in the output and
 * leaves the average as it was.
 */
public final class DebiasedEma {
    /** The largest weight accepted: beyond it a curve is flattened to almost nothing. */
    public static final double MAX_WEIGHT = 0.99;

    private DebiasedEma() {}

    /** {@code values} smoothed with weight {@code weight} in [0, 0.99]; 0 returns a copy unchanged. */
    public static double[] smooth(double[] values, double weight) {
        if (!(weight >= 0 && weight <= MAX_WEIGHT)) {
            throw new InputException("smooth: " + weight + " is outside [0, " + MAX_WEIGHT + "] (0 is off)");
        }
        double[] out = new double[values.length];
        double average = 0;
        double decay = 1; // w^t
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            if (!Double.isFinite(x)) {
                out[i] = x;
                continue;
            }
            average = weight * average + (1 - weight) * x;
            decay *= weight;
            out[i] = average / (1 - decay);
        }
        return out;
    }

    /** {@code series} smoothed with weight {@code weight}. */
    public static StepSeries smooth(StepSeries series, double weight) {
        return new StepSeries(series.name(), series.steps(), smooth(series.values(), weight));
    }
}
