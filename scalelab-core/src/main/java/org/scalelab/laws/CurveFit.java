package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresProblem;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.util.Pair;
import org.scalelab.stats.Bootstrap;

/**
 * Multi-start nonlinear least squares for the single-variable laws: Hipparchus' Levenberg–Marquardt
 * (Moré 1978, MINPACK's lmder) on a residual vector, with a central-difference Jacobian. Curve fits of
 * scaling laws have many local minima (an offset E trades off against a small exponent), so every
 * fit is started from a grid of points and the lowest residual sum of squares wins, as in
 * Hoffmann et al. 2022 (App. D.2) and Caballero et al. 2022 (Sec. 3).
 */
final class CurveFit {
    private CurveFit() {}

    /** Residuals r(θ) written into {@code out}; non-finite entries mark θ as outside the model's domain. */
    @FunctionalInterface
    interface Residuals {
        void eval(double[] theta, double[] out);
    }

    /** Analytic Jacobian ∂r_i/∂θ_j written into {@code jac[i][j]}. */
    @FunctionalInterface
    interface Jacobian {
        void eval(double[] theta, double[][] jac);
    }

    /** Best point found, its residual sum of squares, and whether LM stopped on its own tolerances. */
    record Optimum(double[] theta, double rss, boolean converged, int iterations, String failure) {
        static Optimum failed(int p, String why) {
            double[] nan = new double[p];
            Arrays.fill(nan, Double.NaN);
            return new Optimum(nan, Double.NaN, false, 0, why);
        }
    }

    static final int MAX_ITERATIONS = 2000;

    /**
     * Relative cost and parameter tolerances: MINPACK's and scipy.optimize.curve_fit's defaults
     * (ftol = xtol = 1.49012e-8, the square root of machine epsilon). Hipparchus' 1e-10 makes LM crawl
     * for hundreds of iterations along directions the data do not identify (a break beyond the data,
     * an offset → 0) without changing the fit.
     */
    static final double TOLERANCE = 1.49012e-8;

    /** One LM run from {@code start}; never throws: failure is reported in the optimum. */
    static Optimum minimize(Residuals f, int m, double[] start) {
        return minimize(f, null, m, start);
    }

    /** As {@link #minimize(Residuals, int, double[])} with an analytic Jacobian (null: central differences). */
    static Optimum minimize(Residuals f, Jacobian jacobian, int m, double[] start) {
        return minimize(f, jacobian, m, start, MAX_ITERATIONS);
    }

    /**
     * One LM run with an iteration budget. Stopping on the budget is not convergence, but the point
     * reached is still returned (converged = false, failure says so) so that a multi-start can resume
     * the most promising runs.
     */
    static Optimum minimize(Residuals f, Jacobian jacobian, int m, double[] start, int budget) {
        int p = start.length;
        double[] r0 = new double[m];
        f.eval(start, r0);
        if (!allFinite(r0)) {
            return Optimum.failed(p, "start outside the model's domain");
        }
        // A step into a region where the model is undefined (log of a negative prediction) gets a huge
        // but finite residual, so LM rejects the step and shrinks its trust region instead of failing.
        Function<double[], double[]> safe = theta -> {
            double[] r = new double[m];
            f.eval(theta, r);
            for (int i = 0; i < m; i++) {
                if (!Double.isFinite(r[i])) {
                    r[i] = 1e6;
                }
            }
            return r;
        };
        boolean[] outOfBudget = {false};
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .model(point -> jacobian == null ? valueAndJacobian(safe, point.toArray(), m)
                        : analytic(safe, jacobian, point.toArray(), m))
                .target(new double[m])
                .start(start)
                .maxEvaluations(Integer.MAX_VALUE)
                .maxIterations(Integer.MAX_VALUE)
                // LM tests its own tolerances every iteration; this checker only ends the run on the budget.
                .checker((iteration, previous, current) -> {
                    outOfBudget[0] = iteration >= budget;
                    return outOfBudget[0];
                })
                .lazyEvaluation(false)
                .build();
        try {
            LeastSquaresOptimizer.Optimum o = new LevenbergMarquardtOptimizer()
                    .withCostRelativeTolerance(TOLERANCE)
                    .withParameterRelativeTolerance(TOLERANCE)
                    .optimize(problem);
            double[] theta = o.getPoint().toArray();
            double[] r = new double[m];
            f.eval(theta, r);
            if (!allFinite(r) || !allFinite(theta)) {
                return Optimum.failed(p, "optimiser ended outside the model's domain");
            }
            return new Optimum(theta, sumSquares(r), !outOfBudget[0], o.getIterations(),
                    outOfBudget[0] ? "Levenberg–Marquardt did not converge within " + budget + " iterations" : null);
        } catch (MathRuntimeException e) {
            return Optimum.failed(p, "Levenberg–Marquardt failed: " + e.getMessage());
        }
    }

