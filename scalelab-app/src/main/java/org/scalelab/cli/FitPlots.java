package org.scalelab.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.scalelab.laws.Backtest;
import org.scalelab.laws.CurveForecast;
import org.scalelab.laws.FittedParameter;
import org.scalelab.report.Plot;
import org.scalelab.report.Report;
import org.scalelab.report.TextTable;
import org.scalelab.stats.Quantiles;

/** Tables and plots shared by the single-variable law commands. */
final class FitPlots {
    private FitPlots() {}

    /** A replicate's curve: (replicate index, x) → y, NaN when that replicate failed. */
    @FunctionalInterface
    interface ReplicateCurve {
        double at(int replicate, double x);
    }

    static final List<String> PARAMETER_HEADER = List.of("parameter", "value", "se", "95% CI");

    static List<List<String>> parameterRows(List<FittedParameter> ps) {
        List<List<String>> rows = new ArrayList<>();
        for (FittedParameter p : ps) {
            rows.add(List.of(p.name(), TextTable.num(p.value()), TextTable.num(p.se()), interval(p.ci95())));
        }
        return rows;
    }

    static String interval(List<Double> ci) {
        return ci == null ? "—" : TextTable.interval(new double[] {ci.get(0), ci.get(1)});
    }

    static String backtestLine(Backtest.Result bt, String xName) {
        if (bt == null) {
            return "backtest: off";
        }
        if (!"ran".equals(bt.status())) {
            return "backtest: " + bt.status() + (bt.reason() == null ? "" : " (" + bt.reason() + ")");
        }
        return "backtest: fitted " + bt.nTrain() + " points, predicted the " + bt.nHeldOut() + " with " + xName + " ≥ "
                + TextTable.num(bt.thresholdX()) + ": mean abs error " + TextTable.num(bt.meanAbsError())
                + ", mean rel error " + TextTable.num(bt.meanRelError() == null ? null : 100 * bt.meanRelError()) + " %";
    }

    static String forecastBlock(List<CurveForecast> fs, String xName, String yName) {
        if (fs.isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (CurveForecast f : fs) {
            rows.add(List.of(TextTable.num(f.x()), TextTable.num(f.y()), interval(f.ci95())));
        }
        return "\n" + TextTable.render(List.of(xName, yName + " (forecast)", "95% CI"), rows);
    }

    static String warningsBlock(List<String> warnings) {
        StringBuilder sb = new StringBuilder();
        for (String w : warnings) {
            sb.append("\nwarning: ").append(w);
        }
        return sb.toString();
    }

    /** n log-spaced points from lo to hi. */
    static double[] logGrid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (n - 1));
        }
        return g;
    }

    /** Data points and the fitted curve on log x (and log y when asked), with a bootstrap band when available. */
    static Plot fitPlot(String title, String xName, String yName, double[] x, double[] y, DoubleUnaryOperator fit,
                        ReplicateCurve replicate, int replicates, List<CurveForecast> forecasts, boolean logY) {
        double lo = Arrays.stream(x).min().orElse(1);
        double hi = Arrays.stream(x).max().orElse(10);
        for (CurveForecast f : forecasts) {
            hi = Math.max(hi, f.x());
        }
        double[] g = logGrid(lo, hi, 200);
        double[] mid = Arrays.stream(g).map(fit).toArray();
        Plot p = Plot.of(title, xName, yName).logX();
        if (logY) {
            p.logY();
        }
        if (replicates > 0 && replicate != null) {
            double[] bandLo = new double[g.length];
            double[] bandHi = new double[g.length];
            double[] at = new double[replicates];
            for (int i = 0; i < g.length; i++) {
                for (int b = 0; b < replicates; b++) {
                    at[b] = replicate.at(b, g[i]);
                }
                double[] ci = Quantiles.percentileInterval(at, 0.95);
                bandLo[i] = ci[0];
                bandHi[i] = ci[1];
            }
            if (Double.isFinite(bandLo[0])) {
                p.band("bootstrap 95% band", g, mid, bandLo, bandHi);
            }
        }
        p.points("data", x, y);
        p.line("fit", g, mid);
        if (!forecasts.isEmpty()) {
            p.points("forecast", forecasts.stream().mapToDouble(CurveForecast::x).toArray(),
                    forecasts.stream().mapToDouble(f -> f.y() == null ? Double.NaN : f.y()).toArray());
        }
        return p;
    }

    /** Residuals (observed − fitted, or in log space when {@code log}) against log x. */
    static Plot residualPlot(String xName, double[] x, double[] y, DoubleUnaryOperator fit, boolean log) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double f = fit.applyAsDouble(x[i]);
            r[i] = log ? Math.log(y[i]) - Math.log(f) : y[i] - f;
        }
        return Plot.of("Residuals", xName, log ? "log y − log fit" : "y − fit").logX().points("residual", x, r)
                .hline("0", 0);
    }

    /** One histogram per bootstrapped parameter. */
    static void bootstrapHistograms(Report report, Map<String, double[]> samples) {
        for (Map.Entry<String, double[]> e : samples.entrySet()) {
            report.plot("bootstrap_" + e.getKey().replaceAll("[^A-Za-z0-9_]", "_"),
                    Plot.of("Bootstrap distribution of " + e.getKey(), e.getKey(), "replicates")
                            .histogram(e.getKey(), e.getValue(), 30),
                    "Pairs-bootstrap replicates of " + e.getKey() + "; the 95 % interval is their 2.5–97.5 % percentiles.");
        }
    }

    static void backtestTable(Report report, Backtest.Result bt, String xName) {
        if (bt == null || bt.points().isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Backtest.Point p : bt.points()) {
            rows.add(List.of(TextTable.num(p.x()), TextTable.num(p.y()), TextTable.num(p.predicted()),
                    TextTable.num(p.absError()), TextTable.num(p.relError() == null ? null : 100 * p.relError())));
        }
        report.heading("Backtest");
        report.text(backtestLine(bt, xName));
        report.table(List.of(xName, "observed", "predicted", "abs error", "rel error %"), rows);
    }
}
