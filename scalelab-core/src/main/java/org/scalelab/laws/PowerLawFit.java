package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.scalelab.Provenance;

/**
 * Single-variable saturating power law y = E + A·x^(−α), x being parameters N, tokens D or compute C
 * (Hoffmann et al. 2022 eq. 2 restricted to one variable; Kaplan et al. 2020 eqs. 1.1–1.3 are the
 * special case E = 0, written there as y = (x_c / x)^α).
 *
 * <p>Fitted in log space — residual log y − log(E + A·x^(−α)) — because losses of runs that differ by
 * orders of magnitude in scale should count by their relative, not absolute, error (Hoffmann et al.
 * fit log L the same way). E = exp(e) and A = exp(a) keep both positive; x is divided by its geometric
 * mean so that A stays of order y whatever the units of x. The Kaplan form (E = 0) is a straight line
 * in log–log and is solved exactly by ordinary least squares.
 */
public final class PowerLawFit {
    private PowerLawFit() {}

    /**
     * @param offset     fit the irreducible term E (false: Kaplan's pure power law, E = 0)
     * @param bootstrap  number of pairs-bootstrap replicates for standard errors and intervals (0: none)
     * @param seed       bootstrap seed
     * @param backtest   hold out the largest-x points, fit the rest, report the extrapolation error
     * @param forecastX  x values at which to predict y (with a bootstrap interval)
     */
    public record Options(boolean offset, int bootstrap, long seed, boolean backtest, List<Double> forecastX) {
        public Options {
            forecastX = List.copyOf(forecastX);
        }

        public static Options defaults() {
            return new Options(true, 200, 0L, true, List.of());
        }

        public Options withOffset(boolean v) {
            return new Options(v, bootstrap, seed, backtest, forecastX);
        }

        public Options withBootstrap(int n, long s) {
            return new Options(offset, n, s, backtest, forecastX);
        }

        public Options withBacktest(boolean v) {
            return new Options(offset, bootstrap, seed, v, forecastX);
        }

        public Options withForecastX(List<Double> xs) {
            return new Options(offset, bootstrap, seed, backtest, xs);
        }

        CurveFitter.Options fitting() {
            return new CurveFitter.Options(bootstrap, seed, backtest, forecastX);
        }
    }

    /** Fits the law to columns x and y of a table (all > 0); provenance names the table. */
    public static CurveFitResult analyze(CurveData data, Options options) {
        return CurveFitter.analyze("fit power", new Law(options.offset()), data, options.fitting());
    }

    public static CurveFitResult fit(double[] x, double[] y, Options options, Provenance provenance) {
        return CurveFitter.fit(new Law(options.offset()), x, y, options.fitting(), provenance);
    }

    /**
     * The law: natural parameters E, A, alpha (A in the units of the input x, i.e. y = E + A·x^(−α)); the
     * Kaplan form holds E at 0 and adds x_c = A^(1/α) so that y = (x_c/x)^α. Fitted on log y.
     */
    static final class Law implements CurveLaw {
        private final boolean offset;

        Law(boolean offset) {
            this.offset = offset;
        }

        @Override
        public String name() {
            return "power";
        }

        @Override
        public String form() {
            return offset ? "E + A*x^-alpha" : "A*x^-alpha";
        }

        @Override
        public List<String> parameterNames() {
            return List.of("E", "A", "alpha");
        }

        @Override
        public int freeParameters() {
            return offset ? 3 : 2;
        }

        @Override
        public boolean logResiduals() {
            return true;
        }

        @Override
        public double value(double[] p, double x) {
            return PowerLawFit.value(p[0], p[1], p[2], x);
        }

        @Override
        public double[] estimate(double[] x, double[] y, double[] warm) {
            return fitCore(x, y, offset, warm);
        }

        @Override
        public boolean fixed(int parameter) {
            return parameter == 0 && !offset; // in the Kaplan form E is fixed at 0, not estimated
        }

        @Override
        public List<Derived> derived() {
            // Kaplan's x_c: y = (x_c / x)^α  ⇔  A = x_c^α.
            return offset ? List.of() : List.of(new Derived("x_c", p -> Math.pow(p[1], 1 / p[2])));
        }