    /** Iterations every start gets before the most promising unfinished runs are resumed. */
    static final int FIRST_BUDGET = 100;

    /** Unfinished runs resumed (with the full budget) after the first round. */
    static final int RESUMED = 3;

    /** As {@link #multiStart(Residuals, Jacobian, int, List)} with a central-difference Jacobian. */
    static Optimum multiStart(Residuals f, int m, List<double[]> starts) {
        return multiStart(f, null, m, starts);
    }

    /**
     * Runs LM from every start with a short budget of {@value #FIRST_BUDGET} iterations, then resumes the
     * {@value #RESUMED} lowest-cost runs that had not converged, with the full {@value #MAX_ITERATIONS}.
     * The converged run with the smallest RSS wins. Most starts settle within a few dozen iterations; the
     * few that walk a long valley (a sharp break, an offset trading off against the exponent) get the time
     * without every hopeless start getting it too.
     */
    static Optimum multiStart(Residuals f, Jacobian jacobian, int m, List<double[]> starts) {
        Optimum best = null;
        String lastFailure = "no start point";
        List<Optimum> unfinished = new ArrayList<>();
        for (double[] s : starts) {
            Optimum o = minimize(f, jacobian, m, s, FIRST_BUDGET);
            if (o.converged()) {
                best = better(best, o);
            } else if (Double.isFinite(o.rss())) {
                unfinished.add(o);
            } else {
                lastFailure = o.failure();
            }
        }
        unfinished.sort(java.util.Comparator.comparingDouble(Optimum::rss));
        for (Optimum u : unfinished.subList(0, Math.min(RESUMED, unfinished.size()))) {
            if (best != null && u.rss() >= best.rss()) {
                continue; // LM never increases the cost, so this run cannot overtake the best converged one
            }
            Optimum o = minimize(f, jacobian, m, u.theta(), MAX_ITERATIONS);
            if (o.converged()) {
                best = better(best, o);
            } else {
                lastFailure = o.failure();
            }
        }
        return best != null ? best : Optimum.failed(starts.isEmpty() ? 0 : starts.get(0).length, lastFailure);
    }

    /**
     * LM from a law's starts: from {@code warm} alone when there is one (a bootstrap refit starts at the
     * full-data optimum), falling back to the grid when that run does not converge and
     * {@code gridAfterWarm}; from every start of {@code grid} when there is no warm start.
     */
    static Optimum fromStarts(Residuals f, Jacobian jacobian, int m, double[] warm,
                              java.util.function.Supplier<List<double[]>> grid, boolean gridAfterWarm) {
        if (warm == null) {
            return multiStart(f, jacobian, m, grid.get());
        }
        Optimum o = multiStart(f, jacobian, m, List.of(warm));
        if (!o.converged()) {
            o = gridAfterWarm ? multiStart(f, jacobian, m, grid.get()) : Optimum.failed(0, "no start point");
        }
        return o;
    }

    private static Optimum better(Optimum a, Optimum b) {
        return a == null || b.rss() < a.rss() ? b : a;
    }

    // Central differences: h scales with |θ_j| so log-parametrised and raw parameters both get ~8 digits.
    private static Pair<RealVector, org.hipparchus.linear.RealMatrix> valueAndJacobian(
            Function<double[], double[]> f, double[] theta, int m) {
        double[] r = f.apply(theta);
        double[][] jac = new double[m][theta.length];
        double[] t = theta.clone();
        for (int j = 0; j < theta.length; j++) {
            double h = 1e-6 * Math.max(1.0, Math.abs(theta[j]));
            t[j] = theta[j] + h;
            double[] up = f.apply(t);
            t[j] = theta[j] - h;
            double[] down = f.apply(t);
            t[j] = theta[j];
            for (int i = 0; i < m; i++) {
                jac[i][j] = (up[i] - down[i]) / (2 * h);
            }
        }
        return new Pair<>(new ArrayRealVector(r, false), new Array2DRowRealMatrix(jac, false));
    }

    private static Pair<RealVector, org.hipparchus.linear.RealMatrix> analytic(
            Function<double[], double[]> f, Jacobian jacobian, double[] theta, int m) {
        double[][] jac = new double[m][theta.length];
        jacobian.eval(theta, jac);
        for (double[] row : jac) {
            for (int j = 0; j < row.length; j++) {
                if (!Double.isFinite(row[j])) {
                    row[j] = 0;
                }
            }
        }
        return new Pair<>(new ArrayRealVector(f.apply(theta), false), new Array2DRowRealMatrix(jac, false));
    }

