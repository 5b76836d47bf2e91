package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.BootstrapSummary;
import org.scalelab.stats.Quantiles;

/**
 * The one pipeline of every single-variable law: input checks → least squares ({@link CurveLaw#estimate})
 * → the law's verdict → pairs bootstrap (standard errors and 95 % percentile intervals of every
 * parameter, derived quantity and forecast) → extrapolation backtest → one {@link CurveFitResult}.
 * {@link #select} does the same for nested laws (a broken power law with 0..K breaks), choosing among
 * them by an information criterion first.
 */
public final class CurveFitter {
    private CurveFitter() {}

    /**
     * How much lower a larger law's criterion must be before it is preferred: 2, "positive evidence" on
     * Kass &amp; Raftery's (1995) scale. Without that margin, noise near the edge of the data buys a
     * spurious break for a hair's better criterion.
     */
    static final double MIN_IMPROVEMENT = 2.0;

    /** The information criterion that chooses among nested laws. */
    public enum Criterion { AIC, BIC }

    /**
     * What every law's fit shares.
     *
     * @param bootstrap number of pairs-bootstrap replicates for standard errors and intervals (0: none)
     * @param seed      bootstrap seed
     * @param backtest  hold out the largest-x points, fit the rest, report the extrapolation error
     * @param forecastX x values at which to predict y (with a bootstrap interval)
     */
    public record Options(int bootstrap, long seed, boolean backtest, List<Double> forecastX) {
        public Options {
            forecastX = List.copyOf(forecastX);
        }

        public static Options defaults() {
            return new Options(200, 0L, true, List.of());
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bootstrap", bootstrap);
            m.put("seed", seed);
            m.put("backtest", backtest);
            m.put("forecast_x", forecastX);
            return m;
        }
    }

    /**
     * Fits {@code law} to a table's columns (x > 0, and y > 0 for a law fitted on log y); the provenance
     * names the analysis, the table and the options — the law's, then the fitter's, then the columns.
     */
    public static CurveFitResult analyze(String analysis, CurveLaw law, CurveData data, Options options) {
        data.requirePositive(law.logResiduals());
        return fit(law, data.x(), data.y(), options, provenance(analysis, law.options(), data, options));
    }

    static Provenance provenance(String analysis, Map<String, Object> lawOptions, CurveData data, Options options) {
        Map<String, Object> opts = new LinkedHashMap<>(lawOptions);
        opts.putAll(options.asMap());
        return data.provenance(analysis, opts, options.seed());
    }

    /** How the number of breaks was chosen, for a law with breaks. */
    private record Selection(String criterion, int nBreaks, List<CurveFitResult.Candidate> candidates) {}

    /** Fits {@code law} to (x, y). */
    public static CurveFitResult fit(CurveLaw law, double[] x, double[] y, Options options, Provenance provenance) {
        String bad = CurveFit.degenerateReason(x, y, law.freeParameters(), law.logResiduals());
        if (bad != null) {
            return failed(law, FitStatus.DEGENERATE, bad, x.length, null, provenance);
        }
        double[] est = law.estimate(x, y, null);
        if (est == null) {
            return failed(law, FitStatus.NOT_CONVERGED,
                    "Levenberg–Marquardt did not converge from any of the start points", x.length, null, provenance);
        }
        return finish(law, x, y, est, options, null, provenance);
    }

