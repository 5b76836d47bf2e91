package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.BootstrapSummary;
import org.scalelab.stats.Quantiles;
import org.scalelab.store.NumericTable;

/**
 * Emergence curve of a downstream metric: accuracy = floor + (ceiling − floor) / (1 + exp(−k·(log10 x − m))),
 * a logistic in log scale as used to describe "emergent" abilities (Wei et al. 2022, and the sigmoidal
 * downstream fits of Ruan et al. 2024, "Observational scaling laws", eq. 2). m is the log10 of the
 * scale at which the metric is halfway between floor and ceiling (x50 = 10^m); k is the steepness per
 * decade. floor and ceiling are fixed (chance level and 1 by default) or fitted.
 *
 * <p>Fitted by least squares on the metric itself (not its log: accuracies may be 0), multi-start
 * Levenberg–Marquardt over a grid of midpoints and steepnesses.
 */
public final class SigmoidFit {
    private SigmoidFit() {}

    /**
     * Width in decades of the logistic's 10 % → 90 % rise, times k: 2·ln 9 ≈ 4.39. A rise narrower than
     * the gap between the two runs around m happened between them, so k is not identified (any larger k
     * fits as well) and m is only known to lie in that gap.
     */
    static final double RISE_WIDTH_TIMES_K = 2 * Math.log(9);

    /**
     * @param floor     fixed lower asymptote (e.g. chance accuracy), or null to fit it
     * @param ceiling   fixed upper asymptote (e.g. 1), or null to fit it
     * @param bootstrap pairs-bootstrap replicates (0: none)
     * @param seed      bootstrap seed
     * @param backtest  hold out the largest-x points and report the extrapolation error
     * @param forecastX x values at which to predict the metric
     */
    public record Options(Double floor, Double ceiling, int bootstrap, long seed, boolean backtest,
                          List<Double> forecastX) {
        public Options {
            if (floor != null && ceiling != null && !(floor < ceiling)) {
                throw new InputException("sigmoid floor " + floor + " must be below its ceiling " + ceiling
                        + " (floor is the lower asymptote, e.g. chance accuracy; ceiling the upper, e.g. 1)");
            }
            forecastX = List.copyOf(forecastX);
        }

        public static Options defaults() {
            return new Options(0.0, 1.0, 200, 0L, true, List.of());
        }

        public Options withFloorCeiling(Double f, Double c) {
            return new Options(f, c, bootstrap, seed, backtest, forecastX);
        }

        public Options withBootstrap(int n, long s) {
            return new Options(floor, ceiling, n, s, backtest, forecastX);
        }

        public Options withBacktest(boolean v) {
            return new Options(floor, ceiling, bootstrap, seed, v, forecastX);
        }

        public Options withForecastX(List<Double> xs) {
            return new Options(floor, ceiling, bootstrap, seed, backtest, xs);
        }

        int nParams() {
            return 2 + (floor == null ? 1 : 0) + (ceiling == null ? 1 : 0);
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("floor", floor == null ? "fit" : floor);
            m.put("ceiling", ceiling == null ? "fit" : ceiling);
            m.put("bootstrap", bootstrap);
            m.put("seed", seed);
            m.put("backtest", backtest);
            m.put("forecast_x", forecastX);
            return m;
        }
    }

