package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.BootstrapSummary;
import org.scalelab.stats.Quantiles;
import org.scalelab.store.NumericTable;

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

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("offset", offset);
            m.put("bootstrap", bootstrap);
            m.put("seed", seed);
            m.put("backtest", backtest);
            m.put("forecast_x", forecastX);
            return m;
        }
    }

    /**
     * Parameters are E, A, alpha (A in the units of the input x, i.e. y = E + A·x^(−α)); the Kaplan
     * form adds x_c = A^(1/α) so that y = (x_c/x)^α. {@code rssLog} is the residual sum of squares of
     * log y. {@code bootstrapSamples} (not in JSON) holds each parameter's replicates for plots.
     */
    public record Result(String law, String form, FitStatus status, String reason, List<String> warnings,
                         List<FittedParameter> parameters, int nPoints, Double rssLog, Double rmseLog,
                         BootstrapSummary bootstrap, List<CurveForecast> forecasts, Backtest.Result backtest,
                         @JsonIgnore Map<String, double[]> bootstrapSamples, Provenance provenance) {

        /** Fitted curve at x (NaN when the fit failed). */
        public double predict(double x) {
            return value(parameter("E").v(), parameter("A").v(), parameter("alpha").v(), x);
        }

        public FittedParameter parameter(String name) {
            return FittedParameter.named(parameters, name);
        }

        /** Bootstrap replicate b's curve at x (NaN when that refit failed or there was no bootstrap). */
        public double predictReplicate(int b, double x) {
            if (!bootstrapSamples.containsKey("alpha")) {
                return Double.NaN;
            }
            double e = bootstrapSamples.containsKey("E") ? bootstrapSamples.get("E")[b] : 0.0;
            return value(e, bootstrapSamples.get("A")[b], bootstrapSamples.get("alpha")[b], x);
        }
    }

    /** Reads {@code xCol} and {@code yCol} from a table (all > 0) and fits; provenance names the table. */
    public static Result analyze(NumericTable table, String xCol, String yCol, Options options) {
        table.requirePositive(xCol).requirePositive(yCol);
        Map<String, Object> opts = new LinkedHashMap<>(options.asMap());
        opts.put("x_col", xCol);
        opts.put("y_col", yCol);
        Provenance p = Provenance.of("fit power", List.of(table.provenanceInput()), opts, options.seed());
        return fit(table.column(xCol), table.column(yCol), options, p);
    }

    public static Result fit(double[] x, double[] y, Options options, Provenance provenance) {
        int nParams = options.offset() ? 3 : 2;
        String form = options.offset() ? "E + A*x^-alpha" : "A*x^-alpha";
        String bad = CurveFit.degenerateReason(x, y, nParams, true);
        if (bad != null) {
            return new Result("power", form, FitStatus.DEGENERATE, bad, List.of(), nanParameters(options.offset()),
                    x.length, null, null, null, List.of(), null, Map.of(), provenance);
        }
        double[] est = fitCore(x, y, options.offset(), null);
        if (est == null) {
            return new Result("power", form, FitStatus.NOT_CONVERGED,
                    "Levenberg–Marquardt did not converge from any of the start points", List.of(),
                    nanParameters(options.offset()), x.length, null, null, null, List.of(), null, Map.of(), provenance);
        }
        double e = est[0];
        double a = est[1];
        double alpha = est[2];
        FitStatus status = FitStatus.CONVERGED;
        String reason = null;
        List<String> warnings = new ArrayList<>();
        double minY = Arrays.stream(y).min().orElseThrow();
        if (!(alpha > 0)) {
            status = FitStatus.DEGENERATE;
            reason = "alpha = " + alpha + " hit its bound 0: y does not decrease with x, so a decaying power law "
                    + "does not describe these data";
        } else if (options.offset() && e < 1e-3 * minY) {
            status = FitStatus.DEGENERATE;
            reason = "E = " + e + " hit its bound 0 (under 0.1 % of the smallest y): the data show no irreducible "
                    + "term; refit without the offset (Kaplan form)";
        }

        // Bootstrap: refit each resample from the full-data optimum (and the generic start grid when that fails).
        int nb = options.bootstrap();
        List<Double> fx = options.forecastX();
        double[][] reps = new double[0][];
        if (nb > 0) {
            double[] start = est;
            reps = CurveFit.replicates(x.length, nb, options.seed(), 3 + fx.size(), idx -> {
                double[] xb = Bootstrap.take(x, idx);
                double[] yb = Bootstrap.take(y, idx);
                if (CurveFit.degenerateReason(xb, yb, nParams, true) != null) {
                    return null;
                }
                double[] r = fitCore(xb, yb, options.offset(), start);
                if (r == null) {
                    return null;
                }
                double[] row = Arrays.copyOf(r, 3 + fx.size());
                for (int k = 0; k < fx.size(); k++) {
                    row[3 + k] = value(r[0], r[1], r[2], fx.get(k));
                }
                return row;
            });
        }
        Map<String, double[]> samples = new LinkedHashMap<>();
        List<FittedParameter> params = new ArrayList<>();
        String[] names = {"E", "A", "alpha"};
        for (int j = 0; j < 3; j++) {
            // In the Kaplan form E is fixed at 0, not estimated: it gets no interval.
            boolean estimated = j > 0 || options.offset();
            double[] col = nb > 0 && estimated ? CurveFit.column(reps, j) : null;
            if (col != null) {
                samples.put(names[j], col);
            }
            params.add(FittedParameter.of(names[j], est[j], col));
        }
        if (!options.offset()) {
            // Kaplan's x_c: y = (x_c / x)^α  ⇔  A = x_c^α.
            double[] col = null;
            if (nb > 0) {
                col = new double[nb];
                for (int b = 0; b < nb; b++) {
                    col[b] = Math.pow(reps[b][1], 1 / reps[b][2]);
                }
                samples.put("x_c", col);
            }
            params.add(FittedParameter.of("x_c", Math.pow(a, 1 / alpha), col));
        }
        List<CurveForecast> forecasts = new ArrayList<>();
        for (int k = 0; k < fx.size(); k++) {
            double[] col = nb > 0 ? CurveFit.column(reps, 3 + k) : null;
            forecasts.add(new CurveForecast(fx.get(k), FittedParameter.finite(value(e, a, alpha, fx.get(k))),
                    col == null ? null : FittedParameter.interval(Quantiles.percentileInterval(col, 0.95))));
        }
        BootstrapSummary boot = nb > 0 ? new BootstrapSummary(nb, CurveFit.countFinite(reps), options.seed()) : null;
        if (boot != null && boot.succeeded() < nb / 2) {
            warnings.add("only " + boot.succeeded() + " of " + nb + " bootstrap refits succeeded; intervals are unreliable");
        }

        double rss = 0;
        for (int i = 0; i < x.length; i++) {
            double r = Math.log(y[i]) - Math.log(value(e, a, alpha, x[i]));
            rss += r * r;
        }
        Backtest.Result bt = null;
        if (options.backtest()) {
            bt = Backtest.run(x, y, nParams, (xt, yt) -> {
                if (CurveFit.degenerateReason(xt, yt, nParams, true) != null) {
                    return null;
                }
                double[] r = fitCore(xt, yt, options.offset(), null);
                return r == null ? null : xv -> value(r[0], r[1], r[2], xv);
            });
        }
        return new Result("power", form, status, reason, List.copyOf(warnings), List.copyOf(params), x.length,
                rss, Math.sqrt(rss / x.length), boot, List.copyOf(forecasts), bt, samples, provenance);
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
        List<double[]> starts = new ArrayList<>();
        boolean warm = warmStart != null && warmStart[0] > 0 && warmStart[1] > 0;
        if (warm) {
            starts.add(new double[] {Math.log(warmStart[0]), Math.log(warmStart[1] * Math.pow(x0, -warmStart[2])),
                    warmStart[2]});
        }
        for (double ef : new double[] {1e-3, 0.5, 0.9, 0.99}) {
            for (double al : new double[] {0.05, 0.2, 0.5, 1.0}) {
                double eStart = ef * minY;
                starts.add(new double[] {Math.log(eStart), Math.log(Math.max(gmY - eStart, 1e-3 * gmY)), al});
            }
        }
        CurveFit.Optimum o = warm
                ? CurveFit.multiStart(res, jac, n, starts.subList(0, 1))
                : CurveFit.multiStart(res, jac, n, starts);
        if (!o.converged() && warm) {
            o = CurveFit.multiStart(res, jac, n, starts.subList(1, starts.size()));
        }
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

    private static List<FittedParameter> nanParameters(boolean offset) {
        List<FittedParameter> ps = new ArrayList<>();
        for (String n : offset ? new String[] {"E", "A", "alpha"} : new String[] {"E", "A", "alpha", "x_c"}) {
            ps.add(new FittedParameter(n, null, null, null));
        }
        return List.copyOf(ps);
    }
}