    /**
     * Fits every law of {@code nested} (law k has k breaks) and reports the one with the smallest
     * criterion — a larger law replaces a smaller one only when it lowers the criterion by more than
     * {@link #MIN_IMPROVEMENT} — with bootstrap, forecasts and backtest for it, and every law's fit as a
     * candidate. The criteria are those of a Gaussian likelihood of the residuals, up to a constant:
     * AIC = n·ln(RSS/n) + 2p (Akaike 1974), BIC = n·ln(RSS/n) + p·ln n (Schwarz 1978).
     */
    public static CurveFitResult select(List<CurveLaw> nested, Criterion criterion, double[] x, double[] y,
                                        Options options, Provenance provenance) {
        CurveLaw smallest = nested.get(0);
        String crit = criterion.name().toLowerCase(Locale.ROOT);
        String bad = CurveFit.degenerateReason(x, y, smallest.freeParameters(), smallest.logResiduals());
        if (bad != null) {
            return failed(smallest, FitStatus.DEGENERATE, bad, x.length,
                    new Selection(crit, 0, List.of()), provenance);
        }
        int n = x.length;
        List<CurveFitResult.Candidate> candidates = new ArrayList<>();
        double[] best = null;
        int bestK = -1;
        double bestIc = Double.POSITIVE_INFINITY;
        for (int k = 0; k < nested.size(); k++) {
            CurveLaw law = nested.get(k);
            int p = law.freeParameters();
            if (n < p + 1) {
                candidates.add(new CurveFitResult.Candidate(k, p, FitStatus.DEGENERATE, n + " points for " + p
                        + " parameters; need at least " + (p + 1), null, null, null, Map.of()));
                continue;
            }
            double[] est = law.estimate(x, y, null);
            if (est == null) {
                candidates.add(new CurveFitResult.Candidate(k, p, FitStatus.NOT_CONVERGED,
                        "Levenberg–Marquardt did not converge from any start", null, null, null, Map.of()));
                continue;
            }
            double rss = rss(law, est, x, y);
            double aic = n * Math.log(rss / n) + 2 * p;
            double bic = n * Math.log(rss / n) + p * Math.log(n);
            candidates.add(new CurveFitResult.Candidate(k, p, FitStatus.CONVERGED, null, rss,
                    FittedParameter.finite(aic), FittedParameter.finite(bic), namedValues(law, est)));
            double ic = criterion == Criterion.AIC ? aic : bic;
            if (best == null ? ic < bestIc : ic < bestIc - MIN_IMPROVEMENT) {
                bestIc = ic;
                best = est;
                bestK = k;
            }
        }
        if (best == null) {
            boolean anyFitted = candidates.stream().anyMatch(c -> c.status() == FitStatus.NOT_CONVERGED);
            return failed(smallest, anyFitted ? FitStatus.NOT_CONVERGED : FitStatus.DEGENERATE,
                    candidates.get(candidates.size() - 1).reason(), n,
                    new Selection(crit, 0, List.copyOf(candidates)), provenance);
        }
        return finish(nested.get(bestK), x, y, best, options,
                new Selection(crit, bestK, List.copyOf(candidates)), provenance);
    }