    /**
     * Parameters: m (log10 of the midpoint), k (per decade), floor, ceiling (fixed ones have no interval)
     * and x50 = 10^m, the scale at which the metric is halfway between floor and ceiling.
     */
    public record Result(String law, String form, FitStatus status, String reason, List<String> warnings,
                         List<FittedParameter> parameters, int nPoints, Double rss, Double rmse,
                         BootstrapSummary bootstrap, List<CurveForecast> forecasts, Backtest.Result backtest,
                         @JsonIgnore Map<String, double[]> bootstrapSamples, Provenance provenance) {

        public double predict(double x) {
            return value(parameter("m").v(), parameter("k").v(), parameter("floor").v(), parameter("ceiling").v(), x);
        }

        public FittedParameter parameter(String name) {
            return FittedParameter.named(parameters, name);
        }

        /** Bootstrap replicate b's curve at x (NaN when that refit failed or there was no bootstrap). */
        public double predictReplicate(int b, double x) {
            if (!bootstrapSamples.containsKey("m")) {
                return Double.NaN;
            }
            double f = bootstrapSamples.containsKey("floor") ? bootstrapSamples.get("floor")[b] : parameter("floor").v();
            double c = bootstrapSamples.containsKey("ceiling") ? bootstrapSamples.get("ceiling")[b] : parameter("ceiling").v();
            return value(bootstrapSamples.get("m")[b], bootstrapSamples.get("k")[b], f, c, x);
        }
    }

    public static Result analyze(NumericTable table, String xCol, String yCol, Options options) {
        table.requirePositive(xCol);
        Map<String, Object> opts = new LinkedHashMap<>(options.asMap());
        opts.put("x_col", xCol);
        opts.put("y_col", yCol);
        Provenance p = Provenance.of("fit sigmoid", List.of(table.provenanceInput()), opts, options.seed());
        return fit(table.column(xCol), table.column(yCol), options, p);
    }

    /** floor + (ceiling − floor) / (1 + exp(−k·(log10 x − m))). */
    public static double value(double m, double k, double floor, double ceiling, double x) {
        return floor + (ceiling - floor) / (1 + Math.exp(-k * (Math.log10(x) - m)));
    }

