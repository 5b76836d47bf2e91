package org.scalelab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.scalelab.laws.Backtest;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.CurveForecast;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.FittedParameter;
import org.scalelab.stats.Quantiles;

/**
 * Renders a {@link CurveFitResult} (power, sigmoid, BNSL, exponential decay) as a text table and as a
 * report section with its plots (data and fitted law with a bootstrap band, residuals, bootstrap
 * histograms, backtest). Its tables and plots also serve the other laws' renderers.
 */
public final class CurveFitRenderer {
    private CurveFitRenderer() {}

    /** The text table of a fit of {@code yCol} against {@code xCol}. */
    public static String text(CurveFitResult r, String xCol, String yCol) {
        StringBuilder sb = new StringBuilder();
        switch (r.law()) {
            case "power" -> sb.append("power law: ").append(yCol).append(" = ")
                    .append(r.form().replace("*x^", "*" + xCol + "^")).append("  (").append(r.nPoints())
                    .append(" points, status: ").append(r.status().json()).append(")\n");
            case "sigmoid" -> sb.append("sigmoid: ").append(yCol).append(" = ")
                    .append(r.form().replace("log10 x", "log10 " + xCol)).append("  (").append(r.nPoints())
                    .append(" points, status: ").append(r.status().json()).append(")\n");
            case "bnsl" -> sb.append("broken neural scaling law: ").append(yCol).append(" vs ").append(xCol)
                    .append("  (").append(r.nPoints()).append(" points, status: ").append(r.status().json())
                    .append(", ").append(r.nBreaks()).append(" break(s) by ")
                    .append(r.criterion().toUpperCase()).append(")\n");
            default -> sb.append(r.law()).append(": ").append(yCol).append(" = ").append(r.form()).append("  (")
                    .append(r.nPoints()).append(" points, status: ").append(r.status().json()).append(")\n");
        }
        if (r.reason() != null) {
            sb.append("reason: ").append(r.reason()).append('\n');
        }
        sb.append(TextTable.render(PARAMETER_HEADER, parameterRows(r.allParameters())));
        switch (r.law()) {
            case "power" -> {
                if (r.bootstrap() != null) {
                    sb.append("\nbootstrap: ").append(r.bootstrap().succeeded()).append('/')
                            .append(r.bootstrap().replicates()).append(" refits converged (seed ")
                            .append(r.bootstrap().seed()).append(')');
                }
                sb.append("\nrms residual of log ").append(yCol).append(": ").append(TextTable.num(r.rmse()));
            }
            case "sigmoid" -> sb.append("\n50 % point: ").append(xCol).append(" = ")
                    .append(TextTable.num(r.parameter("x50").value())).append(", 95 % CI ")
                    .append(interval(r.parameter("x50").ci95()));
            case "bnsl" -> sb.append("\n\n").append(TextTable.render(CANDIDATE_HEADER, candidateRows(r)));
            default -> sb.append("\nrms residual of ").append(r.curve().logResiduals() ? "log " : "").append(yCol)
                    .append(": ").append(TextTable.num(r.rmse()));
        }
        sb.append('\n').append(backtestLine(r.backtest(), xCol));
        sb.append(forecastBlock(r.forecasts(), xCol, yCol));
        sb.append(warningsBlock(r.warnings()));
        return sb.toString();
    }

    /** The report section: status, parameters, the fit and residual plots, bootstrap histograms, backtest. */
    public static void section(Report report, CurveFitResult r, double[] x, double[] y, String xCol, String yCol,
                               String source) {
        report.verdict("status", r.status().json() + (r.reason() == null ? "" : ": " + r.reason()),
                r.status() == FitStatus.CONVERGED);
        boolean log = r.curve().logResiduals();
        switch (r.law()) {
            case "power" -> report.text(yCol + " = " + r.form().replace("*x^", "*" + xCol + "^") + " fitted to "
                    + r.nPoints() + " points of " + source + " by least squares on log " + yCol + ".");
            case "sigmoid" -> report.text("50 % point: " + xCol + " = " + TextTable.num(r.parameter("x50").value())
                    + ", 95 % CI " + interval(r.parameter("x50").ci95()) + ".");
            case "bnsl" -> report.text(r.nBreaks() + " break(s) chosen by "
                    + r.criterion().toUpperCase() + " among " + r.candidates().size()
                    + " candidates.");
            default -> report.text(yCol + " = " + r.form() + " fitted to " + r.nPoints() + " points of " + source
                    + " by least squares on " + (log ? "log " : "") + yCol + ".");
        }
        report.table(PARAMETER_HEADER, parameterRows(r.allParameters()));
        if (r.candidates() != null) {
            report.table(CANDIDATE_HEADER, candidateRows(r));
        }
        if (r.fitted()) {
            String title = switch (r.law()) {
                case "power" -> "Power-law fit";
                case "sigmoid" -> "Sigmoid fit";
                case "bnsl" -> "Broken neural scaling law";
                default -> r.law() + " fit";
            };
            Plot p = fitPlot(title, xCol, yCol, x, y, r::predict, r::predictReplicate, r.replicateCount(),
                    r.forecasts(), log);
            String caption = log ? "Data and fitted law on log–log axes." : "Data and the fitted law.";
            if (r.law().equals("sigmoid")) {
                p.vline("x50", r.parameter("x50").v());
                caption = "Metric against log scale with the fitted logistic; the line marks x50.";
            } else if (r.candidates() != null) {
                for (int i = 0; i < r.nBreaks(); i++) {
                    p.vline("d" + (i + 1), r.parameter("d" + (i + 1)).v());
                }
                caption = "Data and the chosen BNSL on log–log axes; vertical lines mark the breaks.";
            }
            report.plot("fit", p, caption);
            String residualCaption = switch (r.law()) {
                case "power" -> "Residuals in log space: a trend means the law's shape does not fit.";
                case "bnsl" -> "Residuals in log space.";
                default -> log ? "Residuals in log space." : "Residuals y − fit.";
            };
            report.plot("residuals", residualPlot(xCol, x, y, r::predict, log), residualCaption);
            bootstrapHistograms(report, r.bootstrapSamples());
        }
        backtestTable(report, r.backtest(), xCol);
    }

