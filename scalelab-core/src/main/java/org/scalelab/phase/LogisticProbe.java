package org.scalelab.phase;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.Blas;
import org.scalelab.laws.Lbfgs;

/**
 * A linear probe: L2-regularised logistic regression with an intercept, minimising the objective of
 * scikit-learn's {@code LogisticRegression(C=c)} (its user guide, "Logistic regression", the L2 case):
 * ½‖w‖² + C·Σᵢ log(1 + exp(−yᵢ(w·xᵢ + b))), yᵢ ∈ {−1, +1}, the intercept b unpenalised.
 *
 * <p>The minimiser is approached by L-BFGS ({@link Lbfgs}) in centred and scaled coordinates
 * zⱼ = (xⱼ − μⱼ)/sⱼ (column mean and standard deviation) with the penalty rewritten for them,
 * ½Σⱼ (vⱼ/sⱼ)²: an exact change of variables (w = v/s, b = b′ − w·μ), so the solution is the same,
 * but the problem is far better conditioned than raw residual-stream columns, whose scales differ by
 * orders of magnitude. The returned weights are in the input's coordinates. The objective is divided
 * by C·n so that its size, and the gradient tolerance, do not depend on C or on the number of rows.
 * L-BFGS alone stalls short of the minimum when the columns outnumber the rows or are nearly collinear
 * (the loss is flat along those directions and only the weak penalty curves them), so L-BFGS stops at a
 * loose gradient and Newton steps finish the job (the Hessian from one Gram product and a Cholesky
 * factor, through OpenBLAS): from L-BFGS's point they converge in one to three steps.
 */
public final class LogisticProbe {
    /** L-BFGS stops when the largest gradient component of the (C·n)-scaled objective is below this; Newton takes it from there. */
    private static final double GRADIENT_TOLERANCE = 1e-6;
    private static final Lbfgs.Options SOLVER = new Lbfgs.Options(10, 1e-15, GRADIENT_TOLERANCE, 20000, 40000, 20, 1e-4, 0.9);
    /** Newton stops when the decrement gᵀH⁻¹g of the scaled objective is below this. */
    private static final double NEWTON_DECREMENT = 1e-20;
    /** At most this many Hessians are built. */
    private static final int NEWTON_STEPS = 20;
    private static final int STEPS_PER_HESSIAN = 4;

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
        double[] theta = newton(z, sign, penalty, n, d, r.x());
        double[] w = new double[d];
        double b = theta[d];
        for (int j = 0; j < d; j++) {
            w[j] = theta[j] / scale[j];
            b -= w[j] * mean[j];
        }
        return new LogisticProbe(w, b);
    }

    /**
     * Damped Newton from θ: step H⁻¹g with H = (1/n)Σ σᵢ(1 − σᵢ)(zᵢ, 1)(zᵢ, 1)ᵀ + diag(p, 0), halved
     * until the objective decreases enough (Boyd &amp; Vandenberghe 2004, Alg. 9.5, backtracking). The
     * data part of H is a float32 Gram product (ssyrk): an inexact Hessian only slows Newton slightly,
     * the gradient stays exact in double, so the minimiser is the same. Each factorised H serves up to
     * {@value #STEPS_PER_HESSIAN} steps (the chord method) before it is rebuilt: near the minimum H
     * hardly changes, and the decrement gᵀH⁻¹g of the next step is then nearly free to check.
     */
    private static double[] newton(double[] z, double[] sign, double[] penalty, int n, int d, double[] start) {
        int k = d + 1;
        double[] theta = start.clone();
        double[] grad = new double[k];
        double[] trialGrad = new double[k];
        double[] trial = new double[k];
        double f = value(z, sign, penalty, n, d, theta, grad);
        FloatBuffer rows = Blas.floats((long) n * k);
        FloatBuffer gram = Blas.floats((long) k * k);
        DoubleBuffer hessian = Blas.doubles((long) k * k);
        DoubleBuffer step = Blas.doubles(k);
        for (int build = 0; build < NEWTON_STEPS; build++) {
            for (int i = 0; i < n; i++) {
                int base = i * d;
                double m = theta[d];
                for (int j = 0; j < d; j++) {
                    m += z[base + j] * theta[j];
                }
                double p = 1 / (1 + Math.exp(-m));
                double root = Math.sqrt(p * (1 - p) / n);
                int at = i * k;
                for (int j = 0; j < d; j++) {
                    rows.put(at + j, (float) (root * z[base + j]));
                }
                rows.put(at + d, (float) root);
            }
            Blas.gramUpper(rows, n, k, gram, false);
            for (int r = 0; r < k; r++) {
                for (int c = r; c < k; c++) {
                    hessian.put(r * k + c, gram.get(r * k + c));
                }
            }
            for (int j = 0; j < d; j++) {
                hessian.put(j * k + j, hessian.get(j * k + j) + penalty[j]);
            }
            for (int j = 0; j < k; j++) {
                step.put(j, grad[j]);
            }
            if (!Blas.solvePositiveDefinite(hessian, k, step)) {
                return theta; // not positive definite in floating point: keep the point reached
            }
            for (int s = 0; s < STEPS_PER_HESSIAN; s++) {
                if (s > 0) {
                    for (int j = 0; j < k; j++) {
                        step.put(j, grad[j]);
                    }
                    Blas.solveWithFactor(hessian, k, step);
                }
                double decrement = 0;
                for (int j = 0; j < k; j++) {
                    decrement += grad[j] * step.get(j);
                }
                if (!(decrement > NEWTON_DECREMENT)) {
                    return theta;
                }
                double t = 1;
                double ft = Double.NaN;
                for (int halving = 0; halving < 20; halving++, t /= 2) {
                    for (int j = 0; j < k; j++) {
                        trial[j] = theta[j] - t * step.get(j);
                    }
                    ft = value(z, sign, penalty, n, d, trial, trialGrad);
                    if (ft <= f - 1e-4 * t * decrement) {
                        break;
                    }
                }
                if (!(ft < f)) {
                    return theta; // no decrease left that floating point can see
                }
                System.arraycopy(trial, 0, theta, 0, k);
                f = ft;
                System.arraycopy(trialGrad, 0, grad, 0, k);
            }
        }
        return theta;
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