    /** The law's verdict, bootstrap, forecasts and backtest around the full-data estimate {@code est}. */
    private static CurveFitResult finish(CurveLaw law, double[] x, double[] y, double[] est, Options options,
                                         Selection selection, Provenance provenance) {
        CurveLaw.Verdict verdict = law.judge(est, x, y);
        List<String> warnings = new ArrayList<>(verdict.warnings());
        int p = est.length;
        int nb = options.bootstrap();
        List<Double> fx = options.forecastX();
        int width = p + fx.size();
        double[][] reps = new double[0][];
        if (nb > 0) {
            // Each replicate is refitted from the full-data optimum first (the law falls back to its grid).
            reps = CurveFit.replicates(x.length, nb, options.seed(), width, idx -> {
                double[] xb = Bootstrap.take(x, idx);
                double[] yb = Bootstrap.take(y, idx);
                if (CurveFit.degenerateReason(xb, yb, law.freeParameters(), law.logResiduals()) != null) {
                    return null;
                }
                double[] r = law.estimate(xb, yb, est);
                if (r == null) {
                    return null;
                }
                double[] row = Arrays.copyOf(r, width);
                for (int k = 0; k < fx.size(); k++) {
                    row[p + k] = law.value(r, fx.get(k));
                }
                return row;
            });
        }
        Map<String, double[]> samples = new LinkedHashMap<>();
        List<FittedParameter> params = new ArrayList<>();
        List<String> names = law.parameterNames();
        for (int j = 0; j < p; j++) {
            double[] col = nb > 0 && !law.fixed(j) ? CurveFit.column(reps, j) : null;
            if (col != null) {
                samples.put(names.get(j), col);
            }
            params.add(FittedParameter.of(names.get(j), est[j], col));
        }
        for (CurveLaw.Derived d : law.derived()) {
            double[] col = null;
            if (nb > 0) {
                col = new double[nb];
                for (int b = 0; b < nb; b++) {
                    col[b] = d.of().applyAsDouble(reps[b]);
                }
                samples.put(d.name(), col);
            }
            params.add(FittedParameter.of(d.name(), d.of().applyAsDouble(est), col));
        }
        List<CurveForecast> forecasts = new ArrayList<>();
        for (int k = 0; k < fx.size(); k++) {
            double[] col = nb > 0 ? CurveFit.column(reps, p + k) : null;
            forecasts.add(new CurveForecast(fx.get(k), FittedParameter.finite(law.value(est, fx.get(k))),
                    col == null ? null : FittedParameter.interval(Quantiles.percentileInterval(col, 0.95))));
        }
        BootstrapSummary boot = nb > 0 ? new BootstrapSummary(nb, CurveFit.countFinite(reps), options.seed()) : null;
        if (boot != null && boot.succeeded() < nb / 2) {
            warnings.add("only " + boot.succeeded() + " of " + nb + " bootstrap refits succeeded; intervals are unreliable");
        }
        double rss = rss(law, est, x, y);
        Backtest.Result bt = null;
        if (options.backtest()) {
            bt = Backtest.run(x, y, law.freeParameters(), (xt, yt) -> {
                if (CurveFit.degenerateReason(xt, yt, law.freeParameters(), law.logResiduals()) != null) {
                    return null;
                }
                double[] r = law.estimate(xt, yt, null);
                return r == null ? null : xv -> law.value(r, xv);
            });
        }
        List<CurveFitResult.Break> breaks = null;
        if (selection != null) {
            // A law with breaks reports its (c, d, f) triples as breaks, after the shared parameters.
            int shared = p - 3 * law.breaks();
            breaks = new ArrayList<>();
            for (int i = 0; i < law.breaks(); i++) {
                int j = shared + 3 * i;
                breaks.add(new CurveFitResult.Break(params.get(j + 1), params.get(j), params.get(j + 2)));
            }
            List<FittedParameter> rest = new ArrayList<>(params.subList(0, shared));
            rest.addAll(params.subList(p, params.size()));
            params = rest;
        }
        return new CurveFitResult(law.name(), law.form(), verdict.status(), verdict.reason(), List.copyOf(warnings),
                List.copyOf(params), x.length, rss, Math.sqrt(rss / x.length),
                selection == null ? null : selection.nBreaks(), selection == null ? null : selection.criterion(),
                breaks == null ? null : List.copyOf(breaks), selection == null ? null : selection.candidates(), boot,
                List.copyOf(forecasts), bt, est, reps, samples, law, provenance);
    }

    private static CurveFitResult failed(CurveLaw law, FitStatus status, String reason, int nPoints,
                                         Selection selection, Provenance provenance) {
        List<FittedParameter> ps = new ArrayList<>();
        for (String name : law.parameterNames()) {
            ps.add(new FittedParameter(name, null, null, null));
        }
        for (CurveLaw.Derived d : law.derived()) {
            ps.add(new FittedParameter(d.name(), null, null, null));
        }
        double[] nan = new double[law.parameterNames().size()];
        Arrays.fill(nan, Double.NaN);
        return new CurveFitResult(law.name(), law.form(), status, reason, List.of(), List.copyOf(ps), nPoints, null,
                null, selection == null ? null : selection.nBreaks(), selection == null ? null : selection.criterion(),
                selection == null ? null : List.of(), selection == null ? null : selection.candidates(), null,
                List.of(), null, nan, new double[0][], Map.of(), law, provenance);
    }

    /** Residual sum of squares, on log y for a law fitted in log space. */
    static double rss(CurveLaw law, double[] p, double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double r = law.logResiduals() ? Math.log(y[i]) - Math.log(law.value(p, x[i])) : y[i] - law.value(p, x[i]);
            s += r * r;
        }
        return s;
    }

    private static Map<String, Double> namedValues(CurveLaw law, double[] p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int j = 0; j < p.length; j++) {
            m.put(law.parameterNames().get(j), FittedParameter.finite(p[j]));
        }
        return m;
    }
}
