package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
import org.scalelab.store.NumericTable;

/**
 * Broken neural scaling law (BNSL), Caballero et al. 2022, "Broken Neural Scaling Laws" (arXiv 2210.14891), eq. 1:
 * <pre>  y = a + b·x^(−c0) · Π_{i=1..k} (1 + (x/d_i)^(1/f_i))^(−c_i·f_i)</pre>
 * Each break i bends the log–log slope by c_i around x = d_i, with sharpness f_i (small f: sharp).
 * With k = 0 it is the saturating power law a + b·x^(−c0).
 *
 * <p>Fitted in log space (residual log y − log ŷ) like the paper, by multi-start Levenberg–Marquardt
 * from a grid over break locations, slope changes and sharpness (the paper also grid-searches before
 * its local optimiser). Positivity: a = exp(·), b = exp(·), d_i = exp(·), f_i = exp(·); c0 and c_i are
 * free. k = 0..maxBreaks are all fitted and the one with the smallest information criterion (BIC by
 * default: n·ln(RSS/n) + p·ln n, Schwarz 1978) is reported, along with every k's fit. An extra break
 * must earn its keep: k breaks replace fewer only when they lower the criterion by more than
 * {@link #MIN_IMPROVEMENT} (2, "positive evidence" on Kass &amp; Raftery's 1995 scale). Without that
 * margin, noise near the edge of the data buys a spurious corner for a hair's better BIC.
 */
public final class BrokenPowerLawFit {
    private BrokenPowerLawFit() {}

    /** Bounds of each break's sharpness f, in e-folds of x: below, a corner; above, no visible break. */
    static final double MIN_SHARPNESS = 1e-3;
    static final double MAX_SHARPNESS = 1e2;

    /** How much lower an extra break's criterion must be before it is preferred (Kass & Raftery 1995). */
    static final double MIN_IMPROVEMENT = 2.0;

    /** The criterion that picks the number of breaks. */
    public enum Criterion { AIC, BIC }

    /**
     * @param maxBreaks  largest number of breaks tried (0..maxBreaks are fitted)
     * @param criterion  how the number of breaks is chosen
     * @param bootstrap  pairs-bootstrap replicates for the chosen k (0: none)
     * @param seed       bootstrap seed
     * @param backtest   hold out the largest-x points, refit the chosen k, report the extrapolation error
     * @param forecastX  x values at which to predict y
     */
    public record Options(int maxBreaks, Criterion criterion, int bootstrap, long seed, boolean backtest,
                          List<Double> forecastX) {
        public Options {
            forecastX = List.copyOf(forecastX);
            if (maxBreaks < 0) {
                throw new org.scalelab.InputException("--breaks must be ≥ 0, got " + maxBreaks);
            }
        }

        public static Options defaults() {
            return new Options(2, Criterion.BIC, 200, 0L, true, List.of());
        }

        public Options withMaxBreaks(int k) {
            return new Options(k, criterion, bootstrap, seed, backtest, forecastX);
        }

        public Options withCriterion(Criterion c) {
            return new Options(maxBreaks, c, bootstrap, seed, backtest, forecastX);
        }

        public Options withBootstrap(int n, long s) {
            return new Options(maxBreaks, criterion, n, s, backtest, forecastX);
        }

        public Options withBacktest(boolean v) {
            return new Options(maxBreaks, criterion, bootstrap, seed, v, forecastX);
        }

        public Options withForecastX(List<Double> xs) {
            return new Options(maxBreaks, criterion, bootstrap, seed, backtest, xs);
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_breaks", maxBreaks);
            m.put("criterion", criterion.name().toLowerCase(Locale.ROOT));
            m.put("bootstrap", bootstrap);
            m.put("seed", seed);
            m.put("backtest", backtest);
            m.put("forecast_x", forecastX);
            return m;
        }
    }

    /** One break of the chosen fit: location d (input x units), slope change c, sharpness f. */
    public record Break(FittedParameter d, FittedParameter c, FittedParameter f) {}

    /** The fit with k breaks (point estimates only), its fit quality and information criteria. */
    public record Candidate(int nBreaks, int nParams, FitStatus status, String reason, Double rssLog, Double aic,
                            Double bic, Map<String, Double> parameters) {}