    static final List<String> CANDIDATE_HEADER = List.of("breaks", "params", "status", "rss(log y)", "AIC", "BIC");

    static List<List<String>> candidateRows(CurveFitResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (CurveFitResult.Candidate c : r.candidates()) {
            rows.add(List.of(Integer.toString(c.nBreaks()) + (c.nBreaks() == r.nBreaks() ? " *" : ""),
                    Integer.toString(c.nParams()), c.status().json(), TextTable.num(c.rss()), TextTable.num(c.aic()),
                    TextTable.num(c.bic())));
        }
        return rows;
    }

    /** A replicate's curve: (replicate index, x) → y, NaN when that replicate failed. */
    @FunctionalInterface
    public interface ReplicateCurve {
        double at(int replicate, double x);
    }

    public static final List<String> PARAMETER_HEADER = List.of("parameter", "value", "se", "95% CI");

    public static List<List<String>> parameterRows(List<FittedParameter> ps) {
        List<List<String>> rows = new ArrayList<>();
        for (FittedParameter p : ps) {
            rows.add(List.of(p.name(), TextTable.num(p.value()), TextTable.num(p.se()), interval(p.ci95())));
        }
        return rows;
    }

    public static String interval(List<Double> ci) {
        return ci == null ? "—" : TextTable.interval(new double[] {ci.get(0), ci.get(1)});
    }

    public static String backtestLine(Backtest.Result bt, String xName) {
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

    public static String forecastBlock(List<CurveForecast> fs, String xName, String yName) {
        if (fs.isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (CurveForecast f : fs) {
            rows.add(List.of(TextTable.num(f.x()), TextTable.num(f.y()), interval(f.ci95())));
        }
        return "\n" + TextTable.render(List.of(xName, yName + " (forecast)", "95% CI"), rows);
    }

    public static String warningsBlock(List<String> warnings) {
        StringBuilder sb = new StringBuilder();
        for (String w : warnings) {
            sb.append("\nwarning: ").append(w);
        }
        return sb.toString();
    }

    /** n log-spaced points from lo to hi. */
    public static double[] logGrid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (n - 1));
        }
        return g;
    }

    /** Data points and the fitted curve on log x (and log y when asked), with a bootstrap band when available. */
    public static Plot fitPlot(String title, String xName, String yName, double[] x, double[] y, DoubleUnaryOperator fit,
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
    public static Plot residualPlot(String xName, double[] x, double[] y, DoubleUnaryOperator fit, boolean log) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double f = fit.applyAsDouble(x[i]);
            r[i] = log ? Math.log(y[i]) - Math.log(f) : y[i] - f;
        }
        return Plot.of("Residuals", xName, log ? "log y − log fit" : "y − fit").logX().points("residual", x, r)
                .hline("0", 0);
    }

    /** One histogram per bootstrapped parameter. */
    public static void bootstrapHistograms(Report report, Map<String, double[]> samples) {
        for (Map.Entry<String, double[]> e : samples.entrySet()) {
            report.plot("bootstrap_" + e.getKey().replaceAll("[^A-Za-z0-9_]", "_"),
                    Plot.of("Bootstrap distribution of " + e.getKey(), e.getKey(), "replicates")
                            .histogram(e.getKey(), e.getValue(), 30),
                    "Pairs-bootstrap replicates of " + e.getKey() + "; the 95 % interval is their 2.5–97.5 % percentiles.");
        }
    }

    public static void backtestTable(Report report, Backtest.Result bt, String xName) {
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