    public static Result fit(double[] x, double[] y, Options options, Provenance provenance) {
        String form = "floor + (ceiling - floor) / (1 + exp(-k*(log10 x - m)))";
        int nParams = options.nParams();
        String bad = CurveFit.degenerateReason(x, y, nParams, false);
        if (bad == null && options.floor() != null && options.ceiling() != null
                && !(options.ceiling() > options.floor())) {
            bad = "ceiling " + options.ceiling() + " must be above floor " + options.floor();
        }
        if (bad != null) {
            return new Result("sigmoid", form, FitStatus.DEGENERATE, bad, List.of(), nanParameters(), x.length, null,
                    null, null, List.of(), null, Map.of(), provenance);
        }
        double[] est = fitCore(x, y, options, null);
        if (est == null) {
            return new Result("sigmoid", form, FitStatus.NOT_CONVERGED,
                    "Levenberg–Marquardt did not converge from any of the start points", List.of(), nanParameters(),
                    x.length, null, null, null, List.of(), null, Map.of(), provenance);
        }
        double m = est[0];
        double k = est[1];
        double floor = est[2];
        double ceiling = est[3];
        FitStatus status = FitStatus.CONVERGED;
        String reason = null;
        List<String> warnings = new ArrayList<>();
        double tMin = Arrays.stream(x).map(Math::log10).min().orElseThrow();
        double tMax = Arrays.stream(x).map(Math::log10).max().orElseThrow();
        double[] gap = gapAround(x, m);
        if (gap != null && RISE_WIDTH_TIMES_K / Math.abs(k) < Math.log10(gap[1] / gap[0])) {
            status = FitStatus.DEGENERATE;
            reason = "steepness k = " + k + " per decade puts the whole 10-90 % rise between the runs at x = "
                    + gap[0] + " and x = " + gap[1] + ": k is not identified and m only lies between them; "
                    + "add runs in that interval";
        } else if (!(ceiling > floor)) {
            status = FitStatus.DEGENERATE;
            reason = "fitted ceiling " + ceiling + " is not above floor " + floor + "; fix them with options";
        }
        // A fitted plateau is observed only if the curve gets within 10 % of it inside the data; otherwise
        // the asymptote is an extrapolation of the logistic's shape.
        double shareAtMin = 1 / (1 + Math.exp(-k * (tMin - m)));
        double shareAtMax = 1 / (1 + Math.exp(-k * (tMax - m)));
        double upper = k > 0 ? shareAtMax : shareAtMin;
        double lower = k > 0 ? shareAtMin : shareAtMax;
        if (options.ceiling() == null && upper < 0.9) {
            warnings.add("the fitted ceiling " + ceiling + " is not observed: inside the data the curve reaches only "
                    + Math.round(100 * upper) + " % of the way to it; fix it with --ceiling");
        }
        if (options.floor() == null && lower > 0.1) {
            warnings.add("the fitted floor " + floor + " is not observed: inside the data the curve comes down only to "
                    + Math.round(100 * lower) + " % above it; fix it with --floor");
        }
        if (m < tMin || m > tMax) {
            warnings.add("the 50 % point x50 = " + Math.pow(10, m) + " lies outside the observed x range ["
                    + Math.pow(10, tMin) + ", " + Math.pow(10, tMax) + "]: it is an extrapolation");
        }

        int nb = options.bootstrap();
        List<Double> fx = options.forecastX();
        double[][] reps = new double[0][];
        if (nb > 0) {
            double[] start = est;
            reps = CurveFit.replicates(x.length, nb, options.seed(), 4 + fx.size(), idx -> {
                double[] xb = Bootstrap.take(x, idx);
                double[] yb = Bootstrap.take(y, idx);
                if (CurveFit.degenerateReason(xb, yb, nParams, false) != null) {
                    return null;
                }
                double[] r = fitCore(xb, yb, options, start);
                if (r == null) {
                    return null;
                }
                double[] row = Arrays.copyOf(r, 4 + fx.size());
                for (int j = 0; j < fx.size(); j++) {
                    row[4 + j] = value(r[0], r[1], r[2], r[3], fx.get(j));
                }
                return row;
            });
        }
        Map<String, double[]> samples = new LinkedHashMap<>();
        List<FittedParameter> params = new ArrayList<>();
        String[] names = {"m", "k", "floor", "ceiling"};
        boolean[] fitted = {true, true, options.floor() == null, options.ceiling() == null};
        for (int j = 0; j < 4; j++) {
            double[] col = nb > 0 && fitted[j] ? CurveFit.column(reps, j) : null;
            if (col != null) {
                samples.put(names[j], col);
            }
            params.add(FittedParameter.of(names[j], est[j], col));
        }
        double[] x50 = null;
        if (nb > 0) {
            x50 = Arrays.stream(CurveFit.column(reps, 0)).map(v -> Math.pow(10, v)).toArray();
            samples.put("x50", x50);
        }
        params.add(FittedParameter.of("x50", Math.pow(10, m), x50));
        List<CurveForecast> forecasts = new ArrayList<>();
        for (int j = 0; j < fx.size(); j++) {
            double[] col = nb > 0 ? CurveFit.column(reps, 4 + j) : null;
            forecasts.add(new CurveForecast(fx.get(j), FittedParameter.finite(value(m, k, floor, ceiling, fx.get(j))),
                    col == null ? null : FittedParameter.interval(Quantiles.percentileInterval(col, 0.95))));
        }
        BootstrapSummary boot = nb > 0 ? new BootstrapSummary(nb, CurveFit.countFinite(reps), options.seed()) : null;
        if (boot != null && boot.succeeded() < nb / 2) {
            warnings.add("only " + boot.succeeded() + " of " + nb + " bootstrap refits succeeded; intervals are unreliable");
        }
        double rss = 0;
        for (int i = 0; i < x.length; i++) {
            double r = y[i] - value(m, k, floor, ceiling, x[i]);
            rss += r * r;
        }
        Backtest.Result bt = null;
        if (options.backtest()) {
            bt = Backtest.run(x, y, nParams, (xt, yt) -> {
                if (CurveFit.degenerateReason(xt, yt, nParams, false) != null) {
                    return null;
                }
                double[] r = fitCore(xt, yt, options, null);
                return r == null ? null : xv -> value(r[0], r[1], r[2], r[3], xv);
            });
        }
        return new Result("sigmoid", form, status, reason, List.copyOf(warnings), List.copyOf(params), x.length, rss,
                Math.sqrt(rss / x.length), boot, List.copyOf(forecasts), bt, samples, provenance);
    }

