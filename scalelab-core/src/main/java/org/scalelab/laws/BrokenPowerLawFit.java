package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.Provenance;

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
 * {@link CurveFitter#MIN_IMPROVEMENT} (2, "positive evidence" on Kass &amp; Raftery's 1995 scale). Without that
 * margin, noise near the edge of the data buys a spurious corner for a hair's better BIC.
 */
public final class BrokenPowerLawFit {
    private BrokenPowerLawFit() {}

    /** Bounds of each break's sharpness f, in e-folds of x: below, a corner; above, no visible break. */
    static final double MIN_SHARPNESS = 1e-3;
    static final double MAX_SHARPNESS = 1e2;

    /**
     * @param maxBreaks  largest number of breaks tried (0..maxBreaks are fitted)
     * @param criterion  how the number of breaks is chosen
     * @param bootstrap  pairs-bootstrap replicates for the chosen k (0: none)
     * @param seed       bootstrap seed
     * @param backtest   hold out the largest-x points, refit the chosen k, report the extrapolation error
     * @param forecastX  x values at which to predict y
     */
    public record Options(int maxBreaks, CurveFitter.Criterion criterion, int bootstrap, long seed, boolean backtest,
                          List<Double> forecastX) {
        public Options {
            forecastX = List.copyOf(forecastX);
            if (maxBreaks < 0) {
                throw new org.scalelab.InputException("--breaks must be ≥ 0, got " + maxBreaks);
            }
        }

        public static Options defaults() {
            return new Options(2, CurveFitter.Criterion.BIC, 200, 0L, true, List.of());
        }

        public Options withMaxBreaks(int k) {
            return new Options(k, criterion, bootstrap, seed, backtest, forecastX);
        }

        public Options withCriterion(CurveFitter.Criterion c) {
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

        CurveFitter.Options fitting() {
            return new CurveFitter.Options(bootstrap, seed, backtest, forecastX);
        }

        Map<String, Object> lawOptions() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_breaks", maxBreaks);
            m.put("criterion", criterion.name().toLowerCase(Locale.ROOT));
            return m;
        }
    }

    /** Fits columns x and y of a table (all > 0); provenance names the table. */
    public static CurveFitResult analyze(CurveData data, Options options) {
        data.requirePositive(true);
        Provenance p = CurveFitter.provenance("fit bnsl", options.lawOptions(), data, options.fitting());
        return fit(data.x(), data.y(), options, p);
    }

    /** Fits k = 0..maxBreaks breaks and reports the one the criterion chooses (see {@link CurveFitter#select}). */
    public static CurveFitResult fit(double[] x, double[] y, Options options, Provenance provenance) {
        // Every fit, bootstrap refit and backtest divides x by the full data's geometric mean.
        double x0 = CurveFit.geometricMean(x);
        List<CurveLaw> nested = new ArrayList<>();
        for (int k = 0; k <= options.maxBreaks(); k++) {
            nested.add(new Law(k, x0));
        }
        return CurveFitter.select(nested, options.criterion(), x, y, options.fitting(), provenance);
    }

    /** The law with k breaks: parameters a, b, c0, then c_i, d_i, f_i per break sorted by location d. */
    static final class Law implements CurveLaw {
        private final int k;
        private final double x0;

        Law(int k, double x0) {
            this.k = k;
            this.x0 = x0;
        }

        @Override
        public String name() {
            return "bnsl";
        }

        @Override
        public String form() {
            return "a + b*x^-c0 * prod_i (1 + (x/d_i)^(1/f_i))^(-c_i*f_i)";
        }

        @Override
        public List<String> parameterNames() {
            return List.of(BrokenPowerLawFit.parameterNames(k));
        }

        @Override
        public boolean logResiduals() {
            return true;
        }

        @Override
        public int breaks() {
            return k;
        }

        @Override
        public double value(double[] p, double x) {
            return BrokenPowerLawFit.value(p, x);
        }

        @Override
        public double[] estimate(double[] x, double[] y, double[] warm) {
            return fitCore(x, y, k, x0, warm);
        }

        @Override
        public Verdict judge(double[] est, double[] x, double[] y) {
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
                    warnings.add("break " + (i + 1) + " at x = " + d + " lies outside the observed range [" + xMin
                            + ", " + xMax + "]: its location is not pinned down by the data");
                }
            }
            return Verdict.warnings(warnings);
        }
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
        double[] warmTheta = null;
        if (warm != null) {
            warmTheta = new double[p];
            warmTheta[0] = Math.log(warm[0]);
            warmTheta[1] = Math.log(warm[1]) - warm[2] * Math.log(x0);
            warmTheta[2] = warm[2];
            for (int b = 0; b < k; b++) {
                warmTheta[3 + 3 * b] = warm[3 + 3 * b];
                warmTheta[4 + 3 * b] = Math.log(warm[4 + 3 * b] / x0);
                warmTheta[5 + 3 * b] = Math.log(warm[5 + 3 * b]);
            }
        }
        // A bootstrap refit that does not converge from the full-data optimum counts as failed; the grid
        // search is run only without a warm start.
        CurveFit.Optimum o = CurveFit.fromStarts(res, jac, n, warmTheta, () -> gridStarts(res, n, k, minY,
                Math.exp(Arrays.stream(ly).average().orElseThrow()), luMin, luMax), false);
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
}