        @Override
        public Verdict judge(double[] p, double[] x, double[] y) {
            double minY = Arrays.stream(y).min().orElseThrow();
            if (!(p[2] > 0)) {
                return new Verdict(FitStatus.DEGENERATE, "alpha = " + p[2] + " hit its bound 0: y does not decrease "
                        + "with x, so a decaying power law does not describe these data", List.of());
            }
            if (offset && p[0] < 1e-3 * minY) {
                return new Verdict(FitStatus.DEGENERATE, "E = " + p[0] + " hit its bound 0 (under 0.1 % of the "
                        + "smallest y): the data show no irreducible term; refit without the offset (Kaplan form)",
                        List.of());
            }
            return Verdict.CONVERGED;
        }

        @Override
        public Map<String, Object> options() {
            return Map.of("offset", offset);
        }
    }

    /** y = E + A·x^(−α) (used for bootstrap bands in reports). */
    public static double value(double e, double a, double alpha, double x) {
        return e + a * Math.pow(x, -alpha);
    }

    /**
     * Least-squares estimate {E, A, α} in the input's units, or null when no start converged.
     * {@code warmStart} (same units, may be null) is tried before the generic grid.
     */
    static double[] fitCore(double[] x, double[] y, boolean offset, double[] warmStart) {
        int n = x.length;
        double x0 = CurveFit.geometricMean(x);
        double[] lu = new double[n];
        double[] ly = new double[n];
        for (int i = 0; i < n; i++) {
            lu[i] = Math.log(x[i] / x0);
            ly[i] = Math.log(y[i]);
        }
        if (!offset) {
            // log y = log A' − α·log u: ordinary least squares is the exact minimiser.
            double mu = Arrays.stream(lu).average().orElseThrow();
            double my = Arrays.stream(ly).average().orElseThrow();
            double sxy = 0;
            double sxx = 0;
            for (int i = 0; i < n; i++) {
                sxy += (lu[i] - mu) * (ly[i] - my);
                sxx += (lu[i] - mu) * (lu[i] - mu);
            }
            if (sxx == 0) {
                return null;
            }
            double alpha = -sxy / sxx;
            double logA0 = my + alpha * mu; // intercept at u = 1
            return new double[] {0.0, Math.exp(logA0 + alpha * Math.log(x0)), alpha};
        }
        // θ = (log E, log A', α) with y = E + A'·u^(−α), u = x / x0, A = A'·x0^α.
        CurveFit.Residuals res = residuals(lu, ly);
        CurveFit.Jacobian jac = jacobian(lu);
        double minY = Arrays.stream(y).min().orElseThrow();
        double gmY = Math.exp(Arrays.stream(ly).average().orElseThrow());
        double[] warm = warmStart != null && warmStart[0] > 0 && warmStart[1] > 0
                ? new double[] {Math.log(warmStart[0]), Math.log(warmStart[1] * Math.pow(x0, -warmStart[2])), warmStart[2]}
                : null;
        CurveFit.Optimum o = CurveFit.fromStarts(res, jac, n, warm, () -> {
            List<double[]> starts = new ArrayList<>();
            for (double ef : new double[] {1e-3, 0.5, 0.9, 0.99}) {
                for (double al : new double[] {0.05, 0.2, 0.5, 1.0}) {
                    double eStart = ef * minY;
                    starts.add(new double[] {Math.log(eStart), Math.log(Math.max(gmY - eStart, 1e-3 * gmY)), al});
                }
            }
            return starts;
        }, true);
        if (!o.converged()) {
            return null;
        }
        double[] t = o.theta();
        return new double[] {Math.exp(t[0]), Math.exp(t[1]) * Math.pow(x0, t[2]), t[2]};
    }

    /** Residuals ln y − ln(E + A'·e^(−α·lu)) in θ = (ln E, ln A', α). */
    static CurveFit.Residuals residuals(double[] lu, double[] ly) {
        return (t, out) -> {
            double ee = Math.exp(t[0]);
            double aa = Math.exp(t[1]);
            for (int i = 0; i < lu.length; i++) {
                out[i] = ly[i] - Math.log(ee + aa * Math.exp(-t[2] * lu[i]));
            }
        };
    }

    /** ∂r/∂ln E = −E/ŷ, ∂r/∂ln A' = −A'e^(−α·lu)/ŷ, ∂r/∂α = lu·A'e^(−α·lu)/ŷ. */
    static CurveFit.Jacobian jacobian(double[] lu) {
        return (t, out) -> {
            double ee = Math.exp(t[0]);
            double aa = Math.exp(t[1]);
            for (int i = 0; i < lu.length; i++) {
                double term = aa * Math.exp(-t[2] * lu[i]);
                double pred = ee + term;
                out[i][0] = -ee / pred;
                out[i][1] = -term / pred;
                out[i][2] = lu[i] * term / pred;
            }
        };
    }
}