    /** The two consecutive distinct x values whose log10 bracket m, or null when m is outside the data. */
    static double[] gapAround(double[] x, double m) {
        double[] d = Arrays.stream(x).distinct().sorted().toArray();
        for (int i = 0; i + 1 < d.length; i++) {
            if (Math.log10(d[i]) <= m && m <= Math.log10(d[i + 1])) {
                return new double[] {d[i], d[i + 1]};
            }
        }
        return null;
    }

    /** Least-squares {m, k, floor, ceiling} (fixed ones copied from options), or null when nothing converged. */
    static double[] fitCore(double[] x, double[] y, Options o, double[] warmStart) {
        int n = x.length;
        double[] t = Arrays.stream(x).map(Math::log10).toArray();
        boolean fitFloor = o.floor() == null;
        boolean fitCeil = o.ceiling() == null;
        int p = o.nParams();
        // θ = (m, k, [floor], [ceiling]).
        CurveFit.Residuals res = (th, out) -> {
            double f = fitFloor ? th[2] : o.floor();
            double c = fitCeil ? th[fitFloor ? 3 : 2] : o.ceiling();
            for (int i = 0; i < n; i++) {
                out[i] = y[i] - (f + (c - f) / (1 + Math.exp(-th[1] * (t[i] - th[0]))));
            }
        };
        double tMin = Arrays.stream(t).min().orElseThrow();
        double tMax = Arrays.stream(t).max().orElseThrow();
        double yMin = Arrays.stream(y).min().orElseThrow();
        double yMax = Arrays.stream(y).max().orElseThrow();
        // The sign of the trend sets the sign of the starting steepness (rising metrics: k > 0).
        double corr = 0;
        double mt = Arrays.stream(t).average().orElseThrow();
        for (int i = 0; i < n; i++) {
            corr += (t[i] - mt) * y[i];
        }
        double dir = corr >= 0 ? 1 : -1;
        List<double[]> starts = new ArrayList<>();
        if (warmStart != null) {
            starts.add(pack(warmStart, fitFloor, fitCeil, p));
        }
        for (int a = 0; a < 5; a++) {
            double m0 = tMin + (tMax - tMin) * a / 4;
            for (double k0 : new double[] {0.5, 2, 8}) {
                starts.add(pack(new double[] {m0, dir * k0, yMin, yMax}, fitFloor, fitCeil, p));
            }
        }
        CurveFit.Optimum best = warmStart != null ? CurveFit.multiStart(res, n, starts.subList(0, 1))
                : CurveFit.multiStart(res, n, starts);
        if (!best.converged() && warmStart != null) {
            best = CurveFit.multiStart(res, n, starts.subList(1, starts.size()));
        }
        if (!best.converged()) {
            return null;
        }
        double[] th = best.theta();
        return new double[] {th[0], th[1], fitFloor ? th[2] : o.floor(), fitCeil ? th[fitFloor ? 3 : 2] : o.ceiling()};
    }

    private static double[] pack(double[] full, boolean fitFloor, boolean fitCeil, int p) {
        double[] th = new double[p];
        th[0] = full[0];
        th[1] = full[1];
        int j = 2;
        if (fitFloor) {
            th[j++] = full[2];
        }
        if (fitCeil) {
            th[j] = full[3];
        }
        return th;
    }

    private static List<FittedParameter> nanParameters() {
        List<FittedParameter> ps = new ArrayList<>();
        for (String n : new String[] {"m", "k", "floor", "ceiling", "x50"}) {
            ps.add(new FittedParameter(n, null, null, null));
        }
        return List.copyOf(ps);
    }
}
