package org.scalelab.phase;

import org.scalelab.ScaleLabException;
import org.scalelab.laws.Lbfgs;

/**
 * A linear probe: L2-regularised logistic regression with an intercept, minimising the objective of
 * scikit-learn's {@code LogisticRegression(C=c)} (its user guide, "Logistic regression", the L2 case):
 * ½‖w‖² + C·Σᵢ log(1 + exp(−yᵢ(w·xᵢ + b))), yᵢ ∈ {−1, +1}, the intercept b unpenalised.
 *
 * <p>The minimiser is found by L-BFGS ({@link Lbfgs}) in centred and scaled coordinates
 * zⱼ = (xⱼ − μⱼ)/sⱼ (column mean and standard deviation) with the penalty rewritten for them,
 * ½Σⱼ (vⱼ/sⱼ)²: an exact change of variables (w = v/s, b = b′ − w·μ), so the solution is the same,
 * but the problem is far better conditioned than raw residual-stream columns, whose scales differ by
 * orders of magnitude. The returned weights are in the input's coordinates. The objective is divided
 * by C·n so that its size, and the gradient tolerance, do not depend on C or on the number of rows.
 */
public final class LogisticProbe {
    /** Stop when the largest gradient component of the (C·n)-scaled objective is below this. */
    private static final double GRADIENT_TOLERANCE = 1e-10;
    private static final Lbfgs.Options SOLVER = new Lbfgs.Options(10, 1e-15, GRADIENT_TOLERANCE, 20000, 40000, 20, 1e-4, 0.9);

    private final double[] weights;
    private final double bias;

    private LogisticProbe(double[] weights, double bias) {
        this.weights = weights;
        this.bias = bias;
    }

    /** Fits the probe to rows {@code x} with classes {@code y} (true = positive) and inverse regularisation {@code c}. */
    public static LogisticProbe fit(double[][] x, boolean[] y, double c) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("need as many classes as rows, and at least one row");
        }
        if (!(c > 0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("C must be positive and finite, got " + c);
        }
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                double e = row[j] - mean[j];
                scale[j] += e * e;
            }
        }
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(scale[j] / n);
            scale[j] = s > 0 ? s : 1; // a constant column: its weight is pushed to 0 by the penalty alone
        }
        // z, row-major [n, d]: the rows in the solver's coordinates.
        double[] z = new double[n * d];
        double[] sign = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = x[i];
            int base = i * d;
            for (int j = 0; j < d; j++) {
                z[base + j] = (row[j] - mean[j]) / scale[j];
            }
            sign[i] = y[i] ? 1 : -1;
        }
        double[] penalty = new double[d]; // 1 / (s_j² · C · n)
        for (int j = 0; j < d; j++) {
            penalty[j] = 1 / (scale[j] * scale[j] * c * n);
        }
        Lbfgs.Objective objective = (theta, grad) -> value(z, sign, penalty, n, d, theta, grad);
        Lbfgs.Result r = new Lbfgs(d + 1, SOLVER).minimize(objective, new double[d + 1]);
        if (r.status() == Lbfgs.Status.NON_FINITE) {
            throw new ScaleLabException("the logistic probe's objective became non-finite; check the activations for extreme values");
        }
        double[] w = new double[d];
        double b = r.x()[d];
        for (int j = 0; j < d; j++) {
            w[j] = r.x()[j] / scale[j];
            b -= w[j] * mean[j];
        }
        return new LogisticProbe(w, b);
    }

    /**
     * The (C·n)-scaled objective at θ = (v, b′) and its gradient: (1/n)Σ log(1 + e^{−yᵢmᵢ}) + ½Σⱼ pⱼvⱼ²,
     * mᵢ = zᵢ·v + b′, pⱼ = 1/(sⱼ²·C·n). log(1 + e^{−t}) = max(0, −t) + log1p(e^{−|t|}) never overflows.
     */
    private static double value(double[] z, double[] sign, double[] penalty, int n, int d, double[] theta, double[] grad) {
        java.util.Arrays.fill(grad, 0);
        double loss = 0;
        double b = theta[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            double m = b;
            for (int j = 0; j < d; j++) {
                m += z[base + j] * theta[j];
            }
            double t = sign[i] * m;
            loss += Math.max(0, -t) + Math.log1p(Math.exp(-Math.abs(t)));
            // d/dm log(1 + e^{−ym}) = −y·σ(−ym)
            double sigma = t >= 0 ? Math.exp(-t) / (1 + Math.exp(-t)) : 1 / (1 + Math.exp(t));
            double r = -sign[i] * sigma / n;
            for (int j = 0; j < d; j++) {
                grad[j] += r * z[base + j];
            }
            grad[d] += r;
        }
        loss /= n;
        for (int j = 0; j < d; j++) {
            loss += 0.5 * penalty[j] * theta[j] * theta[j];
            grad[j] += penalty[j] * theta[j];
        }
        return loss;
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
