package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;

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

        CurveFitter.Options fitting() {
            return new CurveFitter.Options(bootstrap, seed, backtest, forecastX);
        }
    }

    /** Fits the law to columns x (> 0) and y of a table; provenance names the table. */
    public static CurveFitResult analyze(CurveData data, Options options) {
        return CurveFitter.analyze("fit sigmoid", new Law(options.floor(), options.ceiling()), data, options.fitting());
    }

    /** floor + (ceiling − floor) / (1 + exp(−k·(log10 x − m))). */
    public static double value(double m, double k, double floor, double ceiling, double x) {
        return floor + (ceiling - floor) / (1 + Math.exp(-k * (Math.log10(x) - m)));
    }

    public static CurveFitResult fit(double[] x, double[] y, Options options, Provenance provenance) {
        return CurveFitter.fit(new Law(options.floor(), options.ceiling()), x, y, options.fitting(), provenance);
    }

    /**
     * The law: parameters m (log10 of the midpoint), k (per decade), floor, ceiling (fixed ones have no
     * interval) and the derived x50 = 10^m, the scale at which the metric is halfway between floor and
     * ceiling. Fitted on the metric itself.
     */
    static final class Law implements CurveLaw {
        private final Double floor;
        private final Double ceiling;

        /** floor, ceiling: fixed asymptotes, or null to fit them. */
        Law(Double floor, Double ceiling) {
            this.floor = floor;
            this.ceiling = ceiling;
        }

        @Override
        public String name() {
            return "sigmoid";
        }

        @Override
        public String form() {
            return "floor + (ceiling - floor) / (1 + exp(-k*(log10 x - m)))";
        }

        @Override
        public List<String> parameterNames() {
            return List.of("m", "k", "floor", "ceiling");
        }

        @Override
        public int freeParameters() {
            return 2 + (floor == null ? 1 : 0) + (ceiling == null ? 1 : 0);
        }

        @Override
        public boolean logResiduals() {
            return false;
        }

        @Override
        public double value(double[] p, double x) {
            return SigmoidFit.value(p[0], p[1], p[2], p[3], x);
        }

        @Override
        public double[] estimate(double[] x, double[] y, double[] warm) {
            return fitCore(x, y, floor, ceiling, warm);
        }

        @Override
        public boolean fixed(int parameter) {
            return parameter == 2 && floor != null || parameter == 3 && ceiling != null;
        }

        @Override
        public List<Derived> derived() {
            return List.of(new Derived("x50", p -> Math.pow(10, p[0])));
        }

        @Override
        public Verdict judge(double[] p, double[] x, double[] y) {
            double m = p[0];
            double k = p[1];
            double fitFloor = p[2];
            double fitCeiling = p[3];
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
            } else if (!(fitCeiling > fitFloor)) {
                status = FitStatus.DEGENERATE;
                reason = "fitted ceiling " + fitCeiling + " is not above floor " + fitFloor + "; fix them with options";
            }
            // A fitted plateau is observed only if the curve gets within 10 % of it inside the data; otherwise
            // the asymptote is an extrapolation of the logistic's shape.
            double shareAtMin = 1 / (1 + Math.exp(-k * (tMin - m)));
            double shareAtMax = 1 / (1 + Math.exp(-k * (tMax - m)));
            double upper = k > 0 ? shareAtMax : shareAtMin;
            double lower = k > 0 ? shareAtMin : shareAtMax;
            if (ceiling == null && upper < 0.9) {
                warnings.add("the fitted ceiling " + fitCeiling + " is not observed: inside the data the curve reaches "
                        + "only " + Math.round(100 * upper) + " % of the way to it; fix it with --ceiling");
            }
            if (floor == null && lower > 0.1) {
                warnings.add("the fitted floor " + fitFloor + " is not observed: inside the data the curve comes down "
                        + "only to " + Math.round(100 * lower) + " % above it; fix it with --floor");
            }
            if (m < tMin || m > tMax) {
                warnings.add("the 50 % point x50 = " + Math.pow(10, m) + " lies outside the observed x range ["
                        + Math.pow(10, tMin) + ", " + Math.pow(10, tMax) + "]: it is an extrapolation");
            }
            return new Verdict(status, reason, warnings);
        }

        @Override
        public Map<String, Object> options() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("floor", floor == null ? "fit" : floor);
            m.put("ceiling", ceiling == null ? "fit" : ceiling);
            return m;
        }
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
    static double[] fitCore(double[] x, double[] y, Double floor, Double ceiling, double[] warmStart) {
        int n = x.length;
        double[] t = Arrays.stream(x).map(Math::log10).toArray();
        boolean fitFloor = floor == null;
        boolean fitCeil = ceiling == null;
        int p = 2 + (fitFloor ? 1 : 0) + (fitCeil ? 1 : 0);
        // θ = (m, k, [floor], [ceiling]).
        CurveFit.Residuals res = (th, out) -> {
            double f = fitFloor ? th[2] : floor;
            double c = fitCeil ? th[fitFloor ? 3 : 2] : ceiling;
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
        CurveFit.Optimum best = CurveFit.fromStarts(res, null, n,
                warmStart == null ? null : pack(warmStart, fitFloor, fitCeil, p), () -> {
                    List<double[]> starts = new ArrayList<>();
                    for (int a = 0; a < 5; a++) {
                        double m0 = tMin + (tMax - tMin) * a / 4;
                        for (double k0 : new double[] {0.5, 2, 8}) {
                            starts.add(pack(new double[] {m0, dir * k0, yMin, yMax}, fitFloor, fitCeil, p));
                        }
                    }
                    return starts;
                }, true);
        if (!best.converged()) {
            return null;
        }
        double[] th = best.theta();
        return new double[] {th[0], th[1], fitFloor ? th[2] : floor, fitCeil ? th[fitFloor ? 3 : 2] : ceiling};
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
}