    /**
     * The chosen fit: {@code parameters} holds a, b, c0 (b in input x units); {@code breaks} one entry per
     * break sorted by location; {@code candidates} every k tried. {@code rssLog} is on log y.
     */
    public record Result(String law, String form, FitStatus status, String reason, List<String> warnings,
                         int nBreaks, String criterion, List<FittedParameter> parameters, List<Break> breaks,
                         int nPoints, Double rssLog, Double rmseLog, List<Candidate> candidates,
                         BootstrapSummary bootstrap, List<CurveForecast> forecasts, Backtest.Result backtest,
                         @JsonIgnore Map<String, double[]> bootstrapSamples, Provenance provenance) {

        /** The chosen fitted curve at x (NaN when the fit failed). */
        public double predict(double x) {
            if (status == FitStatus.NOT_CONVERGED || parameters.get(0).value() == null) {
                return Double.NaN;
            }
            double[] p = new double[3 + 3 * nBreaks];
            p[0] = parameters.get(0).v();
            p[1] = parameters.get(1).v();
            p[2] = parameters.get(2).v();
            for (int i = 0; i < nBreaks; i++) {
                p[3 + 3 * i] = breaks.get(i).c().v();
                p[4 + 3 * i] = breaks.get(i).d().v();
                p[5 + 3 * i] = breaks.get(i).f().v();
            }
            return value(p, x);
        }

        /** Bootstrap replicate b's curve at x (NaN when that refit failed or there was no bootstrap). */
        public double predictReplicate(int b, double x) {
            String[] names = parameterNames(nBreaks);
            if (!bootstrapSamples.containsKey(names[0])) {
                return Double.NaN;
            }
            double[] p = new double[names.length];
            for (int j = 0; j < names.length; j++) {
                p[j] = bootstrapSamples.get(names[j])[b];
            }
            return value(p, x);
        }
    }

    public static Result analyze(NumericTable table, String xCol, String yCol, Options options) {
        table.requirePositive(xCol).requirePositive(yCol);
        Map<String, Object> opts = new LinkedHashMap<>(options.asMap());
        opts.put("x_col", xCol);
        opts.put("y_col", yCol);
        Provenance p = Provenance.of("fit bnsl", List.of(table.provenanceInput()), opts, options.seed());
        return fit(table.column(xCol), table.column(yCol), options, p);
    }