    /**
     * Box bounds by projection: the model sees θ clipped to [lo, hi] and the Jacobian column of a clipped
     * coordinate is 0, so LM stops moving along a direction the data cannot identify (a break location
     * far beyond the data, an offset → 0) instead of crawling towards infinity. Callers clip the final θ
     * with {@link #clip} and report parameters that sit on a bound.
     */
    static Residuals bounded(Residuals f, double[] lo, double[] hi) {
        return (t, out) -> f.eval(clip(t, lo, hi), out);
    }

    static Jacobian bounded(Jacobian j, double[] lo, double[] hi) {
        return (t, jac) -> {
            j.eval(clip(t, lo, hi), jac);
            for (int c = 0; c < t.length; c++) {
                if (t[c] < lo[c] || t[c] > hi[c]) {
                    for (double[] row : jac) {
                        row[c] = 0;
                    }
                }
            }
        };
    }

    static double[] clip(double[] t, double[] lo, double[] hi) {
        double[] c = t.clone();
        for (int j = 0; j < c.length; j++) {
            c[j] = Math.max(lo[j], Math.min(hi[j], c[j]));
        }
        return c;
    }

    static boolean allFinite(double[] v) {
        for (double d : v) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }

    static double sumSquares(double[] r) {
        double s = 0;
        for (double v : r) {
            s += v * v;
        }
        return s;
    }

    /**
     * Why (x, y) cannot be fitted by a law with {@code nParams} parameters, or null when it can:
     * lengths differ, a value is non-finite or (for log-space laws) not positive, too few points,
     * too few distinct x, or y is constant.
     */
    static String degenerateReason(double[] x, double[] y, int nParams, boolean positiveY) {
        if (x.length != y.length) {
            return "x has " + x.length + " values but y has " + y.length;
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                return "point " + (i + 1) + " is not finite (x=" + x[i] + ", y=" + y[i] + ")";
            }
            if (!(x[i] > 0)) {
                return "point " + (i + 1) + " has x=" + x[i] + "; x must be > 0 (laws are fitted in log x)";
            }
            if (positiveY && !(y[i] > 0)) {
                return "point " + (i + 1) + " has y=" + y[i] + "; y must be > 0 (this law is fitted in log y)";
            }
        }
        if (x.length < nParams + 1) {
            return x.length + " points for " + nParams + " parameters; need at least " + (nParams + 1);
        }
        if (Arrays.stream(x).distinct().count() < Math.min(nParams, 3)) {
            return "only " + Arrays.stream(x).distinct().count() + " distinct x values";
        }
        double min = Arrays.stream(y).min().orElse(0);
        double max = Arrays.stream(y).max().orElse(0);
        if (max - min <= 1e-12 * Math.max(Math.abs(max), Math.abs(min))) {
            return "y is constant (" + max + "): there is no trend to fit";
        }
        return null;
    }

    /** Geometric mean of positive values: the scale x is divided by so exponents of 1e20 stay conditioned. */
    static double geometricMean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += Math.log(v);
        }
        return Math.exp(s / x.length);
    }

    /** Pairs-bootstrap replicates: row {@code b} holds {@code refit(indices of replicate b)} (NaNs when it failed). */
    static double[][] replicates(int n, int count, long seed, int width, Function<int[], double[]> refit) {
        double[][] out = new double[count][];
        // Replicates are independent and each draws its own indices from (seed, b), so running them on
        // all cores gives the same numbers in the same slots as a serial loop.
        try (org.scalelab.Progress.Task progress = org.scalelab.Progress.start("fit: bootstrap refits", count)) {
            java.util.stream.IntStream.range(0, count).parallel().forEach(b -> {
                double[] v = refit.apply(Bootstrap.resample(n, seed, b));
                if (v == null) {
                    v = new double[width];
                    Arrays.fill(v, Double.NaN);
                }
                out[b] = v;
                progress.step();
            });
        }
        return out;
    }

    /** Column {@code j} of the replicate matrix. */
    static double[] column(double[][] reps, int j) {
        double[] c = new double[reps.length];
        for (int b = 0; b < reps.length; b++) {
            c[b] = reps[b][j];
        }
        return c;
    }

    static int countFinite(double[][] reps) {
        int k = 0;
        for (double[] r : reps) {
            if (allFinite(r)) {
                k++;
            }
        }
        return k;
    }
}
