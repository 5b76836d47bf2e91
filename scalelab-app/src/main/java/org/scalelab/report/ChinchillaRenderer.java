package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.ComputeOptimal;

/**
 * Renders a Chinchilla fit ({@link ChinchillaResult}): the summary and parameter table as text, and a
 * report section with the law against the runs, residuals, observed vs fitted, the compute-optimal
 * frontier, the backtest and the bootstrap histograms.
 */
public final class ChinchillaRenderer {
    private ChinchillaRenderer() {}

    static final List<String> HEADER = List.of("parameter", "estimate", "standard error", "95% interval");

    /**
     * The report section. {@code replicates} are the bootstrap replicates' parameters (kept even when the
     * result leaves them out of its JSON); params, tokens, loss are the runs the law was fitted to.
     */
    public static void section(Report report, ChinchillaResult r, List<double[]> replicates, double[] params,
                               double[] tokens, double[] loss) {
        report.text(summary(r));
        report.table(HEADER, rows(r));
        ChinchillaResult.Params p = r.fitted();
        if (p.isFinite()) {
            List<ChinchillaResult.Params> reps = new ArrayList<>();
            if (replicates != null) {
                for (double[] row : replicates) {
                    reps.add(ChinchillaResult.Params.fromRow(row));
                }
            }
            plots(report, params, tokens, loss, p, reps);
        }
        CurveFitRenderer.backtestTable(report, r.backtest(), "compute");
        if (replicates != null && !replicates.isEmpty()) {
            String[] what = {"irreducible loss", "model-size coefficient", "data coefficient", "model-size exponent",
                "data exponent"};
            for (int j = 0; j < ChinchillaResult.PARAM_NAMES.size(); j++) {
                String name = ChinchillaResult.PARAM_NAMES.get(j);
                report.plot("bootstrap_" + name, Plot.of("Bootstrap replicates of " + name, name, "replicates")
                        .histogram(name, column(replicates, j), 40)
                        .vline("fit", r.params().get(name) == null ? Double.NaN : r.params().get(name)),
                        "Pairs-bootstrap refits of the " + what[j] + " " + name + ".");
            }
        }
    }

    /**
     * Data and law on log axes (each run's loss against its compute, with the loss along the
     * compute-optimal frontier), residuals, observed vs fitted, and the frontier N_opt(C) with its band.
     */
    static void plots(Report report, double[] params, double[] tokens, double[] loss, ChinchillaResult.Params p,
                      List<ChinchillaResult.Params> replicates) {
        int n = loss.length;
        double[] compute = new double[n];
        double[] predicted = new double[n];
        double[] residual = new double[n];
        for (int i = 0; i < n; i++) {
            compute[i] = 6 * params[i] * tokens[i];
            predicted[i] = p.loss(params[i], tokens[i]);
            residual[i] = Math.log(loss[i]) - Math.log(predicted[i]);
        }
        double[] grid = CurveFitRenderer.logGrid(min(compute), max(compute) * 100, 80);
        double[] frontier = new double[grid.length];
        double[] nOpt = new double[grid.length];
        double[] lo = new double[grid.length];
        double[] hi = new double[grid.length];
        for (int g = 0; g < grid.length; g++) {
            nOpt[g] = ComputeOptimal.optimalParams(p, grid[g]);
            frontier[g] = p.loss(nOpt[g], ComputeOptimal.optimalTokens(p, grid[g]));
            double[] reps = new double[replicates.size()];
            for (int b = 0; b < reps.length; b++) {
                reps[b] = ComputeOptimal.optimalParams(replicates.get(b), grid[g]);
            }
            double[] ci = org.scalelab.stats.Quantiles.percentileInterval(reps, 0.95);
            lo[g] = ci[0];
            hi[g] = ci[1];
        }
        double maxC = max(compute);
        report.plot("fit", Plot.of("Loss against training compute", "compute C = 6ND (FLOP)", "loss").logX().logY()
                .points("runs", compute, loss)
                .line("fitted law along the compute-optimal frontier", grid, frontier)
                .vline("largest run", maxC),
                "Each run's final loss; the curve is the fitted L(N_opt(C), D_opt(C)), the lowest loss the law allows at "
                        + "each compute, extrapolated 100× past the largest run.");
        report.plot("residuals", Plot.of("Residuals", "compute C (FLOP)", "log L − log L̂").logX()
                .points("residual", compute, residual).hline("0", 0),
                "Log residuals against compute: a trend means the law's shape does not fit; the Huber loss ignores outliers.");
        double plo = Math.min(min(predicted), min(loss));
        double phi = Math.max(max(predicted), max(loss));
        report.plot("observed_vs_predicted", Plot.of("Observed vs fitted loss", "fitted L(N, D)", "observed loss")
                .points("runs", predicted, loss).dashed("y = x", new double[] {plo, phi}, new double[] {plo, phi}),
                "Each run's final loss against the fitted law; runs dropped by --drop-highest-loss are included.");
        Plot opt = Plot.of("Compute-optimal model size", "compute C (FLOP)", "N_opt (parameters)").logX().logY();
        if (!replicates.isEmpty()) {
            opt.band("95% interval", grid, nOpt, lo, hi);
        }
        report.plot("frontier", opt.line("N_opt(C)", grid, nOpt).points("runs (N)", compute, params),
                "Compute-optimal model size N_opt(C) = G (C/6)^a (Hoffmann et al. 2022, eq. 4), with the runs' own sizes.");
    }

    static String summary(ChinchillaResult r) {
        String s = "Chinchilla law L(N, D) = E + A/N^alpha + B/D^beta: " + r.status().json()
                + (r.reason() == null ? "" : " (" + r.reason() + ")") + ". " + r.nPoints() + " runs"
                + (r.nDropped() > 0 ? " (" + r.nDropped() + " highest-loss dropped)" : "") + ", Huber delta "
                + TextTable.num(r.huberDelta()) + " (" + r.reduce() + "), " + r.convergedStarts() + " of " + r.starts()
                + " starts converged";
        if (r.bootstrap() > 0) {
            s += ", " + r.bootstrapConverged() + " of " + r.bootstrap() + " bootstrap refits converged";
        }
        return s + ". Compute-optimal: N_opt = G (C/6)^a, D_opt = (C/6)^b / G (Hoffmann et al. 2022, eq. 4).";
    }

    static List<List<String>> rows(ChinchillaResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (String k : ChinchillaResult.PARAM_NAMES) {
            rows.add(row(k, r.params().get(k), r));
        }
        for (Map.Entry<String, Double> e : r.computeOptimal().entrySet()) {
            rows.add(row(e.getKey(), e.getValue(), r));
        }
        return rows;
    }

    private static List<String> row(String key, Double value, ChinchillaResult r) {
        List<Double> ci = r.ci95().get(key);
        String interval = ci == null ? "—" : "[" + TextTable.num(ci.get(0)) + ", " + TextTable.num(ci.get(1)) + "]";
        return List.of(key, TextTable.num(value), TextTable.num(r.se().get(key)), interval);
    }

    /** The text form: summary, parameter table, objective and timings, backtest. */
    public static String text(ChinchillaResult r) {
        return summary(r) + "\n" + TextTable.render(HEADER, rows(r)).stripTrailing()
                + String.format(java.util.Locale.ROOT, "%nobjective %s, grid fit %.2f s, bootstrap %.2f s",
                        TextTable.num(r.objective()), r.seconds(), r.bootstrapSeconds())
                + "\n" + CurveFitRenderer.backtestLine(r.backtest(), "compute");
    }

    static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(row -> row[c]).toArray();
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
