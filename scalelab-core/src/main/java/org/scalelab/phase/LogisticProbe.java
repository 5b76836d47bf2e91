package org.scalelab.phase;

/**
 * A linear probe: L2-regularised logistic regression with an intercept, minimising the objective of
 * scikit-learn's {@code LogisticRegression(C=c)}: ½‖w‖² + C·Σᵢ log(1 + exp(−yᵢ(w·xᵢ + b))), yᵢ ∈ {−1, +1},
 * the intercept b unpenalised.
 */
public final class LogisticProbe {
    private final double[] weights;
    private final double bias;

    private LogisticProbe(double[] weights, double bias) {
        this.weights = weights;
        this.bias = bias;
    }

    /** Fits the probe to rows {@code x} with classes {@code y} (true = positive) and inverse regularisation {@code c}. */
    public static LogisticProbe fit(double[][] x, boolean[] y, double c) {
        throw new UnsupportedOperationException("not yet");
    }

    /** w, in the input's coordinates. */
    public double[] weights() {
        return weights.clone();
    }

    /** b. */
    public double bias() {
        return bias;
    }

    /** w·x + b; positive means the positive class. */
    public double decision(double[] x) {
        double s = bias;
        for (int j = 0; j < weights.length; j++) {
            s += weights[j] * x[j];
        }
        return s;
    }

    public boolean predict(double[] x) {
        return decision(x) > 0;
    }

    /** The fraction of rows whose predicted class is {@code y}'s. */
    public double accuracy(double[][] x, boolean[] y) {
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            if (predict(x[i]) == y[i]) {
                right++;
            }
        }
        return x.length == 0 ? Double.NaN : (double) right / x.length;
    }
}