    /**
     * BNSL in natural parameters p = (a, b, c0, c_1, d_1, f_1, …) at x. Computed through logs with a stable
     * softplus, log(1 + e^z), so that (x/d)^(1/f) with a sharp break (f → 0) does not overflow.
     */
    public static double value(double[] p, double x) {
        double logTerm = Math.log(p[1]) - p[2] * Math.log(x);
        for (int i = 3; i + 2 < p.length; i += 3) {
            double c = p[i];
            double d = p[i + 1];
            double f = p[i + 2];
            logTerm -= c * f * softplus((Math.log(x) - Math.log(d)) / f);
        }
        return p[0] + Math.exp(logTerm);
    }

    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    public static Result fit(double[] x, double[] y, Options options, Provenance provenance) {
        String form = "a + b*x^-c0 * prod_i (1 + (x/d_i)^(1/f_i))^(-c_i*f_i)";
        String crit = options.criterion().name().toLowerCase(Locale.ROOT);
        String bad = CurveFit.degenerateReason(x, y, 3, true);
        if (bad != null) {
            return new Result("bnsl", form, FitStatus.DEGENERATE, bad, List.of(), 0, crit, nanParameters(), List.of(),
                    x.length, null, null, List.of(), null, List.of(), null, Map.of(), provenance);
        }
        int n = x.length;
        double x0 = CurveFit.geometricMean(x);
        List<Candidate> candidates = new ArrayList<>();
        double[] best = null;
        int bestK = -1;
        double bestIc = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= options.maxBreaks(); k++) {
            int p = 3 + 3 * k;
            if (n < p + 1) {
                candidates.add(new Candidate(k, p, FitStatus.DEGENERATE, n + " points for " + p
                        + " parameters; need at least " + (p + 1), null, null, null, Map.of()));
                continue;
            }
            double[] est = fitCore(x, y, k, x0, null);
            if (est == null) {
                candidates.add(new Candidate(k, p, FitStatus.NOT_CONVERGED,
                        "Levenberg–Marquardt did not converge from any start", null, null, null, Map.of()));
                continue;
            }
            double rss = rssLog(est, x, y);
            // Gaussian log-likelihood of the log residuals, up to a constant: −(n/2)·ln(RSS/n).
            double aic = n * Math.log(rss / n) + 2 * p;
            double bic = n * Math.log(rss / n) + p * Math.log(n);
            candidates.add(new Candidate(k, p, FitStatus.CONVERGED, null, rss, FittedParameter.finite(aic),
                    FittedParameter.finite(bic), namedValues(est)));
            double ic = options.criterion() == Criterion.AIC ? aic : bic;
            if (best == null ? ic < bestIc : ic < bestIc - MIN_IMPROVEMENT) {
                bestIc = ic;
                best = est;
                bestK = k;
            }
        }
        if (best == null) {
            boolean anyFitted = candidates.stream().anyMatch(c -> c.status() == FitStatus.NOT_CONVERGED);
            return new Result("bnsl", form, anyFitted ? FitStatus.NOT_CONVERGED : FitStatus.DEGENERATE,
                    candidates.get(candidates.size() - 1).reason(), List.of(), 0, crit, nanParameters(), List.of(), n,
                    null, null, List.copyOf(candidates), null, List.of(), null, Map.of(), provenance);
        }
        int k = bestK;
        double[] est = best;
        List<String> warnings = new ArrayList<>();
        double minY = Arrays.stream(y).min().orElseThrow();
        double xMin = Arrays.stream(x).min().orElseThrow();
        double xMax = Arrays.stream(x).max().orElseThrow();
        if (est[0] < 1e-3 * minY) {
            warnings.add("a = " + est[0] + " is at its bound 0: no irreducible term is visible in the data");
        }
        for (int i = 0; i < k; i++) {
            double f = est[5 + 3 * i];
            if (f <= MIN_SHARPNESS * 1.0001) {
                warnings.add("break " + (i + 1) + " sharpness f hit its lower bound " + MIN_SHARPNESS
                        + ": the data show a corner, not a smooth transition; f's interval is meaningless");
            } else if (f >= MAX_SHARPNESS / 1.0001) {
                warnings.add("break " + (i + 1) + " sharpness f hit its upper bound " + MAX_SHARPNESS
                        + ": the transition is spread over the whole range; the break is not identified");
            }
            double d = est[4 + 3 * i];
            if (d < xMin || d > xMax) {
                warnings.add("break " + (i + 1) + " at x = " + d + " lies outside the observed range [" + xMin + ", "
                        + xMax + "]: its location is not pinned down by the data");
            }
        }

        int nb = options.bootstrap();
        List<Double> fx = options.forecastX();
        int width = est.length + fx.size();
        double[][] reps = new double[0][];
        if (nb > 0) {
            reps = CurveFit.replicates(n, nb, options.seed(), width, idx -> {
                double[] xb = Bootstrap.take(x, idx);
                double[] yb = Bootstrap.take(y, idx);
                if (CurveFit.degenerateReason(xb, yb, est.length, true) != null) {
                    return null;
                }
                double[] r = fitCore(xb, yb, k, x0, est);
                if (r == null) {
                    return null;
                }
                double[] row = Arrays.copyOf(r, width);
                for (int j = 0; j < fx.size(); j++) {
                    row[est.length + j] = value(r, fx.get(j));
                }
                return row;
            });
        }
        Map<String, double[]> samples = new LinkedHashMap<>();
        String[] names = parameterNames(k);
        FittedParameter[] fitted = new FittedParameter[est.length];
        for (int j = 0; j < est.length; j++) {
            double[] col = nb > 0 ? CurveFit.column(reps, j) : null;
            if (col != null) {
                samples.put(names[j], col);
            }
            fitted[j] = FittedParameter.of(names[j], est[j], col);
        }
        List<Break> breakList = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            breakList.add(new Break(fitted[4 + 3 * i], fitted[3 + 3 * i], fitted[5 + 3 * i]));
        }
        List<CurveForecast> forecasts = new ArrayList<>();
        for (int j = 0; j < fx.size(); j++) {
            double[] col = nb > 0 ? CurveFit.column(reps, est.length + j) : null;
            forecasts.add(new CurveForecast(fx.get(j), FittedParameter.finite(value(est, fx.get(j))),
                    col == null ? null : FittedParameter.interval(Quantiles.percentileInterval(col, 0.95))));
        }
        BootstrapSummary boot = nb > 0 ? new BootstrapSummary(nb, CurveFit.countFinite(reps), options.seed()) : null;
        if (boot != null && boot.succeeded() < nb / 2) {
            warnings.add("only " + boot.succeeded() + " of " + nb + " bootstrap refits succeeded; intervals are unreliable");
        }
        Backtest.Result bt = null;
        if (options.backtest()) {
            int p = est.length;
            bt = Backtest.run(x, y, p, (xt, yt) -> {
                if (CurveFit.degenerateReason(xt, yt, p, true) != null) {
                    return null;
                }
                double[] r = fitCore(xt, yt, k, x0, null);
                return r == null ? null : xv -> value(r, xv);
            });
        }
        double rss = rssLog(est, x, y);
        return new Result("bnsl", form, FitStatus.CONVERGED, null, List.copyOf(warnings), k, crit,
                List.of(fitted[0], fitted[1], fitted[2]), List.copyOf(breakList), n, rss, Math.sqrt(rss / n),
                List.copyOf(candidates), boot, List.copyOf(forecasts), bt, samples, provenance);
    }

    static double rssLog(double[] p, double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double r = Math.log(y[i]) - Math.log(value(p, x[i]));
            s += r * r;
        }
        return s;
    }

    /**
     * Least-squares natural parameters (a, b, c0, c_1, d_1, f_1, …) with breaks sorted by d, or null.
     * Internally θ = (ln a, ln b', c0, [c_i, ln d'_i, ln f_i]) on u = x/x0, b' = b·x0^(−c0), d'_i = d_i/x0.
     * {@code warm} (natural parameters, may be null) is tried before the grid.
     */
    static double[] fitCore(double[] x, double[] y, int k, double x0, double[] warm) {
        int n = x.length;
        double[] lu = new double[n];
        double[] ly = new double[n];
        for (int i = 0; i < n; i++) {
            lu[i] = Math.log(x[i] / x0);
            ly[i] = Math.log(y[i]);
        }
        int p = 3 + 3 * k;
        double minY = Arrays.stream(y).min().orElseThrow();
        double luMin = Arrays.stream(lu).min().orElseThrow();
        double luMax = Arrays.stream(lu).max().orElseThrow();
        // Bounds where the data stop identifying a parameter: a below 1e-6 of the smallest y is
        // indistinguishable from 0; a break more than half the data's log range beyond it, or sharper than
        // 1e-3 e-folds (a corner) or smoother than 1e2 e-folds (no break), changes nothing the data can see.
        double[] lo = new double[p];
        double[] hi = new double[p];
        Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        Arrays.fill(hi, Double.POSITIVE_INFINITY);
        lo[0] = Math.log(1e-6 * minY);
        for (int b = 0; b < k; b++) {
            double margin = 0.5 * (luMax - luMin);
            lo[4 + 3 * b] = luMin - margin;
            hi[4 + 3 * b] = luMax + margin;
            lo[5 + 3 * b] = Math.log(MIN_SHARPNESS);
            hi[5 + 3 * b] = Math.log(MAX_SHARPNESS);
        }
        CurveFit.Residuals res = CurveFit.bounded(residuals(lu, ly, k), lo, hi);
        CurveFit.Jacobian jac = CurveFit.bounded(jacobian(lu, k), lo, hi);
        List<double[]> starts = new ArrayList<>();
        if (warm != null) {
            double[] t = new double[p];
            t[0] = Math.log(warm[0]);
            t[1] = Math.log(warm[1]) - warm[2] * Math.log(x0);
            t[2] = warm[2];
            for (int b = 0; b < k; b++) {
                t[3 + 3 * b] = warm[3 + 3 * b];
                t[4 + 3 * b] = Math.log(warm[4 + 3 * b] / x0);
                t[5 + 3 * b] = Math.log(warm[5 + 3 * b]);
            }
            starts.add(t);
        }
        if (warm == null || starts.isEmpty()) {
            starts.addAll(gridStarts(res, n, k, minY, Math.exp(Arrays.stream(ly).average().orElseThrow()), luMin, luMax));
        }
        CurveFit.Optimum o = warm != null ? CurveFit.multiStart(res, jac, n, starts.subList(0, 1))
                : CurveFit.multiStart(res, jac, n, starts);
        if (!o.converged() && warm != null) {
            o = CurveFit.multiStart(res, jac, n, starts.subList(1, starts.size()));
        }
        if (!o.converged()) {
            return null;
        }
        double[] t = CurveFit.clip(o.theta(), lo, hi);
        double[] nat = new double[p];
        nat[0] = Math.exp(t[0]);
        nat[2] = t[2];
        nat[1] = Math.exp(t[1] + t[2] * Math.log(x0));
        // Sort breaks by location so that replicate j's "break 1" is the same break as the full fit's.
        Integer[] order = new Integer[k];
        for (int b = 0; b < k; b++) {
            order[b] = b;
        }
        Arrays.sort(order, (i, j) -> Double.compare(t[4 + 3 * i], t[4 + 3 * j]));
        for (int b = 0; b < k; b++) {
            int s = order[b];
            nat[3 + 3 * b] = t[3 + 3 * s];
            nat[4 + 3 * b] = Math.exp(t[4 + 3 * s]) * x0;
            nat[5 + 3 * b] = Math.exp(t[5 + 3 * s]);
        }
        return CurveFit.allFinite(nat) ? nat : null;
    }

    /** L = ln b' − c0·lu − Σ c_i·f_i·softplus((lu − ln d'_i)/f_i), so that ŷ = a + e^L. */
    private static double logTerm(double[] t, double lu, int k) {
        double logTerm = t[1] - t[2] * lu;
        for (int b = 0; b < k; b++) {
            double f = Math.exp(t[5 + 3 * b]);
            logTerm -= t[3 + 3 * b] * f * softplus((lu - t[4 + 3 * b]) / f);
        }
        return logTerm;
    }

    /** Residuals log y − log ŷ in θ = (ln a, ln b', c0, [c_i, ln d'_i, ln f_i]) on lu = ln(x/x0). */
    static CurveFit.Residuals residuals(double[] lu, double[] ly, int k) {
        int n = lu.length;
        return (t, out) -> {
            double a = Math.exp(t[0]);
            for (int i = 0; i < n; i++) {
                double logTerm = logTerm(t, lu[i], k);
                out[i] = ly[i] - Math.log(a + Math.exp(logTerm));
            }
        };
    }

    /** Analytic Jacobian of {@link #residuals}. */
    static CurveFit.Jacobian jacobian(double[] lu, int k) {
        // ∂r_i/∂θ = −(∂ŷ_i/∂θ)/ŷ_i with ŷ = a + e^L, L = ln b' − c0·lu − Σ c·f·softplus(z), z = (lu − ln d')/f:
        // ∂ŷ/∂ln a = a; ∂ŷ/∂ln b' = e^L; ∂ŷ/∂c0 = −lu·e^L; ∂ŷ/∂c = −f·softplus(z)·e^L;
        // ∂ŷ/∂ln d' = c·σ(z)·e^L; ∂ŷ/∂ln f = −c·f·(softplus(z) − z·σ(z))·e^L  (σ = logistic = softplus').
        int n = lu.length;
        return (t, out) -> {
            double a = Math.exp(t[0]);
            for (int i = 0; i < n; i++) {
                double logTerm = logTerm(t, lu[i], k);
                double e = Math.exp(logTerm);
                double inv = -1 / (a + e);
                double[] row = out[i];
                row[0] = inv * a;
                row[1] = inv * e;
                row[2] = -inv * lu[i] * e;
                for (int b = 0; b < k; b++) {
                    double c = t[3 + 3 * b];
                    double f = Math.exp(t[5 + 3 * b]);
                    double z = (lu[i] - t[4 + 3 * b]) / f;
                    double sp = softplus(z);
                    double sig = 1 / (1 + Math.exp(-z));
                    row[3 + 3 * b] = -inv * f * sp * e;
                    row[4 + 3 * b] = inv * c * sig * e;
                    row[5 + 3 * b] = -inv * c * f * (sp - z * sig) * e;
                }
            }
        };
    }

    /**
     * Coarse grid search: the cost of every grid point is evaluated (cheap: no Jacobian) and, for every
     * placement of the breaks on the location grid, the best one or two points seed Levenberg–Marquardt.
     * A fixed handful of LM starts misses sharp breaks near the ends of the data; ranking thousands of
     * grid points by cost does not, and keeping the best per break placement keeps the starts diverse
     * (the overall best few all sit in one basin). The grid covers the offset a as a share of min y, the
     * initial exponent c0, and per break its slope change c, location d and sharpness f; it thins out as
     * k grows.
     */
    private static List<double[]> gridStarts(CurveFit.Residuals res, int n, int k, double minY, double gmY,
                                             double luMin, double luMax) {
        double[] aShares = {1e-4, 0.5, 0.8, 0.95};
        double[] c0s = {0.05, 0.15, 0.3, 0.6};
        double[] cs = k == 1 ? new double[] {-0.5, -0.2, 0.2, 0.5, 1.0}
                : k == 2 ? new double[] {-0.4, -0.1, 0.1, 0.4} : new double[] {-0.3, 0.3};
        double[] fs = k == 1 ? new double[] {0.01, 0.1, 0.5, 2} : k == 2 ? new double[] {0.05, 0.5} : new double[] {0.3};
        double[] locs = k == 1 ? new double[] {0.05, 0.15, 0.3, 0.45, 0.55, 0.7, 0.85, 0.95}
                : new double[] {0.1, 0.25, 0.4, 0.6, 0.75, 0.9};
        int keepPerPlacement = k == 1 ? 2 : 1;
        int perBreak = cs.length * fs.length;
        int shapes = (int) Math.pow(perBreak, k);
        double[] r = new double[n];
        int p = 3 + 3 * k;
        List<double[]> out = new ArrayList<>();
        for (int[] combo : locationCombos(k, locs.length)) {
            java.util.PriorityQueue<double[]> best = new java.util.PriorityQueue<>(
                    (u, v) -> Double.compare(v[p], u[p])); // worst on top; slot p holds the cost
            for (double share : aShares) {
                double a0 = share * minY;
                double b0 = Math.log(Math.max(gmY - a0, 1e-3 * gmY));
                for (double c0 : c0s) {
                    for (int shape = 0; shape < shapes; shape++) {
                        double[] t = new double[p + 1];
                        t[0] = Math.log(a0);
                        t[1] = b0;
                        t[2] = c0;
                        int code = shape;
                        for (int b = 0; b < k; b++) {
                            int pick = code % perBreak;
                            code /= perBreak;
                            t[3 + 3 * b] = cs[pick % cs.length];
                            t[4 + 3 * b] = luMin + (luMax - luMin) * locs[combo[b]];
                            t[5 + 3 * b] = Math.log(fs[pick / cs.length]);
                        }
                        res.eval(Arrays.copyOf(t, p), r);
                        t[p] = CurveFit.sumSquares(r);
                        if (Double.isFinite(t[p])) {
                            best.add(t);
                            if (best.size() > keepPerPlacement) {
                                best.poll();
                            }
                        }
                    }
                }
            }
            for (double[] t : best) {
                out.add(Arrays.copyOf(t, p));
            }
        }
        return out;
    }

    /** Strictly increasing k-subsets of {0..m−1}: start locations for k breaks. */
    private static List<int[]> locationCombos(int k, int m) {
        List<int[]> out = new ArrayList<>();
        collect(new int[k], 0, 0, m, out);
        if (out.isEmpty()) {
            // More breaks than grid locations: spread them evenly instead.
            int[] c = new int[k];
            for (int b = 0; b < k; b++) {
                c[b] = Math.min(m - 1, b * m / k);
            }
            out.add(c);
        }
        return out;
    }

    private static void collect(int[] cur, int pos, int from, int m, List<int[]> out) {
        if (pos == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int v = from; v < m; v++) {
            cur[pos] = v;
            collect(cur, pos + 1, v + 1, m, out);
        }
    }

    static String[] parameterNames(int k) {
        String[] names = new String[3 + 3 * k];
        names[0] = "a";
        names[1] = "b";
        names[2] = "c0";
        for (int i = 0; i < k; i++) {
            names[3 + 3 * i] = "c" + (i + 1);
            names[4 + 3 * i] = "d" + (i + 1);
            names[5 + 3 * i] = "f" + (i + 1);
        }
        return names;
    }

    private static Map<String, Double> namedValues(double[] p) {
        String[] names = parameterNames((p.length - 3) / 3);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int j = 0; j < p.length; j++) {
            m.put(names[j], FittedParameter.finite(p[j]));
        }
        return m;
    }

    private static List<FittedParameter> nanParameters() {
        return List.of(new FittedParameter("a", null, null, null), new FittedParameter("b", null, null, null),
                new FittedParameter("c0", null, null, null));
    }
}
